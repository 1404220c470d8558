package io.flotilla.jepsen.brokersim;

import io.flotilla.jepsen.checker.AnomalyKind;
import io.flotilla.jepsen.sim.DriverFault;
import io.flotilla.jepsen.sim.RunSpec;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The broker simulation can fail: with producers asking for {@code ACKS_LEADER} (a leader
 * acknowledges a batch as soon as it is in its own log, before a quorum holds it), crashes and
 * partitions lose acknowledged writes, the checker names them, and the shrunk schedule replays
 * the same failure from its seed.
 */
class AckBeforeCommitSimulationTest {
    @Test
    void acknowledgingBeforeCommitIsReportedAsLostWrites() {
        BrokerCampaign.Report report = BrokerSimProperties.campaign(DriverFault.ACK_BEFORE_COMMIT, 100);
        System.out.println(report.summary());
        assertFalse(report.passed(), "100 schedules of a broker acknowledging before commit lost nothing");
        System.out.println(report.failureReport());
        assertTrue(report.totals().anomalies(AnomalyKind.LOST_WRITE) > 0, report.summary());

        RunSpec minimal = report.minimal().spec();
        assertTrue(minimal.schedule().size() <= report.failed().spec().schedule().size());
        BrokerSimulation.Result replayed = BrokerSimulation.run(RunSpec.parse(minimal.encode()),
                BrokerSimProperties.tmp());
        assertTrue(replayed.outcome().failed(), "the shrunk schedule does not fail when replayed");
        assertEquals(report.minimal().failure().invariant(), replayed.outcome().failure().invariant());
    }
}
