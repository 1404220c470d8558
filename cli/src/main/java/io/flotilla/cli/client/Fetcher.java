package io.flotilla.cli.client;

import io.flotilla.api.v1.BrokerGrpc;
import io.flotilla.api.v1.ErrorDetail;
import io.flotilla.api.v1.FetchRequest;
import io.flotilla.api.v1.FetchResponse;
import io.flotilla.api.v1.FetchedRecord;
import io.grpc.Status;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads committed records of a changing set of partitions, each from its leader with
 * long-polling Fetch calls, one call in flight per partition; the answers wait in one queue for
 * {@link #poll}. {@link Consumer} reads a fixed set with it, {@link GroupConsumer} the group's
 * assignment as it changes.
 *
 * <p>A partition fetches again only once its previous answer was taken by {@link #poll}, so a
 * slow reader holds at most one answer per partition in memory. An offset that retention deleted
 * meanwhile is reset to the partition's log start (one past its end: to its high watermark), with
 * a warning. Thread-safe.
 */
final class Fetcher implements AutoCloseable {

    /** What {@link #poll} took: records of one partition in offset order, or why it can no longer be read. */
    record Taken(TopicPartition partition, List<FetchedRecord> records, ClientException failure) {}

    private record Delivery(PartitionFetch from, FetchResponse response, ClientException failure) {}

    /** Queued by {@link #wake}. */
    private static final Delivery WAKE = new Delivery(null, null, null);

    private final FlotillaClient client;
    private final ConsumerConfig config;
    private final Consumer.Warnings warnings;
    private final LinkedBlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
    private final Map<TopicPartition, PartitionFetch> fetching = new ConcurrentHashMap<>();
    private volatile boolean closed;

    Fetcher(FlotillaClient client, ConsumerConfig config, Consumer.Warnings warnings) {
        this.client = client;
        this.config = config;
        this.warnings = warnings;
    }

    /** Starts reading {@code partition} at {@code offset}, in place of any earlier reading of it. */
    void start(TopicPartition partition, long offset) {
        PartitionFetch started = new PartitionFetch(partition, offset);
        PartitionFetch replaced = fetching.put(partition, started);
        if (replaced != null) {
            replaced.stop();
        }
        started.fetch();
    }

    /**
     * Stops reading {@code partition}: once this returns, no poll takes a record of it, and the
     * answers of it still queued are dropped.
     */
    void stop(TopicPartition partition) {
        PartitionFetch stopped = fetching.remove(partition);
        if (stopped != null) {
            stopped.stop();
        }
    }

    /** Reads on a partition whose failure {@link #poll} returned, from where it failed. */
    void resume(TopicPartition partition) {
        PartitionFetch f = fetching.get(partition);
        if (f != null) {
            f.fetch();
        }
    }

    /** Makes the poll waiting now, or else the next one, return at once. */
    void wake() {
        deliveries.add(WAKE);
    }

    /**
     * Waits at most {@code timeoutMs} for the next answer of a partition still read.
     *
     * @return null when none came by then, or on {@link #wake}
     */
    Taken poll(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            Delivery d = deliveries.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (d == null || d == WAKE) {
                return null;
            }
            Taken taken = d.from.take(d);
            if (taken != null) {
                return taken;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        fetching.keySet().forEach(this::stop);
        wake();
    }

    /** One partition's position and its call in flight. */
    private final class PartitionFetch {
        private final TopicPartition partition;
        // Guarded by this: callbacks of the call in flight, poll and stop meet here.
        private long offset;
        private boolean stopped;
        private CompletableFuture<FetchResponse> inFlight;

        PartitionFetch(TopicPartition partition, long offset) {
            this.partition = partition;
            this.offset = offset;
        }

        synchronized void fetch() {
            if (stopped || closed) {
                return;
            }
            FetchRequest request = FetchRequest.newBuilder()
                    .setTopic(partition.topic())
                    .setPartition(partition.partition())
                    .setOffset(offset)
                    .setMaxWaitMs(config.fetchMaxWaitMs())
                    .setMaxBytes(config.fetchMaxBytes())
                    .build();
            long deadlineMs = config.fetchMaxWaitMs() + client.config().requestTimeoutMs();
            CompletableFuture<FetchResponse> call = client.callLeader(partition.topic(), partition.partition(),
                    ch -> BrokerGrpc.newFutureStub(ch).withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS)
                            .fetch(request));
            inFlight = call;
            call.whenComplete(this::answered);
        }

        private synchronized void answered(FetchResponse response, Throwable failure) {
            if (stopped || closed) {
                return;
            }
            if (failure != null) {
                ClientException e = ClientException.from(failure, null);
                ErrorDetail detail = e.details().isEmpty() ? null : e.details().get(0);
                if (e.code() == Status.Code.OUT_OF_RANGE && detail != null && detail.hasValidOffsets()) {
                    long start = detail.getValidOffsets().getLogStartOffset();
                    long end = detail.getValidOffsets().getHighWatermark();
                    long resumeAt = offset < start ? start : end;
                    warnings.warn("partition " + partition + ": offset " + offset + " is outside the records held ["
                            + start + ", " + end + "); going on from " + resumeAt);
                    offset = resumeAt;
                    fetch();
                } else {
                    deliveries.add(new Delivery(this, null, e));
                }
            } else if (response.getRecordsCount() == 0) {
                offset = response.getNextOffset();
                fetch();
            } else {
                deliveries.add(new Delivery(this, response, null));
            }
        }

        /** What poll takes of an answer of this partition (and the next fetch starts); null once stopped. */
        synchronized Taken take(Delivery d) {
            if (stopped) {
                return null;
            }
            if (d.failure != null) {
                return new Taken(partition, List.of(), d.failure);
            }
            offset = d.response.getNextOffset();
            fetch();
            return new Taken(partition, d.response.getRecordsList(), null);
        }

        synchronized void stop() {
            stopped = true;
            if (inFlight != null) {
                inFlight.cancel(true);
            }
        }
    }
}
