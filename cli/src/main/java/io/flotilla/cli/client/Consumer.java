package io.flotilla.cli.client;

import io.flotilla.api.v1.BrokerGrpc;
import io.flotilla.api.v1.ErrorDetail;
import io.flotilla.api.v1.FetchRequest;
import io.flotilla.api.v1.FetchResponse;
import io.flotilla.api.v1.FetchedRecord;
import io.flotilla.api.v1.ListOffsetsRequest;
import io.flotilla.api.v1.ListOffsetsResponse;
import io.flotilla.api.v1.OffsetSpec;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads committed records of a topic's partitions, each from its leader with long-polling
 * Fetch calls, one call in flight per partition.
 *
 * <p>A partition fetches again only once its previous answer was taken by {@link #poll}, so a
 * slow reader holds at most one answer per partition in memory. An offset that retention
 * deleted meanwhile is reset to the partition's log start, with a warning.
 */
public final class Consumer implements AutoCloseable {

    /** Where each partition starts. */
    public sealed interface StartAt {
        StartAt EARLIEST = new Earliest();
        StartAt LATEST = new Latest();

        /** The oldest record held. */
        record Earliest() implements StartAt {}

        /** The high watermark: only records written from now on. */
        record Latest() implements StartAt {}

        /** This offset in every partition read (out of range: the consumer warns and moves to the nearest end). */
        record AtOffset(long offset) implements StartAt {}

        /** The first record whose timestamp is at or after this (ms since the epoch), per partition. */
        record AtTime(long timestampMs) implements StartAt {}
    }

    /** Records of one partition, in offset order; an empty list when a poll timed out. */
    public record Records(int partition, List<FetchedRecord> records) {
        static final Records NONE = new Records(-1, List.of());
    }

    /** Told of events worth a line on the console that do not stop the consumer. */
    @FunctionalInterface
    public interface Warnings {
        void warn(String message);
    }

    private record Delivery(PartitionFetcher from, FetchResponse response, ClientException failure) {}

    private final FlotillaClient client;
    private final String topic;
    private final ConsumerConfig config;
    private final Warnings warnings;
    private final LinkedBlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
    private final List<PartitionFetcher> fetchers = new ArrayList<>();
    private volatile boolean closed;

    private Consumer(FlotillaClient client, String topic, ConsumerConfig config, Warnings warnings) {
        this.client = client;
        this.topic = topic;
        this.config = config;
        this.warnings = warnings;
    }

    /**
     * Looks up the starting offsets and starts fetching.
     *
     * @param partitions the partitions to read; empty for all of the topic's
     * @throws ClientException when the topic or a partition does not exist, or a lookup fails
     */
    public static Consumer start(FlotillaClient client, String topic, List<Integer> partitions, StartAt from,
            ConsumerConfig config, Warnings warnings) {
        client.refreshMetadata(List.of(topic));
        int count = client.partitionCount(topic);
        List<Integer> chosen = new ArrayList<>(partitions);
        if (chosen.isEmpty()) {
            for (int p = 0; p < count; p++) {
                chosen.add(p);
            }
        }
        for (int p : chosen) {
            if (p < 0 || p >= count) {
                throw ClientException.local(Status.Code.NOT_FOUND, "topic '" + topic + "' has " + count
                        + " partitions (0.." + (count - 1) + "); there is no partition " + p);
            }
        }
        Consumer consumer = new Consumer(client, topic, config, warnings);
        if (from instanceof StartAt.AtOffset at) {
            for (int p : chosen) {
                consumer.fetchers.add(consumer.new PartitionFetcher(p, at.offset()));
            }
        } else {
            OffsetSpec.Builder spec = OffsetSpec.newBuilder(); // a oneof: set exactly one
            if (from instanceof StartAt.AtTime t) {
                spec.setTimestampMs(t.timestampMs());
            } else if (from instanceof StartAt.Latest) {
                spec.setLatest(true);
            } else {
                spec.setEarliest(true);
            }
            List<CompletableFuture<ListOffsetsResponse>> lookups = new ArrayList<>();
            for (int p : chosen) {
                ListOffsetsRequest request = ListOffsetsRequest.newBuilder().setTopic(topic).setPartition(p)
                        .setSpec(spec).build();
                lookups.add(client.callLeader(topic, p, ch -> BrokerGrpc.newFutureStub(ch).listOffsets(request)));
            }
            for (int i = 0; i < chosen.size(); i++) {
                consumer.fetchers.add(consumer.new PartitionFetcher(chosen.get(i), FlotillaClient.await(lookups.get(i)).getOffset()));
            }
        }
        consumer.fetchers.forEach(PartitionFetcher::fetch);
        return consumer;
    }

    /**
     * Waits for the next records of any partition, in offset order within a partition.
     *
     * @throws ClientException when a partition can no longer be read
     */
    public Records poll() throws InterruptedException {
        return taken(deliveries.take());
    }

    /**
     * As {@link #poll()}, waiting at most {@code timeoutMs}; empty when nothing arrived by then.
     *
     * @throws ClientException when a partition can no longer be read
     */
    public Records poll(long timeoutMs) throws InterruptedException {
        Delivery d = deliveries.poll(timeoutMs, TimeUnit.MILLISECONDS);
        return d == null ? Records.NONE : taken(d);
    }

    private Records taken(Delivery d) {
        if (d.failure != null) {
            throw d.failure;
        }
        d.from.advance(d.response.getNextOffset());
        return new Records(d.from.partition, d.response.getRecordsList());
    }

    @Override
    public void close() {
        closed = true;
        fetchers.forEach(PartitionFetcher::cancel);
    }

    /** One partition's position and its call in flight. */
    private final class PartitionFetcher {
        private final int partition;
        private long offset;
        private volatile CompletableFuture<FetchResponse> inFlight;

        PartitionFetcher(int partition, long offset) {
            this.partition = partition;
            this.offset = offset;
        }

        void fetch() {
            if (closed) {
                return;
            }
            FetchRequest request = FetchRequest.newBuilder()
                    .setTopic(topic)
                    .setPartition(partition)
                    .setOffset(offset)
                    .setMaxWaitMs(config.fetchMaxWaitMs())
                    .setMaxBytes(config.fetchMaxBytes())
                    .build();
            long deadlineMs = config.fetchMaxWaitMs() + client.config().requestTimeoutMs();
            CompletableFuture<FetchResponse> call = client.callLeader(topic, partition, ch -> BrokerGrpc
                    .newFutureStub(ch).withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS).fetch(request));
            inFlight = call;
            call.whenComplete(this::answered);
        }

        private void answered(FetchResponse response, Throwable failure) {
            if (closed) {
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

        void advance(long nextOffset) {
            offset = nextOffset;
            fetch();
        }

        void cancel() {
            CompletableFuture<FetchResponse> call = inFlight;
            if (call != null) {
                call.cancel(true);
            }
        }
    }
}
