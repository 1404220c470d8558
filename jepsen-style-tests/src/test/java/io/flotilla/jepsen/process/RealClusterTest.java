package io.flotilla.jepsen.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.jepsen.checker.HistoryStats;
import io.flotilla.jepsen.history.Action;
import io.flotilla.jepsen.history.OpType;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The real-cluster run CI makes (about two and a half minutes: 3 nodes, 90 s of faults cycling
 * kill, pause, every partition kind, storage damage and wiped nodes), or a long campaign with
 * {@code -Dflotilla.jepsen.*} settings ({@link RunConfig#withSystemProperties};
 * jepsen-style-tests/README.md has the command). It prints the run's summary lines and fails on
 * any anomaly, on replicas that did not converge after healing, on a node that exited by itself,
 * on a fault the cluster did not get over in time (damage never found, a node never back in
 * place), on group consumers that did not deliver the log, and on a run too thin to mean
 * anything (a fault kind never injected, too few acknowledged sends, reads, records processed
 * by the group or final reads).
 */
class RealClusterTest {

    @Test
    void underEveryFaultNoAcknowledgedWriteIsLostEveryReplicaAgreesAndTheGroupDeliversTheLog() {
        RunConfig config = RunConfig.CI.withSystemProperties();
        // Bounded by construction (every wait has a deadline); this bound only catches a harness bug. The
        // fault phase is planned as quiet and held time; nodes restarting and recovering add to it.
        Duration bound = Duration.ofSeconds(2L * config.faultSeconds() + config.recoverySeconds() + 600L);
        ClusterRun.Outcome outcome = assertTimeoutPreemptively(bound, () -> ClusterRun.run(config));

        String seeReport = outcome.summary() + "; see " + outcome.dir().resolve("report.txt");
        HistoryStats stats = outcome.result().stats();
        for (NemesisKind kind : config.nemeses()) {
            assertTrue(stats.faults().containsKey(kind.label()), kind.label() + " was never injected: " + seeReport);
        }
        assertTrue(stats.count(Action.Kind.SEND, OpType.OK) >= 100, "too few acknowledged sends: " + seeReport);
        assertTrue(stats.count(Action.Kind.POLL, OpType.OK) >= 100, "too few polls: " + seeReport);
        assertEquals(config.partitions() * config.replicationFactor(), outcome.replicasRead(),
                "every replica of every partition was read whole: " + seeReport);
        assertNull(outcome.convergence(), "the replicas converge after healing: " + seeReport);
        assertEquals(List.of(), outcome.unexpectedExits(), "no node exits by itself: " + seeReport);
        assertEquals(List.of(), outcome.faultsNotOvercome(), "the cluster gets over every fault: " + seeReport);
        if (config.groupMembers() > 0) {
            assertTrue(outcome.group().records() >= 100, "too few records processed by the group: " + seeReport);
        }
        assertEquals(List.of(), outcome.group().violations(), "the group consumers: " + outcome.group().summary()
                + "; see " + outcome.dir().resolve(ClusterRun.GROUP_REPORT));
        assertTrue(outcome.result().valid(), "anomalies: " + seeReport);
    }
}
