package io.flotilla.jepsen.process;

import io.flotilla.jepsen.sim.Range;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The nemesis's plan, drawn from the run's seed: a quiet period, then a fault held for a while
 * and undone, again and again, the kinds taken in turn so that every kind comes up. The plan is
 * in wall-clock time, because the faults act on real processes and a real network: a fault must
 * last longer than the broker's election timeout (0.5 to 1 s) to force elections, and the quiet
 * periods let the cluster recover in between. The seed fixes the kinds and durations; which
 * node a fault hits is chosen when it starts (the leader of a partition then).
 *
 * @param steps in order; their durations add up to at least the fault phase asked for
 */
record FaultSchedule(List<Step> steps) {

    /** Wait {@code quietMs}, then inject {@code kind} and undo it {@code holdMs} later. */
    record Step(NemesisKind kind, long quietMs, long holdMs) {
    }

    FaultSchedule {
        steps = List.copyOf(steps);
    }

    /** Steps cycling through {@code kinds} until they fill {@code totalMs}, durations drawn from the ranges. */
    static FaultSchedule draw(Random random, List<NemesisKind> kinds, long totalMs, Range quietMs, Range holdMs) {
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("a fault schedule needs at least one nemesis");
        }
        List<Step> steps = new ArrayList<>();
        int first = random.nextInt(kinds.size());
        for (long planned = 0; planned < totalMs; ) {
            Step step = new Step(kinds.get((first + steps.size()) % kinds.size()), quietMs.draw(random),
                    holdMs.draw(random));
            steps.add(step);
            planned += step.quietMs() + step.holdMs();
        }
        return new FaultSchedule(steps);
    }
}
