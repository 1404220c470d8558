package io.flotilla.broker.api;

import io.flotilla.api.v1.ErrorReason;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Deadline arithmetic and status mapping shared by the services. */
public final class Calls {
    /** Answer this long before the caller's deadline, so the answer arrives (broker.proto). */
    public static final long DEADLINE_MARGIN_MS = 50;

    private Calls() {
    }

    /** How long a call may wait: its deadline less the margin, or {@code defaultMs} without one. */
    public static long waitMs(long defaultMs) {
        Deadline deadline = Context.current().getDeadline();
        if (deadline == null) {
            return defaultMs;
        }
        return Math.max(0, Math.min(defaultMs, deadline.timeRemaining(TimeUnit.MILLISECONDS) - DEADLINE_MARGIN_MS));
    }

    /** Answers a unary call with what {@code answer} returns, or with the status of what it throws. */
    public static <T> void answer(StreamObserver<T> out, Supplier<T> answer) {
        T result;
        try {
            result = answer.get();
        } catch (RuntimeException e) {
            out.onError(statusOf(e));
            return;
        }
        out.onNext(result);
        out.onCompleted();
    }

    /** The cause under future wrappers. */
    public static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /** The status a failure ends a call with: an API error's own, a relayed status, or INTERNAL_ERROR. */
    public static StatusRuntimeException statusOf(Throwable e) {
        Throwable c = unwrap(e);
        if (c instanceof ApiException api) {
            return api.toStatus();
        }
        if (c instanceof StatusRuntimeException s) {
            return s;
        }
        return ApiException.of(ErrorReason.ERROR_REASON_INTERNAL_ERROR, "internal error: " + c).toStatus();
    }
}
