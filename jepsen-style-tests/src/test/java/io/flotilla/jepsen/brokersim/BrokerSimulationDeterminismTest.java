package io.flotilla.jepsen.brokersim;

import io.flotilla.jepsen.report.Summary;
import io.flotilla.jepsen.sim.RunSpec;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One seed is one run: the same events in the same order, and the same history, every time. */
class BrokerSimulationDeterminismTest {
    @Test
    void aSeedReplaysTheSameRun() {
        for (long seed : new long[]{3, 9}) {
            RunSpec spec = BrokerSimProperties.generator().generate(seed);
            BrokerSimulation.Result first = BrokerSimulation.run(spec, BrokerSimProperties.tmp());
            BrokerSimulation.Result second = BrokerSimulation.run(spec, BrokerSimProperties.tmp());

            assertTrue(first.outcome().stats().events > 1000, "seed " + seed + " ran too little to mean anything");
            assertEquals(first.outcome().stats().events, second.outcome().stats().events, "seed " + seed);
            assertEquals(first.outcome().trace(), second.outcome().trace(), "seed " + seed);
            assertEquals(Summary.line(first.check()), Summary.line(second.check()), "seed " + seed);
        }
    }
}
