package io.flotilla.jepsen.sim;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * One seed, one trace: two runs of a seed give byte-identical traces (same hash), another seed
 * a different one. Within one JVM this cannot see nondeterminism that is fixed per JVM (say,
 * iterating a HashMap keyed by enums); to compare across JVMs, pass the hash a previous run
 * printed: {@code -Dflotilla.sim.expectTraceHash=<hash>} (with the same {@code -Dflotilla.sim.seed}).
 */
class DeterminismTest {
    @Test
    void theSameSeedGivesTheSameTraceAndAnotherSeedAnotherTrace() {
        assertDeterministic(RaftNodeReplica.FACTORY);
    }

    static void assertDeterministic(Replica.Factory factory) {
        long seed = SimProperties.seed() == null ? 7 : SimProperties.seed();
        RunSpec spec = ScheduleGenerator.standard().generate(seed);
        RunOutcome first = new Simulation(spec, factory, true).run();
        RunOutcome second = new Simulation(spec, factory, true).run();
        System.out.println("trace hash of seed " + seed + ": " + first.traceHash() + " (" + first.trace().size()
                + " lines)");
        assertNull(first.failure(), () -> "seed " + seed + " failed: " + first.failure());
        assertEquals(first.traceHash(), second.traceHash(), () -> firstDifference(first.trace(), second.trace()));
        assertEquals(first.trace(), second.trace());
        String expected = System.getProperty("flotilla.sim.expectTraceHash");
        if (expected != null) {
            assertEquals(expected, first.traceHash(), "trace hash differs from the one given (another JVM's run)");
        }
        RunOutcome other = new Simulation(ScheduleGenerator.standard().generate(seed + 1), factory, false).run();
        assertNotEquals(first.traceHash(), other.traceHash());
    }

    static String firstDifference(List<String> a, List<String> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            if (!a.get(i).equals(b.get(i))) {
                return "traces differ at line " + (i + 1) + ":\n  " + a.get(i) + "\n  " + b.get(i);
            }
        }
        return "one trace is a prefix of the other (" + a.size() + " and " + b.size() + " lines)";
    }
}
