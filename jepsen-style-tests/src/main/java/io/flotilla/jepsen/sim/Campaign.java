package io.flotilla.jepsen.sim;

import java.util.List;
import java.util.function.LongFunction;

/**
 * Runs many generated schedules, one after another, stopping at the first failure, which it
 * shrinks and reports with the seed, the minimal schedule, the violated invariant and the
 * command that replays it.
 */
public final class Campaign {
    static final int REPORT_TRACE_LINES = 80;
    public static final String REPLAY_PREFIX =
            "./mvnw -B -o -pl jepsen-style-tests test -Dtest=SimulationTest ";

    /** How many runs had 3 and 5 initial voters, spare nodes (beyond the voters), leader traps. */
    public record Mix(int threeVoters, int fiveVoters, int withSpares, int withLeaderTraps) {
        static final Mix NONE = new Mix(0, 0, 0, 0);

        Mix plus(RunSpec spec) {
            boolean traps = spec.schedule().faults().stream().anyMatch(f -> f.fault() instanceof Fault.LeaderTrap);
            return new Mix(threeVoters + (spec.voters() == 3 ? 1 : 0), fiveVoters + (spec.voters() == 5 ? 1 : 0),
                    withSpares + (spec.nodes() > spec.voters() ? 1 : 0), withLeaderTraps + (traps ? 1 : 0));
        }

        @Override
        public String toString() {
            return threeVoters + " of 3 voters, " + fiveVoters + " of 5; " + withSpares + " with spare nodes, "
                    + withLeaderTraps + " with leader traps";
        }
    }

    /** What a campaign came to; {@code failed} is null when every run passed. */
    public record Report(int runs, int planned, Mix mix, SimStats totals, RunOutcome failed, Shrinker.Result minimal,
                         long wallMs) {
        public boolean passed() {
            return failed == null;
        }

        /** One line: schedules, events, faults by kind, elections, commits, max commit end. */
        public String summary() {
            String budget = passed() && runs < planned ? " (wall-clock budget reached: " + runs + " of " + planned
                    + " planned)" : "";
            return "simulation: " + runs + " schedules" + budget + " (" + mix + ") in " + wallMs / 1000.0 + " s: "
                    + totals + (passed() ? "; all invariants held"
                    : "; FAILED " + failed.failure().invariant());
        }

        public String failureReport() {
            if (passed()) {
                return "no failure";
            }
            RunSpec original = failed.spec();
            RunSpec small = minimal.spec();
            Failure f = minimal.failure();
            StringBuilder sb = new StringBuilder();
            sb.append("SIMULATION FAILED: ").append(f.invariant()).append('\n')
                    .append("seed ").append(original.seed()).append(" (").append(original.nodes())
                    .append(" nodes, ").append(original.voters()).append(" voters), schedule ").append(runs)
                    .append(" of this campaign; it failed at ")
                    .append(failed.failure().atMs()).append(" ms: ").append(failed.failure().message()).append('\n')
                    .append("original fault phase ").append(original.durationMs()).append(" ms, ")
                    .append(original.schedule().size()).append(" faults; shrunk in ").append(minimal.runs())
                    .append(" runs to ").append(small.durationMs()).append(" ms, ").append(small.schedule().size())
                    .append(" faults:\n").append(small.schedule().describe())
                    .append("minimal run fails at ").append(f.atMs()).append(" ms (event ").append(f.eventNo())
                    .append("): ").append(f.message()).append('\n')
                    .append("replay the minimal run:\n  ").append(replayCommand(small)).append('\n')
                    .append("replay the original seed:\n  ").append(REPLAY_PREFIX).append("-Dflotilla.sim.seed=")
                    .append(original.seed())
                    .append(original.driverFault() == DriverFault.NONE ? "" : " -Dflotilla.sim.driverFault="
                            + original.driverFault()).append('\n')
                    .append("last trace lines of the minimal run:\n");
            List<String> tail = f.traceTail();
            for (String line : tail.subList(Math.max(0, tail.size() - REPORT_TRACE_LINES), tail.size())) {
                sb.append("  ").append(line).append('\n');
            }
            return sb.toString();
        }
    }

    private Campaign() {
    }

    public static String replayCommand(RunSpec spec) {
        return REPLAY_PREFIX + "-Dflotilla.sim.replay='" + spec.encode() + "'";
    }

    /**
     * Runs the specs for seeds {@code firstSeed .. firstSeed + count - 1}; on the first failure
     * shrinks it (at most {@code maxShrinkRuns} re-runs) and stops. Starts no new run once
     * {@code maxWallMs} of wall-clock time have passed (the summary says so).
     */
    public static Report run(long firstSeed, int count, LongFunction<RunSpec> specs, Replica.Factory factory,
                             int maxShrinkRuns, long maxWallMs) {
        long started = System.nanoTime();
        SimStats totals = new SimStats();
        Mix mix = Mix.NONE;
        int done = 0;
        while (done < count && (System.nanoTime() - started) / 1_000_000 < maxWallMs) {
            RunSpec spec = specs.apply(firstSeed + done);
            done++;
            mix = mix.plus(spec);
            RunOutcome outcome = Simulation.run(spec, factory);
            totals.add(outcome.stats());
            if (outcome.failed()) {
                Shrinker.Result minimal = new Shrinker(s -> Simulation.run(s, factory), maxShrinkRuns)
                        .shrink(spec, outcome.failure());
                return new Report(done, count, mix, totals, outcome, minimal, millisSince(started));
            }
        }
        return new Report(done, count, mix, totals, null, null, millisSince(started));
    }

    public static Report run(long firstSeed, int count, LongFunction<RunSpec> specs, Replica.Factory factory,
                             int maxShrinkRuns) {
        return run(firstSeed, count, specs, factory, maxShrinkRuns, Long.MAX_VALUE);
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
