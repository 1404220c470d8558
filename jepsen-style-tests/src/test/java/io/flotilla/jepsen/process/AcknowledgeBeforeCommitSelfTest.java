package io.flotilla.jepsen.process;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.api.v1.Acks;
import io.flotilla.jepsen.checker.AnomalyKind;
import io.flotilla.jepsen.sim.Range;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The harness catches a broker that acknowledges before commit. Such a broker needs no
 * tampering: Produce's {@code ACKS_LEADER} is exactly that, the leader acknowledging once the
 * batch is in its own log, before any follower or fsync holds it (broker.proto calls it
 * explicitly weaker). The producers use it while the nemesis cuts a partition leader off from
 * the other nodes, which elect a new leader; the old one acknowledges what can never commit
 * until it notices (check-quorum), and after healing its log is overwritten with the new
 * leader's. The checker must name those acknowledged writes lost.
 */
class AcknowledgeBeforeCommitSelfTest {

    @Test
    void leaderAcknowledgementsWhileTheLeaderIsCutOffAreReportedAsLostWrites() {
        RunConfig config = RunConfig.CI.withAcks(Acks.ACKS_LEADER)
                .withNemeses(List.of(NemesisKind.ISOLATE), 16, new Range(2000, 3000), new Range(4000, 5000));
        ClusterRun.Outcome outcome = assertTimeoutPreemptively(Duration.ofSeconds(600), () -> ClusterRun.run(config));

        assertTrue(outcome.result().count(AnomalyKind.LOST_WRITE) > 0, "no lost write reported with acks before"
                + " commit: " + outcome.summary() + "; see " + outcome.dir().resolve("report.txt"));
    }
}
