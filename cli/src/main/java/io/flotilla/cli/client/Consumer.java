package io.flotilla.cli.client;

import io.flotilla.api.v1.BrokerGrpc;
import io.flotilla.api.v1.FetchedRecord;
import io.flotilla.api.v1.ListOffsetsRequest;
import io.flotilla.api.v1.ListOffsetsResponse;
import io.flotilla.api.v1.OffsetSpec;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Reads committed records of a topic's partitions, each from its leader with long-polling Fetch
 * calls, one call in flight per partition ({@link Fetcher}).
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
    public record Records(String topic, int partition, List<FetchedRecord> records) {
        static final Records NONE = new Records("", -1, List.of());
    }

    /** Told of events worth a line on the console that do not stop the consumer. */
    @FunctionalInterface
    public interface Warnings {
        void warn(String message);
    }

    private final Fetcher fetcher;

    private Consumer(Fetcher fetcher) {
        this.fetcher = fetcher;
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
        List<CompletableFuture<Long>> lookups = new ArrayList<>();
        for (int p : chosen) {
            lookups.add(startOffset(client, new TopicPartition(topic, p), from));
        }
        Consumer consumer = new Consumer(new Fetcher(client, config, warnings));
        for (int i = 0; i < chosen.size(); i++) {
            consumer.fetcher.start(new TopicPartition(topic, chosen.get(i)), FlotillaClient.await(lookups.get(i)));
        }
        return consumer;
    }

    /** Where {@code from} points in {@code partition}: a ListOffsets call to its leader, unless it names the offset. */
    static CompletableFuture<Long> startOffset(FlotillaClient client, TopicPartition partition, StartAt from) {
        if (from instanceof StartAt.AtOffset at) {
            return CompletableFuture.completedFuture(at.offset());
        }
        OffsetSpec.Builder spec = OffsetSpec.newBuilder(); // a oneof: set exactly one
        if (from instanceof StartAt.AtTime t) {
            spec.setTimestampMs(t.timestampMs());
        } else if (from instanceof StartAt.Latest) {
            spec.setLatest(true);
        } else {
            spec.setEarliest(true);
        }
        ListOffsetsRequest request = ListOffsetsRequest.newBuilder().setTopic(partition.topic())
                .setPartition(partition.partition()).setSpec(spec).build();
        return client.callLeader(partition.topic(), partition.partition(),
                ch -> BrokerGrpc.newFutureStub(ch).listOffsets(request)).thenApply(ListOffsetsResponse::getOffset);
    }

    /**
     * Waits for the next records of any partition, in offset order within a partition.
     *
     * @throws ClientException when a partition can no longer be read
     */
    public Records poll() throws InterruptedException {
        Fetcher.Taken taken;
        do {
            taken = fetcher.poll(Long.MAX_VALUE);
        } while (taken == null);
        return records(taken);
    }

    /**
     * As {@link #poll()}, waiting at most {@code timeoutMs}; empty when nothing arrived by then.
     *
     * @throws ClientException when a partition can no longer be read
     */
    public Records poll(long timeoutMs) throws InterruptedException {
        Fetcher.Taken taken = fetcher.poll(timeoutMs);
        return taken == null ? Records.NONE : records(taken);
    }

    private static Records records(Fetcher.Taken taken) {
        if (taken.failure() != null) {
            throw taken.failure();
        }
        return new Records(taken.partition().topic(), taken.partition().partition(), taken.records());
    }

    @Override
    public void close() {
        fetcher.close();
    }
}
