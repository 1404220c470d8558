package io.flotilla.broker.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Idempotent produce through the loss of a partition leader, whatever "loss" means to the
 * caller (a node closed in this JVM, a process killed with SIGKILL): 10,000 records to every
 * partition of a topic, partition 0's leader lost after a third were acknowledged and brought
 * back after two thirds; then every acknowledged record must be read once, at the offset its
 * acknowledgement gave, in production order ({@link ExactlyOnceCheck}).
 */
public final class LeaderKillWorkload {
    public static final int RECORDS = 10_000;
    private static final int BATCH = 50;

    /** How the caller loses a node and brings it back; each returns once done. */
    public interface Nodes {
        void kill(int node) throws Exception;

        void restart(int node) throws Exception;
    }

    /** What happened, for the test's one-line report. */
    public record Outcome(int acknowledged, int read, long retries, int duplicates, int victim, long failoverMs,
                          long restartMs) {
        public String summary() {
            return String.format("%d records acknowledged, %d read back, %d retries (%d answered as duplicates), "
                            + "node %d lost, partition 0 failed over in %d ms, node %d back after %d ms",
                    acknowledged, read, retries, duplicates, victim, failoverMs, victim, restartMs);
        }
    }

    private LeaderKillWorkload() {
    }

    /** Runs the workload against {@code topic} (created by the caller, replicated on 3 nodes); waits at most {@code seconds} per step. */
    public static Outcome run(String topic, int partitions, Map<Integer, String> addresses, Nodes nodes, int seconds)
            throws Exception {
        try (LeaderRouter router = new LeaderRouter(topic, partitions, addresses);
             IdempotentProducer producer = IdempotentProducer.start(router)) {
            producer.send(RECORDS, BATCH);
            producer.awaitAcknowledged(RECORDS / 3, seconds);

            int victim = router.leader(0);
            assertNotEquals(0, victim, "partition 0 has a leader to kill");
            long killedAt = System.nanoTime();
            nodes.kill(victim);

            // The other partitions may finish meanwhile: wait for partition 0 itself to fail over.
            TestCluster.await(() -> !producer.acknowledged(a -> a.partition() == 0 && a.node() != victim
                    && a.atNanos() > killedAt).isEmpty(), seconds, "a batch of partition 0 acknowledged by another"
                    + " node than " + victim + " after it was killed");
            producer.awaitAcknowledged(2 * RECORDS / 3, seconds);
            long restartAt = System.nanoTime();
            nodes.restart(victim);
            long restartNanos = System.nanoTime() - restartAt;
            producer.awaitAcknowledged(RECORDS, seconds);

            long failoverNanos = producer.acknowledged(a -> a.partition() == 0 && a.node() != victim
                    && a.atNanos() > killedAt).stream().mapToLong(a -> a.atNanos() - killedAt).min()
                    .orElseThrow(() -> new AssertionError("no batch of partition 0 was acknowledged by another"
                            + " node after node " + victim + " was killed"));
            assertEquals(RECORDS, producer.acknowledgedRecords(), "records acknowledged, each batch once");
            int read = ExactlyOnceCheck.verify(router, producer, seconds);
            assertEquals(RECORDS, read, "records in the partitions");
            return new Outcome(producer.acknowledgedRecords(), read, producer.retries(),
                    producer.acknowledged(IdempotentProducer.Acknowledged::duplicate).size(), victim,
                    TimeUnit.NANOSECONDS.toMillis(failoverNanos), TimeUnit.NANOSECONDS.toMillis(restartNanos));
        }
    }
}
