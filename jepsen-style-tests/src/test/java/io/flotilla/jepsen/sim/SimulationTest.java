package io.flotilla.jepsen.sim;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The deterministic simulation of the real {@code RaftNode}: generated fault schedules (3 and 5
 * nodes, swarm-selected faults), every invariant checked after every event, liveness after the
 * faults end. See {@link SimProperties} for the knobs, e.g. a long campaign:
 * <pre>./mvnw -B -pl jepsen-style-tests test -Dtest=SimulationTest -Dflotilla.sim.schedules=10000 -Dflotilla.sim.maxSeconds=36000</pre>
 */
class SimulationTest {
    @Test
    void generatedSchedulesKeepEveryInvariant() {
        Campaign.Report report = SimProperties.campaign(RaftNodeReplica.FACTORY);
        System.out.println(report.summary());
        if (!report.passed()) {
            System.out.println(report.failureReport());
            fail(report.failureReport());
        }
    }
}
