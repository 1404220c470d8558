package io.flotilla.cli.client;

import io.flotilla.api.v1.Acks;

/**
 * How a {@link Producer} batches and pipelines.
 *
 * @param acks when the leader answers: ACKS_QUORUM (default: committed on a majority) or
 *     ACKS_LEADER (written by the leader alone; see broker.proto, Produce)
 * @param batchBytes the size a partition's batch is sent at, in the stored format's bytes as
 *     records.proto bounds them; lowered to the topic's max_batch_bytes. Default 256 KiB.
 * @param maxInFlightPerPartition Produce calls in flight per partition, 1..5 (the broker
 *     deduplicates the last five batches of a producer). Default 5.
 * @param maxRequestsInFlight Produce calls in flight over all nodes. Default 32.
 * @param bufferBytes batches waiting or in flight, at most; {@link Producer#send} blocks beyond
 *     it. Default 32 MiB; at least batchBytes and the topic's max_batch_bytes.
 * @param maxRequestBytes one Produce call's batches, at most; half the node's default 16 MiB
 *     request limit. Default 8 MiB.
 * @param lingerMs how long a partition's first record waits for others to join its batch when
 *     the partition has nothing else waiting to go, 0..60,000 (Kafka's {@code linger.ms}). 0
 *     sends it at once, so a batch grows only while the partition's calls in flight are at their
 *     limit; more trades that much latency at low load for fewer, larger Produce calls (each a
 *     Raft entry and an fsync share) under load. Default 5, Kafka's since 4.0: measured in
 *     docs/BENCHMARKS.md.
 */
public record ProducerConfig(Acks acks, int batchBytes, int maxInFlightPerPartition, int maxRequestsInFlight,
        int bufferBytes, int maxRequestBytes, int lingerMs) {

    public static final ProducerConfig DEFAULTS =
            new ProducerConfig(Acks.ACKS_QUORUM, 256 * 1024, 5, 32, 32 * 1024 * 1024, 8 * 1024 * 1024, 5);

    /** The longest {@link #lingerMs}: a minute, beyond which records would look lost, not delayed. */
    public static final int MAX_LINGER_MS = 60_000;

    /** The largest max_batch_bytes a topic can have (admin.proto, TopicConfig). */
    static final int MAX_TOPIC_BATCH_BYTES = 8 * 1024 * 1024;

    public ProducerConfig {
        if (acks != Acks.ACKS_QUORUM && acks != Acks.ACKS_LEADER) {
            throw new IllegalArgumentException("acks must be ACKS_QUORUM or ACKS_LEADER, not " + acks);
        }
        if (batchBytes < 1024 || maxInFlightPerPartition < 1 || maxInFlightPerPartition > 5
                || maxRequestsInFlight < 1 || bufferBytes < Math.max(batchBytes, MAX_TOPIC_BATCH_BYTES)
                || maxRequestBytes < batchBytes || lingerMs < 0 || lingerMs > MAX_LINGER_MS) {
            throw new IllegalArgumentException("bad producer settings: " + this);
        }
    }

    public ProducerConfig withAcks(Acks value) {
        return new ProducerConfig(value, batchBytes, maxInFlightPerPartition, maxRequestsInFlight, bufferBytes,
                maxRequestBytes, lingerMs);
    }

    public ProducerConfig withBatchBytes(int value) {
        return new ProducerConfig(acks, value, maxInFlightPerPartition, maxRequestsInFlight, bufferBytes,
                maxRequestBytes, lingerMs);
    }

    public ProducerConfig withLingerMs(int value) {
        return new ProducerConfig(acks, batchBytes, maxInFlightPerPartition, maxRequestsInFlight, bufferBytes,
                maxRequestBytes, value);
    }
}
