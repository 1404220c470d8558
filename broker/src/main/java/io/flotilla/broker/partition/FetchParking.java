package io.flotilla.broker.partition;

import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.FetchFormat;
import io.flotilla.api.v1.FetchResponse;
import io.flotilla.broker.api.ApiException;

import java.io.UncheckedIOException;
import java.util.concurrent.Executor;
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
 * whose wait ran out with what there is (nothing). {@link Subscriptions} wait the same way, on
 * the same threads.
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
        replica.park(parked, offset);
    }

    /** Something changed for {@code replica} (a commit, a leadership change): let its waiters look. */
    void wake(PartitionReplica replica) {
        readers.execute(replica::serveWaiting);
    }

    /** The threads that read for woken waiters. */
    Executor readers() {
        return readers;
    }

    /** The node's one timer thread for waits: fetch expiry, subscription heartbeats. */
    ScheduledExecutorService timer() {
        return timer;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        readers.shutdownNow();
    }

    /** A fetch waiting for records. */
    final class Parked implements Waiter {
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

        @Override
        public boolean serve(PartitionReplica replica) {
            if (done.get()) {
                return true;
            }
            try {
                FetchResponse now = replica.read(offset, maxBytes, format);
                if (now == null) {
                    return false;
                }
                answer(now);
            } catch (ApiException | UncheckedIOException e) {
                fail(e);
            }
            return true;
        }

        /** Answers unless already answered (by its expiry or a wake). */
        void answer(FetchResponse response) {
            if (finish()) {
                onAnswer.accept(response);
            }
        }

        private void fail(Throwable cause) {
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
