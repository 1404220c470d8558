package io.flotilla.broker.partition;

import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.FetchFormat;
import io.flotilla.api.v1.FetchResponse;
import io.flotilla.broker.api.ApiException;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Long polls of one node: fetches waiting for records to commit. No thread waits for any of
 * them: a parked fetch is a small object in its replica's queue; a commit wakes the replica,
 * whose parked fetches are then answered by a reader thread, and a timer answers the ones
 * whose wait ran out with what there is (nothing).
 */
public final class FetchParking implements AutoCloseable {
    private final ScheduledExecutorService timer;
    private final ExecutorService readers;
    private final int maxParked;
    private final AtomicInteger parkedCount = new AtomicInteger();

    /** @param maxParked fetches parked at once on this node before THROTTLED */
    public FetchParking(int readerThreads, int maxParked) {
        this.maxParked = maxParked;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "fetch-timer"));
        AtomicInteger n = new AtomicInteger();
        this.readers = Executors.newFixedThreadPool(readerThreads, r -> daemon(r, "fetch-reader-" + n.incrementAndGet()));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Answers the fetch now if records are committed at {@code offset}; otherwise parks it for
     * up to {@code waitMs}. Exactly one of the callbacks is called, once.
     */
    public void fetch(PartitionReplica replica, long offset, int maxBytes, FetchFormat format, long waitMs,
                      Consumer<FetchResponse> answer, Consumer<Throwable> failure) {
        FetchResponse now = replica.read(offset, maxBytes, format);
        if (now != null || waitMs <= 0) {
            answer.accept(now != null ? now : replica.empty(offset));
            return;
        }
        if (parkedCount.incrementAndGet() > maxParked) {
            parkedCount.decrementAndGet();
            throw ApiException.of(ApiException.detail(ErrorReason.ERROR_REASON_THROTTLED, "this node has "
                    + maxParked + " fetches waiting for records already; retry shortly or use Subscribe")
                    .setRetryAfterMs(100));
        }
        Parked parked = new Parked(offset, maxBytes, format, answer, failure);
        parked.expiry = timer.schedule(() -> {
            parked.answer(replica.empty(offset));
            replica.unpark(parked);
        }, waitMs, TimeUnit.MILLISECONDS);
        replica.park(parked);
    }

    /** Something changed for {@code replica} (a commit, a leadership change): look at its parked fetches. */
    void wake(PartitionReplica replica) {
        readers.execute(replica::serveParked);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        readers.shutdownNow();
    }

    /** A fetch waiting for records. */
    final class Parked {
        private final long offset;
        private final int maxBytes;
        private final FetchFormat format;
        private final Consumer<FetchResponse> onAnswer;
        private final Consumer<Throwable> onFailure;
        private final AtomicBoolean done = new AtomicBoolean();
        private volatile ScheduledFuture<?> expiry;

        private Parked(long offset, int maxBytes, FetchFormat format, Consumer<FetchResponse> onAnswer,
                       Consumer<Throwable> onFailure) {
            this.offset = offset;
            this.maxBytes = maxBytes;
            this.format = format;
            this.onAnswer = onAnswer;
            this.onFailure = onFailure;
        }

        long offset() {
            return offset;
        }

        int maxBytes() {
            return maxBytes;
        }

        FetchFormat format() {
            return format;
        }

        boolean isDone() {
            return done.get();
        }

        /** Answers unless already answered; true if this call did. */
        boolean answer(FetchResponse response) {
            if (!finish()) {
                return false;
            }
            onAnswer.accept(response);
            return true;
        }

        void fail(Throwable cause) {
            if (finish()) {
                onFailure.accept(cause);
            }
        }

        private boolean finish() {
            if (!done.compareAndSet(false, true)) {
                return false;
            }
            parkedCount.decrementAndGet();
            ScheduledFuture<?> e = expiry;
            if (e != null) {
                e.cancel(false);
            }
            return true;
        }
    }
}
