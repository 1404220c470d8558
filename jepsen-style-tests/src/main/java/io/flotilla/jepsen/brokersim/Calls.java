package io.flotilla.jepsen.brokersim;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.flotilla.api.v1.ErrorDetail;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;

/**
 * A client's call into a simulated node's service: the service answers on the simulation's
 * thread, at once or when a later event completes it. An answer from a life that has ended
 * (the node crashed meanwhile) is never delivered, as no answer comes from a dead process, and
 * only the first answer counts.
 */
final class Calls {
    private Calls() {
    }

    /** What a client learns from one call: exactly one of these. */
    interface Answer<T> {
        void ok(T response);

        /** The service refused the call: its first error detail, or null when it carries none. */
        void error(ErrorDetail detail);
    }

    static <T> StreamObserver<T> observer(SimBroker.Life life, Answer<T> answer) {
        return new StreamObserver<>() {
            private boolean done;

            @Override
            public void onNext(T value) {
                finish(() -> answer.ok(value));
            }

            @Override
            public void onError(Throwable t) {
                finish(() -> answer.error(firstDetail(t)));
            }

            @Override
            public void onCompleted() {
            }

            private void finish(Runnable deliver) {
                if (!done && !life.over()) {
                    done = true;
                    deliver.run();
                }
            }
        };
    }

    /** The first {@link ErrorDetail} of a status from the broker (the rich error model), or null. */
    static ErrorDetail firstDetail(Throwable t) {
        com.google.rpc.Status status = StatusProto.fromThrowable(t);
        if (status == null) {
            return null;
        }
        for (Any any : status.getDetailsList()) {
            if (any.is(ErrorDetail.class)) {
                try {
                    return any.unpack(ErrorDetail.class);
                } catch (InvalidProtocolBufferException e) {
                    return null;
                }
            }
        }
        return null;
    }
}
