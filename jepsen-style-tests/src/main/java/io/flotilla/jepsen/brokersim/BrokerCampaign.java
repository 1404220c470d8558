package io.flotilla.jepsen.brokersim;

import io.flotilla.jepsen.checker.AnomalyKind;
import io.flotilla.jepsen.checker.CheckResult;
import io.flotilla.jepsen.history.Action;
import io.flotilla.jepsen.history.OpType;
import io.flotilla.jepsen.sim.Failure;
import io.flotilla.jepsen.sim.FaultKind;
import io.flotilla.jepsen.sim.RunOutcome;
import io.flotilla.jepsen.sim.RunSpec;
import io.flotilla.jepsen.sim.Shrinker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * Runs many broker simulations, one after another, stopping at the first failure, which the
 * Raft simulation's {@link Shrinker} reduces (same seed, shorter fault phase, fewer faults,
 * shorter crashes) and the report prints with its replay command.
 */
public final class BrokerCampaign {
    public static final String REPLAY_PREFIX =
            "./mvnw -B -o -pl jepsen-style-tests -am test -Dsurefire.failIfNoSpecifiedTests=false"
                    + " -Dtest=BrokerSimulationTest ";
    static final int REPORT_TRACE_LINES = 60;

    /** What a campaign came to; {@code failed} is null when every run passed. */
    public record Report(int runs, int planned, Totals totals, RunOutcome failed, Shrinker.Result minimal,
                         long wallMs) {
        public boolean passed() {
            return failed == null;
        }

        /** One line: schedules, operations by outcome, faults by kind, anomalies by kind. */
        public String summary() {
            String budget = runs < planned && passed() ? " (wall-clock budget reached: " + runs + " of " + planned
                    + " planned)" : "";
            return "broker simulation: " + runs + " schedules" + budget + " in " + wallMs / 1000.0 + " s, "
                    + totals + (passed() ? "" : "; FAILED " + failed.failure().invariant());
        }

        public String failureReport() {
            if (passed()) {
                return "no failure";
            }
            RunSpec original = failed.spec();
            RunSpec small = minimal.spec();
            Failure f = minimal.failure();
            StringBuilder sb = new StringBuilder("BROKER SIMULATION FAILED: ").append(f.invariant()).append('\n')
                    .append("seed ").append(original.seed()).append(", schedule ").append(runs)
                    .append(" of this campaign, failed at ").append(failed.failure().atMs()).append(" ms:\n  ")
                    .append(failed.failure().message()).append('\n')
                    .append("original fault phase ").append(original.durationMs()).append(" ms, ")
                    .append(original.schedule().size()).append(" faults; shrunk in ").append(minimal.runs())
                    .append(" runs to ").append(small.durationMs()).append(" ms, ").append(small.schedule().size())
                    .append(" faults:\n").append(small.schedule().describe())
                    .append("the minimal run fails at ").append(f.atMs()).append(" ms: ").append(f.message())
                    .append('\n').append("replay the minimal run:\n  ").append(replayCommand(small)).append('\n')
                    .append("last events of the minimal run:\n");
            List<String> tail = f.traceTail();
            for (String line : tail.subList(Math.max(0, tail.size() - REPORT_TRACE_LINES), tail.size())) {
                sb.append("  ").append(line).append('\n');
            }
            return sb.toString();
        }
    }

    /** Sums over runs: operations by kind and outcome, faults by kind, anomalies by kind, simulated time. */
    public static final class Totals {
        private final Map<Action.Kind, long[]> operations = new EnumMap<>(Action.Kind.class);
        private final Map<FaultKind, Long> faults = new EnumMap<>(FaultKind.class);
        private final Map<AnomalyKind, Long> anomalies = new EnumMap<>(AnomalyKind.class);
        private long events;
        private long simulatedMs;

        void add(BrokerSimulation.Result result) {
            events += result.outcome().stats().events;
            simulatedMs += result.outcome().stats().simulatedMs;
            result.outcome().stats().faults.forEach((k, v) -> faults.merge(k, v, Long::sum));
            CheckResult check = result.check();
            if (check == null) {
                return;
            }
            for (Action.Kind kind : Action.Kind.values()) {
                long[] byType = operations.computeIfAbsent(kind, k -> new long[3]);
                byType[0] += check.stats().count(kind, OpType.OK);
                byType[1] += check.stats().count(kind, OpType.FAIL);
                byType[2] += check.stats().count(kind, OpType.INFO);
            }
            for (AnomalyKind kind : check.found()) {
                anomalies.merge(kind, check.count(kind), Long::sum);
            }
        }

        public long anomalies(AnomalyKind kind) {
            return anomalies.getOrDefault(kind, 0L);
        }

        @Override
        public String toString() {
            List<String> ops = new ArrayList<>();
            operations.forEach((kind, n) -> {
                if (n[0] + n[1] + n[2] > 0) {
                    ops.add(kind.label() + " " + n[0] + " ok/" + n[1] + " fail/" + n[2] + " info");
                }
            });
            List<String> anomalyList = new ArrayList<>();
            anomalies.forEach((k, v) -> anomalyList.add(k.label() + " " + v));
            return "operations (" + String.join(", ", ops) + "), faults " + faults + ", anomalies: "
                    + (anomalyList.isEmpty() ? "none" : String.join(", ", anomalyList)) + " (" + events + " events, "
                    + simulatedMs / 1000 + " s simulated)";
        }
    }

    private BrokerCampaign() {
    }

    public static String replayCommand(RunSpec spec) {
        return REPLAY_PREFIX + "-Dflotilla.brokersim.replay='" + spec.encode() + "'";
    }

    /**
     * Runs the specs for seeds {@code firstSeed .. firstSeed + count - 1}; on the first failure
     * shrinks it (at most {@code maxShrinkRuns} re-runs) and stops. Starts no new run once
     * {@code maxWallMs} have passed. The runs' RocksDB stores go under {@code tmp}.
     */
    public static Report run(long firstSeed, int count, LongFunction<RunSpec> specs, int maxShrinkRuns,
                             long maxWallMs, Path tmp) {
        long started = System.nanoTime();
        Totals totals = new Totals();
        int done = 0;
        while (done < count && (System.nanoTime() - started) / 1_000_000 < maxWallMs) {
            RunSpec spec = specs.apply(firstSeed + done);
            done++;
            BrokerSimulation.Result result = BrokerSimulation.run(spec, tmp);
            totals.add(result);
            if (result.outcome().failed()) {
                Shrinker.Result minimal = new Shrinker(s -> BrokerSimulation.run(s, tmp).outcome(), maxShrinkRuns)
                        .shrink(spec, result.outcome().failure());
                return new Report(done, count, totals, result.outcome(), minimal, millisSince(started));
            }
        }
        return new Report(done, count, totals, null, null, millisSince(started));
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
