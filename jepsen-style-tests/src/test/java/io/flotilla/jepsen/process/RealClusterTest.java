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
 * The real-cluster run CI makes (about two minutes: 3 nodes, 90 s of faults cycling kill, pause
 * and every partition kind), or a long campaign with {@code -Dflotilla.jepsen.*} settings
 * ({@link RunConfig#withSystemProperties}; jepsen-style-tests/README.md has the command).
 * It prints the run's one-line summary and fails on any anomaly, on replicas that did not
 * converge after healing, on a node that exited by itself, and on a run too thin to mean
 * anything (a fault kind never injected, too few acknowledged sends, reads or final reads).
 */
class RealClusterTest {

    @Test
    void underKillsPausesAndPartitionsNoAcknowledgedWriteIsLostAndEveryReplicaAgrees() {
        RunConfig config = RunConfig.CI.withSystemProperties();
        // Bounded by construction (every wait has a deadline); this bound only catches a harness bug.
        Duration bound = Duration.ofSeconds(config.faultSeconds() + config.recoverySeconds() + 600L);
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
        assertTrue(outcome.result().valid(), "anomalies: " + seeReport);
    }
}
