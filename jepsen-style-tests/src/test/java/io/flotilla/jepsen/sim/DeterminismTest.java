package io.flotilla.jepsen.sim;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * One seed, one trace: two runs of a seed give byte-identical traces (same hash), another seed
 * a different one. Checked on a seed with operator actions and on one of the figure-8 profile,
 * whose leader traps and operations are resolved against whoever leads at run time. Within one
 * JVM this cannot see nondeterminism that is fixed per JVM (say, iterating a HashMap keyed by
 * enums); to compare across JVMs, pass the hash a previous run printed for one seed:
 * {@code -Dflotilla.sim.seed=<seed> -Dflotilla.sim.expectTraceHash=<hash>}.
 */
class DeterminismTest {
    private static final long FIRST_SEED = 7;

    @Test
    void theSameSeedGivesTheSameTraceAndAnotherSeedAnotherTrace() {
        assertDeterministic(RaftNodeReplica.FACTORY);
    }

    static void assertDeterministic(Replica.Factory factory) {
        ScheduleGenerator generator = ScheduleGenerator.standard();
        if (SimProperties.seed() != null) {
            assertDeterministic(factory, generator, SimProperties.seed(),
                    System.getProperty("flotilla.sim.expectTraceHash"));
            return;
        }
        assertDeterministic(factory, generator, firstSeed(generator, spec -> spec.schedule().faults().stream()
                .anyMatch(f -> f.fault() instanceof Fault.Operation)), null);
        assertDeterministic(factory, generator, firstSeed(generator,
                spec -> spec.durationMs() >= ScheduleGenerator.FIGURE_8_MS.min()), null);
    }

    private static long firstSeed(ScheduleGenerator generator, Predicate<RunSpec> wanted) {
        long seed = FIRST_SEED;
        while (!wanted.test(generator.generate(seed))) {
            seed++;
        }
        return seed;
    }

    private static void assertDeterministic(Replica.Factory factory, ScheduleGenerator generator, long seed,
                                            String expectedHash) {
        RunSpec spec = generator.generate(seed);
        RunOutcome first = new Simulation(spec, factory, true).run();
        RunOutcome second = new Simulation(spec, factory, true).run();
        System.out.println("trace hash of seed " + seed + ": " + first.traceHash() + " (" + first.trace().size()
                + " lines)");
        assertNull(first.failure(), () -> "seed " + seed + " failed: " + first.failure());
        assertEquals(first.traceHash(), second.traceHash(), () -> firstDifference(first.trace(), second.trace()));
        assertEquals(first.trace(), second.trace());
        if (expectedHash != null) {
            assertEquals(expectedHash, first.traceHash(), "trace hash differs from the one given (another JVM's run)");
        }
        RunOutcome other = new Simulation(generator.generate(seed + 1), factory, false).run();
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
