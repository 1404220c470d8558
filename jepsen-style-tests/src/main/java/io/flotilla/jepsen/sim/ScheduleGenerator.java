package io.flotilla.jepsen.sim;

import io.flotilla.raft.RaftConfig;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Draws a {@link RunSpec} from a seed. Swarm testing: each seed enables a random subset of the
 * allowed fault and operation kinds and its own fault density, disk and network speeds and
 * client rate, so seeds differ in kind, not only in detail (a run with every fault on at once
 * rarely reaches the states one or two faults at a time reach). The standard generator draws
 * one seed in four from the {@linkplain #figure8 figure-8 profile} instead.
 */
public final class ScheduleGenerator {
    static final Range[] DISKS = {new Range(1, 2), new Range(1, 10), new Range(5, 30)};
    static final Range[] NETWORKS = {new Range(1, 5), new Range(1, 20), new Range(5, 40)};
    static final Range[] PROPOSE_EVERY = {new Range(1, 5), new Range(5, 40), new Range(20, 100)};
    static final Range[] SLOW_NETWORKS = {new Range(1, 100), new Range(10, 200)};
    static final int[] MEAN_GAPS_MS = {100, 300, 800};
    static final double[] DROP_RATES = {0.01, 0.05, 0.1, 0.3};
    static final double[] DUPLICATE_RATES = {0.01, 0.05, 0.2};
    /** Spare nodes beyond the initial voters (at least one), when operators may add learners. */
    static final int MAX_SPARES = 2;
    static final int LEADER_TRAP_MAX_DELAY_MS = 300;
    static final int STANDARD_FIGURE_8_ONE_IN = 4;
    static final Range FIGURE_8_MS = new Range(5000, 7000);
    static final int[] FIGURE_8_MEAN_GAPS_MS = {50, 100};

    private final Set<FaultKind> allowed;
    private final boolean swarm;
    private final Range durationMs;
    private final int figure8OneIn;

    /** @param swarm enable a random subset of {@code allowed} per seed (else all of them, always) */
    public ScheduleGenerator(Set<FaultKind> allowed, boolean swarm, Range durationMs) {
        this(allowed, swarm, durationMs, 0);
    }

    /** @param figure8OneIn draw one seed in this many from the figure-8 profile (0: never) */
    private ScheduleGenerator(Set<FaultKind> allowed, boolean swarm, Range durationMs, int figure8OneIn) {
        this.allowed = allowed.isEmpty() ? EnumSet.noneOf(FaultKind.class) : EnumSet.copyOf(allowed);
        this.allowed.removeIf(k -> !k.swarmable());
        this.swarm = swarm;
        this.durationMs = durationMs;
        this.figure8OneIn = figure8OneIn;
    }

    /** Every kind, swarm-selected, fault phases of 1 to 3 s; one seed in four from the figure-8 profile. */
    public static ScheduleGenerator standard() {
        return new ScheduleGenerator(EnumSet.allOf(FaultKind.class), true, new Range(1000, 3000),
                STANDARD_FIGURE_8_ONE_IN);
    }

    public RunSpec generate(long seed) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
        if (figure8OneIn > 0 && r.nextInt(figure8OneIn) == 0) {
            return figure8(seed, r);
        }
        List<FaultKind> kinds = new ArrayList<>();
        for (FaultKind k : allowed) {
            if (!swarm || r.nextBoolean()) {
                kinds.add(k);
            }
        }
        int voters = r.nextBoolean() ? 3 : 5;
        int nodes = voters + (kinds.contains(FaultKind.ADD_LEARNER) ? 1 + r.nextInt(MAX_SPARES) : 0);
        long duration = durationMs.draw(r);
        Range network = pick(r, NETWORKS);
        RunSpec spec = new RunSpec(seed, nodes, voters, duration, pick(r, DISKS), network, pick(r, PROPOSE_EVERY),
                r.nextInt(4) != 0, r.nextInt(4) != 0, r.nextBoolean() ? 1 : RaftConfig.DEFAULTS.maxAppendBytes(),
                DriverFault.NONE, FaultSchedule.NONE);
        int meanGap = MEAN_GAPS_MS[r.nextInt(MEAN_GAPS_MS.length)];
        return spec.withSchedule(faults(r, kinds, nodes, voters, duration, meanGap, network));
    }

    /**
     * The figure-8 profile. The Raft paper's Figure 8 (a leader brings an earlier term's entry
     * to a majority before any entry of its own term, and then loses its term to a member whose
     * last entry has a later term) takes several elections in a row, each leader cut off at the
     * right moment, with acknowledgements covering a leader's log piece by piece. So: five
     * voters, one entry per append request, no pre-vote (a member coming back from isolation
     * campaigns at once with the term it reached there, as in the paper), a long fault phase
     * densely armed with leader isolations; leader crashes and a slow network swarm-chosen.
     */
    private static RunSpec figure8(long seed, SplittableRandom r) {
        List<FaultKind> kinds = new ArrayList<>(List.of(FaultKind.LEADER_ISOLATE));
        for (FaultKind k : List.of(FaultKind.LEADER_CRASH, FaultKind.SLOW_NETWORK)) {
            if (r.nextBoolean()) {
                kinds.add(k);
            }
        }
        long duration = FIGURE_8_MS.draw(r);
        Range network = pick(r, NETWORKS);
        RunSpec spec = new RunSpec(seed, 5, 5, duration, pick(r, DISKS), network, pick(r, PROPOSE_EVERY), false,
                r.nextInt(4) != 0, 1, DriverFault.NONE, FaultSchedule.NONE);
        int meanGap = FIGURE_8_MEAN_GAPS_MS[r.nextInt(FIGURE_8_MEAN_GAPS_MS.length)];
        return spec.withSchedule(faults(r, kinds, 5, 5, duration, meanGap, network));
    }

    /** Faults for {@code n} nodes of which the first {@code voters} start as the group's voters. */
    private static FaultSchedule faults(SplittableRandom r, List<FaultKind> kinds, int n, int voters, long duration,
                                        int meanGap, Range network) {
        List<TimedFault> out = new ArrayList<>();
        if (kinds.isEmpty()) {
            return FaultSchedule.NONE;
        }
        for (long t = 1 + r.nextInt(2 * meanGap); t < duration; t += 1 + r.nextInt(2 * meanGap)) {
            FaultKind kind = kinds.get(r.nextInt(kinds.size()));
            switch (kind) {
                case CRASH -> out.add(new TimedFault(t, new Fault.Crash(r.nextInt(n),
                        r.nextInt(8) == 0 ? 1000 + r.nextInt(3000) : 10 + r.nextInt(600))));
                case CRASH_ON_VOTE -> out.add(new TimedFault(t, new Fault.CrashOnVote(r.nextInt(n),
                        10 + r.nextInt(600))));
                case LEADER_CRASH -> out.add(new TimedFault(t, new Fault.CrashLeader(leaderMoment(r), trapDelay(r),
                        10 + r.nextInt(600))));
                // No heal of its own: the next partition (often the next leader's isolation) ends it.
                case LEADER_ISOLATE -> out.add(new TimedFault(t,
                        new Fault.IsolateLeader(leaderMoment(r), trapDelay(r))));
                case ISOLATE -> partition(r, out, t, duration, new Fault.Isolate(r.nextInt(n)));
                case SPLIT -> partition(r, out, t, duration, new Fault.Split(side(r, allNodes(n))));
                case ONE_WAY -> partition(r, out, t, duration, new Fault.OneWay(side(r, allNodes(n))));
                case BRIDGE -> {
                    int bridge = r.nextInt(n);
                    List<Integer> others = allNodes(n);
                    others.remove(Integer.valueOf(bridge));
                    partition(r, out, t, duration, new Fault.Bridge(bridge, side(r, others)));
                }
                case DROP -> rate(r, out, t, duration, new Fault.DropRate(DROP_RATES[r.nextInt(DROP_RATES.length)]),
                        new Fault.DropRate(0));
                case DUPLICATE -> rate(r, out, t, duration,
                        new Fault.DuplicateRate(DUPLICATE_RATES[r.nextInt(DUPLICATE_RATES.length)]),
                        new Fault.DuplicateRate(0));
                case SLOW_NETWORK -> rate(r, out, t, duration, new Fault.Delay(pick(r, SLOW_NETWORKS)),
                        new Fault.Delay(network));
                case REORDER -> rate(r, out, t, duration, new Fault.Reorder(true), new Fault.Reorder(false));
                case TRANSFER -> out.add(new TimedFault(t, new Fault.Transfer(r.nextInt(n))));
                case REMOVE -> out.add(new TimedFault(t, new Fault.RemoveMember(r.nextInt(n))));
                // Mostly a spare; any node, for one that was removed.
                case ADD_LEARNER -> addLearner(r, out, t, duration,
                        n > voters && r.nextInt(4) != 0 ? voters + r.nextInt(n - voters) : r.nextInt(n));
                default -> throw new IllegalStateException("no generator for " + kind);
            }
        }
        return new FaultSchedule(out);
    }

    private static Fault.LeaderMoment leaderMoment(SplittableRandom r) {
        return r.nextBoolean() ? Fault.LeaderMoment.ELECTED : Fault.LeaderMoment.FIRST_COMMIT;
    }

    /** Half the traps strike at once, before the moment's messages leave the leader; the others up to 300 ms later. */
    private static long trapDelay(SplittableRandom r) {
        return r.nextBoolean() ? 0 : 1 + r.nextInt(LEADER_TRAP_MAX_DELAY_MS);
    }

    /** The partition, and usually a heal 50 ms to 1.5 s later (if that is still in the fault phase). */
    private static void partition(SplittableRandom r, List<TimedFault> out, long t, long duration, Fault fault) {
        out.add(new TimedFault(t, fault));
        if (r.nextInt(5) != 0) {
            long healAt = t + 50 + r.nextInt(1500);
            if (healAt < duration) {
                out.add(new TimedFault(healAt, new Fault.Heal()));
            }
        }
    }

    /** A changed rate, and usually its end 50 ms to 1.5 s later. */
    private static void rate(SplittableRandom r, List<TimedFault> out, long t, long duration, Fault on, Fault off) {
        out.add(new TimedFault(t, on));
        if (r.nextInt(3) != 0) {
            long offAt = t + 50 + r.nextInt(1500);
            if (offAt < duration) {
                out.add(new TimedFault(offAt, off));
            }
        }
    }

    /** A learner joins, and is usually promoted 100 ms to 1.5 s later, once it had time to catch up. */
    private static void addLearner(SplittableRandom r, List<TimedFault> out, long t, long duration, int node) {
        out.add(new TimedFault(t, new Fault.AddLearner(node)));
        if (r.nextInt(5) != 0) {
            long promoteAt = t + 100 + r.nextInt(1400);
            if (promoteAt < duration) {
                out.add(new TimedFault(promoteAt, new Fault.Promote(node)));
            }
        }
    }

    private static List<Integer> allNodes(int n) {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(i);
        }
        return all;
    }

    /** A random non-empty proper subset of {@code of} (which has at least two members). */
    private static List<Integer> side(SplittableRandom r, List<Integer> of) {
        int mask = 1 + r.nextInt((1 << of.size()) - 2);
        List<Integer> side = new ArrayList<>();
        for (int i = 0; i < of.size(); i++) {
            if ((mask & (1 << i)) != 0) {
                side.add(of.get(i));
            }
        }
        return side;
    }

    private static Range pick(SplittableRandom r, Range[] choices) {
        return choices[r.nextInt(choices.length)];
    }
}
