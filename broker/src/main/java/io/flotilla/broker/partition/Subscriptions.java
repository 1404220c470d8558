package io.flotilla.broker.partition;

import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.FetchFormat;
import io.flotilla.api.v1.FetchResponse;
import io.flotilla.broker.api.ApiException;
import io.grpc.stub.ServerCallStreamObserver;

import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The Subscribe streams of one node: their bound, their count and what they sent. A stream
 * costs no thread of its own: it waits on its replica like a parked fetch, on the same reader
 * and timer threads ({@link FetchParking}), and on its client through gRPC's readiness
 * callbacks ({@link Subscription}).
 */
public final class Subscriptions {
    private static final int RETRY_AFTER_MS = 1000;

    private final FetchParking parking;
    private final int max;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger waitingForClient = new AtomicInteger();
    private final LongAdder bytesSent = new LongAdder();

    /**
     * @param open             streams being served
     * @param waitingForClient streams whose transport is full: the client has not yet read what was sent
     * @param bytesSent        encoded size of every message handed to gRPC since the node started
     */
    public record Stats(int open, int waitingForClient, long bytesSent) {
    }

    /** @param max streams served at once on this node before THROTTLED */
    public Subscriptions(FetchParking parking, int max) {
        this.parking = parking;
        this.max = max;
    }

    /**
     * Streams {@code replica}'s committed records from {@code offset} to {@code out} until the
     * client cancels or the stream can no longer be served. Called from the gRPC service method
     * (the stream's handlers must be set before it returns). Throws what a fetch at
     * {@code offset} would, or THROTTLED when the node serves its maximum already.
     *
     * @param heartbeatMs send a message without records after this long without one; 0 never
     */
    public void subscribe(PartitionReplica replica, long offset, int maxBytes, FetchFormat format, long heartbeatMs,
                          ServerCallStreamObserver<FetchResponse> out) {
        replica.checkReadable(offset);
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            throw ApiException.of(ApiException.detail(ErrorReason.ERROR_REASON_THROTTLED, "this node serves " + max
                    + " subscriptions already, its limit (max subscriptions in the node's settings); cancel the"
                    + " subscriptions you no longer read, retry later, or read with Fetch").setLimit(max)
                    .setRetryAfterMs(RETRY_AFTER_MS));
        }
        new Subscription(this, replica, offset, maxBytes, format, heartbeatMs, out).start();
    }

    public Stats stats() {
        return new Stats(open.get(), waitingForClient.get(), bytesSent.sum());
    }

    Executor readers() {
        return parking.readers();
    }

    ScheduledExecutorService timer() {
        return parking.timer();
    }

    void sent(int bytes) {
        bytesSent.add(bytes);
    }

    void waitingForClient(boolean waiting) {
        waitingForClient.addAndGet(waiting ? 1 : -1);
    }

    void closed() {
        open.decrementAndGet();
    }
}
