package io.flotilla.jepsen.sim;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shrinker against fake runs whose failure depends only on which faults are present. */
class ShrinkerTest {
    private static final RunSpec BIG = RunSpec.parse("seed=5 nodes=5 ms=4000 disk=1-2 net=1-20 propose=5-40 "
            + "prevote=true checkquorum=true faults=100@drop:0.1,250@split:0.1,400@crash:1:200,700@heal,"
            + "900@crash:2:800,1000@dup:0.05,1300@isolate:4,1500@crash:3:100,2000@heal,2500@delay:1-100,"
            + "3000@oneway:0.1,3500@crash:0:50");

    /** Fails "fake-safety" at the moment n2 crashes, if it does. */
    private static RunOutcome crashOfNode2(RunSpec spec) {
        for (TimedFault f : spec.schedule().faults()) {
            if (f.fault() instanceof Fault.Crash c && c.node() == 2) {
                return failed(spec, "fake-safety", f.atMs());
            }
        }
        return passed(spec);
    }

    @Test
    void shrinksToTheOneFaultThatMattersAndCutsTheRunRightAfterIt() {
        Shrinker.Result r = new Shrinker(ShrinkerTest::crashOfNode2, 200).shrink(BIG, crashOfNode2(BIG).failure());
        assertEquals("900@crash:2:6", r.spec().schedule().encode());
        assertEquals(901, r.spec().durationMs());
        assertEquals(5, r.spec().seed());
        assertEquals("fake-safety", r.failure().invariant());
        assertTrue(r.runs() < 60, r.runs() + " runs");
    }

    @Test
    void keepsEveryFaultTheFailureNeeds() {
        Function<RunSpec, RunOutcome> splitThenIsolate = spec -> {
            boolean split = false;
            for (TimedFault f : spec.schedule().faults()) {
                split |= f.fault() instanceof Fault.Split;
                if (split && f.fault() instanceof Fault.Isolate) {
                    return failed(spec, "liveness", spec.durationMs() + Simulation.LIVENESS_MS);
                }
            }
            return passed(spec);
        };
        Shrinker.Result r = new Shrinker(splitThenIsolate, 200).shrink(BIG, splitThenIsolate.apply(BIG).failure());
        assertEquals("250@split:0.1,1300@isolate:4", r.spec().schedule().encode());
        assertEquals(1301, r.spec().durationMs(), "the fault phase ends just after the last fault it needs");
    }

    @Test
    void doesNotTradeTheFailureForAnotherInvariant() {
        // Without the crash of n2 the run still fails, but differently: that is not a reduction.
        Function<RunSpec, RunOutcome> run = spec -> {
            RunOutcome byCrash = crashOfNode2(spec);
            return byCrash.failed() ? byCrash : failed(spec, "other", 0);
        };
        Shrinker.Result r = new Shrinker(run, 200).shrink(BIG, run.apply(BIG).failure());
        assertEquals("fake-safety", r.failure().invariant());
        assertTrue(r.spec().schedule().encode().contains("crash:2:"), r.spec().schedule().encode());
    }

    @Test
    void stopsAtItsRunBudget() {
        int[] runs = {0};
        Shrinker.Result r = new Shrinker(spec -> {
            runs[0]++;
            return crashOfNode2(spec);
        }, 3).shrink(BIG, crashOfNode2(BIG).failure());
        assertEquals(3, runs[0]);
        assertEquals(3, r.runs());
    }

    private static RunOutcome failed(RunSpec spec, String invariant, long atMs) {
        return new RunOutcome(spec, new SimStats(), new Failure(invariant, invariant + " broken", atMs, 1, List.of()),
                "", List.of());
    }

    private static RunOutcome passed(RunSpec spec) {
        return new RunOutcome(spec, new SimStats(), null, "", List.of());
    }
}
