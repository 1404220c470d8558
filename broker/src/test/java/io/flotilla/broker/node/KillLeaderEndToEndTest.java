package io.flotilla.broker.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Idempotent produce through the loss of a partition leader: no acknowledged record is lost,
 * none is written twice, and every one is where its acknowledgement said.
 *
 * <p>The "kill" here is {@link TestCluster#stop}, which closes the node in this JVM: its
 * sockets, Raft groups and files go at once, but whatever it wrote stays in the page cache. The
 * variant that kills a node process with SIGKILL (and loses its unsynced writes with a
 * dropped page cache) needs nodes in separate processes and is a separate test.
 */
class KillLeaderEndToEndTest {
    private static final String TOPIC = "failover";
    private static final int PARTITIONS = 3;
    private static final int RECORDS = 10_000;
    private static final int BATCH = 50;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void everyAcknowledgedRecordIsReadOnceAtItsOffsetAfterTheLeaderOfPartition0IsKilledAndRestarted()
            throws Exception {
        try (TestCluster cluster = new TestCluster(TestCluster.tempRoot(), 3).startAll()) {
            cluster.createTopic(TOPIC, PARTITIONS, 3);
            try (LeaderRouter router = new LeaderRouter(TOPIC, PARTITIONS, cluster.addresses);
                 IdempotentProducer producer = IdempotentProducer.start(router)) {
                producer.send(RECORDS, BATCH);
                producer.awaitAcknowledged(RECORDS / 3, 20);

                int victim = router.leader(0);
                assertNotEquals(0, victim, "partition 0 has a leader to kill");
                long killedAt = System.nanoTime();
                cluster.stop(victim);

                producer.awaitAcknowledged(2 * RECORDS / 3, 20);
                cluster.start(victim);
                producer.awaitAcknowledged(RECORDS, 20);
                cluster.awaitReady();

                long failoverNanos = producer.acknowledged(a -> a.partition() == 0 && a.node() != victim
                        && a.atNanos() > killedAt).stream().mapToLong(a -> a.atNanos() - killedAt).min()
                        .orElseThrow(() -> new AssertionError("no batch of partition 0 was acknowledged by another"
                                + " node after node " + victim + " was killed"));
                assertEquals(RECORDS, producer.acknowledgedRecords(), "records acknowledged, each batch once");
                int read = ExactlyOnceCheck.verify(router, producer, 20);
                assertEquals(RECORDS, read, "records in the partitions");
                System.out.printf("kill leader: %d records acknowledged, %d read back, %d retries (%d answered as"
                                + " duplicates), node %d killed, partition 0 failed over in %d ms%n",
                        producer.acknowledgedRecords(), read, producer.retries(),
                        producer.acknowledged(IdempotentProducer.Acknowledged::duplicate).size(), victim,
                        TimeUnit.NANOSECONDS.toMillis(failoverNanos));
            }
        }
    }
}
