package io.flotilla.broker.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

/**
 * Idempotent produce through the loss of a partition leader ({@link LeaderKillWorkload}): no
 * acknowledged record is lost, none is written twice, and every one is where its
 * acknowledgement said.
 *
 * <p>The "kill" here is {@link TestCluster#stop}, which closes the node in this JVM: its
 * sockets, Raft groups and files go at once, but whatever it wrote stays in the page cache. The
 * variant with each node its own process, killed with SIGKILL, is jepsen-style-tests'
 * KillNineEndToEndTest. (Neither loses the page cache: losing unsynced writes is the
 * simulation's job, whose disk can drop them.)
 */
class KillLeaderEndToEndTest {
    private static final String TOPIC = "failover";
    private static final int PARTITIONS = 3;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void everyAcknowledgedRecordIsReadOnceAtItsOffsetAfterTheLeaderOfPartition0IsKilledAndRestarted()
            throws Exception {
        try (TestCluster cluster = new TestCluster(TestCluster.tempRoot(), 3).startAll()) {
            cluster.createTopic(TOPIC, PARTITIONS, 3);
            LeaderKillWorkload.Outcome outcome = LeaderKillWorkload.run(TOPIC, PARTITIONS, cluster.addresses,
                    new LeaderKillWorkload.Nodes() {
                        @Override
                        public void kill(int node) {
                            cluster.stop(node);
                        }

                        @Override
                        public void restart(int node) throws Exception {
                            cluster.start(node);
                            cluster.awaitReady();
                        }
                    }, 20);
            System.out.println("kill leader: " + outcome.summary());
        }
    }
}
