package io.flotilla.jepsen.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flotilla.broker.node.LeaderKillWorkload;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Idempotent produce through a crash of a partition leader's process ({@link LeaderKillWorkload}
 * against three {@code flotilla server} processes): the leader of partition 0 is killed with
 * SIGKILL mid-stream and started again on its data directory. Every acknowledged record is read
 * back exactly once, at the offset its acknowledgement gave, in production order per partition.
 *
 * <p>Unlike the in-JVM variant (broker's KillLeaderEndToEndTest) the node gets no chance to close
 * anything: no shutdown hook, no flush, its sockets reset by the kernel; it recovers from what its
 * disk holds.
 */
class KillNineEndToEndTest {
    private static final String TOPIC = "kill-nine";
    private static final int PARTITIONS = 3;

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void everyAcknowledgedRecordIsReadOnceAtItsOffsetAfterTheLeaderProcessOfPartition0IsKilledAndRestarted()
            throws Exception {
        try (ProcessCluster cluster = new ProcessCluster(3).start()) {
            cluster.createTopic(TOPIC, PARTITIONS, 3);
            LeaderKillWorkload.Outcome outcome = LeaderKillWorkload.run(TOPIC, PARTITIONS, cluster.addresses(),
                    new LeaderKillWorkload.Nodes() {
                        @Override
                        public void kill(int node) throws InterruptedException {
                            cluster.kill(node);
                            assertEquals(137, cluster.exitCode(node), "node " + node + " died of SIGKILL");
                        }

                        @Override
                        public void restart(int node) throws Exception {
                            cluster.restart(node);
                        }
                    }, 60);
            System.out.println("kill -9: " + outcome.summary());
        }
    }
}
