package io.flotilla.jepsen.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Reduces a failing run to a smaller one that fails the same invariant, keeping the seed: cut
 * the fault phase short (right after a safety failure or the last fault, or by half), drop faults (chunks,
 * then one at a time), shorten crashes; repeat until nothing more can go. Every candidate is a
 * full re-run, so this is greedy and bounded by {@code maxRuns}.
 */
public final class Shrinker {
    /** The smallest failing run found, its failure, and how many runs the search took. */
    public record Result(RunSpec spec, Failure failure, int runs) {
    }

    private final Function<RunSpec, RunOutcome> runner;
    private final int maxRuns;
    private int runs;

    public Shrinker(Function<RunSpec, RunOutcome> runner, int maxRuns) {
        this.runner = runner;
        this.maxRuns = maxRuns;
    }

    public Result shrink(RunSpec failing, Failure failure) {
        runs = 0;
        RunSpec spec = failing;
        Failure last = failure;
        String invariant = failure.invariant();
        boolean progress = true;
        while (progress && runs < maxRuns) {
            progress = false;
            for (RunSpec candidate : shorter(spec, last)) {
                Failure f = attempt(candidate, invariant);
                if (f != null) {
                    spec = candidate;
                    last = f;
                    progress = true;
                    break;
                }
            }
            for (int chunk = Math.max(1, spec.schedule().size() / 2); chunk >= 1 && runs < maxRuns; chunk /= 2) {
                for (int from = spec.schedule().size() - chunk; from >= 0 && runs < maxRuns; from -= chunk) {
                    RunSpec candidate = spec.withSchedule(remove(spec.schedule(), from, chunk));
                    Failure f = attempt(candidate, invariant);
                    if (f != null) {
                        spec = candidate;
                        last = f;
                        progress = true;
                    }
                }
            }
            for (int i = 0; i < spec.schedule().size() && runs < maxRuns; i++) {
                TimedFault tf = spec.schedule().faults().get(i);
                if (tf.fault() instanceof Fault.Crash c && c.downMs() > 10) {
                    RunSpec candidate = spec.withSchedule(spec.schedule().with(i,
                            new TimedFault(tf.atMs(), new Fault.Crash(c.node(), c.downMs() / 2))));
                    Failure f = attempt(candidate, invariant);
                    if (f != null) {
                        spec = candidate;
                        last = f;
                        progress = true;
                    }
                }
            }
        }
        return new Result(spec, last, runs);
    }

    /** Shorter fault phases to try, shortest first: half, just past the last fault, just past a failure within it. */
    private static List<RunSpec> shorter(RunSpec spec, Failure failure) {
        java.util.TreeSet<Long> durations = new java.util.TreeSet<>();
        if (spec.durationMs() / 2 >= 1) {
            durations.add(spec.durationMs() / 2);
        }
        if (failure.atMs() + 1 < spec.durationMs()) {
            durations.add(failure.atMs() + 1);
        }
        List<TimedFault> faults = spec.schedule().faults();
        long afterLastFault = faults.isEmpty() ? 1 : faults.get(faults.size() - 1).atMs() + 1;
        if (afterLastFault < spec.durationMs()) {
            durations.add(afterLastFault);
        }
        List<RunSpec> out = new ArrayList<>();
        for (long d : durations) {
            out.add(spec.withDuration(d));
        }
        return out;
    }

    private static FaultSchedule remove(FaultSchedule schedule, int from, int count) {
        List<TimedFault> rest = new ArrayList<>(schedule.faults());
        rest.subList(from, from + count).clear();
        return new FaultSchedule(rest);
    }

    /** Runs {@code candidate}; returns its failure if it fails the same invariant, else null. */
    private Failure attempt(RunSpec candidate, String invariant) {
        runs++;
        RunOutcome outcome = runner.apply(candidate);
        return outcome.failed() && outcome.failure().invariant().equals(invariant) ? outcome.failure() : null;
    }
}
