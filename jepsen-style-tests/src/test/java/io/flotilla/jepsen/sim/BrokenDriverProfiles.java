package io.flotilla.jepsen.sim;

import io.flotilla.raft.RaftConfig;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongFunction;

/** Run specs under which each {@link DriverFault} should be caught, quickly. */
final class BrokenDriverProfiles {
    private BrokenDriverProfiles() {
    }

    /** Acknowledging before fsync: the generated schedules, crashes only (a commit outruns the fsyncs). */
    static LongFunction<RunSpec> ackBeforeFsync() {
        ScheduleGenerator crashes = new ScheduleGenerator(EnumSet.of(FaultKind.CRASH), false, new Range(1000, 3000));
        return seed -> crashes.generate(seed).withDriverFault(DriverFault.ACK_BEFORE_FSYNC);
    }

    /**
     * Granting a vote without persisting it: three nodes; every 50-150 ms some node is armed to
     * crash during the fsync of its next vote, and every 100-400 ms some node crashes (deposing
     * leaders, so there are elections to vote in). A forgetful voter then votes twice in a term
     * when two candidates compete for it, and two leaders share the term. Random crashes alone
     * hit the few milliseconds between a vote and its fsync too rarely to rely on.
     */
    static LongFunction<RunSpec> unpersistedVote() {
        return seed -> {
            SplittableRandom r = new SplittableRandom(seed * 7919);
            long ms = 3000;
            List<TimedFault> faults = new ArrayList<>();
            for (long t = 50 + r.nextInt(100); t < ms; t += 50 + r.nextInt(100)) {
                faults.add(new TimedFault(t, new Fault.CrashOnVote(r.nextInt(3), 20 + r.nextInt(180))));
            }
            for (long t = 100 + r.nextInt(300); t < ms; t += 100 + r.nextInt(300)) {
                faults.add(new TimedFault(t, new Fault.Crash(r.nextInt(3), 50 + r.nextInt(500))));
            }
            return new RunSpec(seed, 3, 3, ms, new Range(1, 10), new Range(1, 20), new Range(5, 40), true, true,
                    RaftConfig.DEFAULTS.maxAppendBytes(), DriverFault.UNPERSISTED_VOTE, new FaultSchedule(faults));
        };
    }

    /**
     * {@code specs} with the group's membership changing early on: one spare node more, which
     * an operator adds as a learner at 200 ms and promotes at 700 ms, and node 0 removed at 1.1 s
     * (those that fall in the fault phase, and that the leader of the moment accepts).
     */
    static LongFunction<RunSpec> afterMembershipChanges(LongFunction<RunSpec> specs) {
        return seed -> {
            RunSpec spec = specs.apply(seed);
            int spare = spec.nodes();
            List<TimedFault> faults = new ArrayList<>(spec.schedule().faults());
            for (TimedFault op : List.of(new TimedFault(200, new Fault.AddLearner(spare)),
                    new TimedFault(700, new Fault.Promote(spare)), new TimedFault(1100, new Fault.RemoveMember(0)))) {
                if (op.atMs() < spec.durationMs()) {
                    faults.add(op);
                }
            }
            return new RunSpec(seed, spec.nodes() + 1, spec.voters(), spec.durationMs(), spec.disk(), spec.network(),
                    spec.proposeEvery(), spec.preVote(), spec.checkQuorum(), spec.maxAppendBytes(), spec.driverFault(),
                    new FaultSchedule(faults));
        };
    }
}
