package io.flotilla.jepsen.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * One entry of a schedule: a fault, or an operator's action on the group ({@link Operation}), as
 * a schedule lists it and as {@link #encode()} writes it in a replay string ({@code crash:1:300},
 * {@code split:0.1}, {@code bridge:2:0.1}, {@code drop:0.05}, {@code transfer:2}, ...). Every
 * partition replaces the previous one; {@link Heal} restores full connectivity.
 */
public sealed interface Fault {
    FaultKind kind();

    String encode();

    /** Node {@code node} crashes and restarts {@code downMs} later (or at the final heal, if sooner). */
    record Crash(int node, long downMs) implements Fault {
        public FaultKind kind() {
            return FaultKind.CRASH;
        }

        public String encode() {
            return "crash:" + node + ":" + downMs;
        }
    }

    /**
     * Arms node {@code node}: the next time it takes a Ready that records a vote for another
     * member, it crashes before that Ready's fsync completes, and restarts {@code downMs} later.
     */
    record CrashOnVote(int node, long downMs) implements Fault {
        public FaultKind kind() {
            return FaultKind.CRASH_ON_VOTE;
        }

        public String encode() {
            return "crashonvote:" + node + ":" + downMs;
        }
    }

    /** When a leader trap springs: at its election, or when its commit end first moves in its term. */
    enum LeaderMoment {
        ELECTED("elected"),
        FIRST_COMMIT("commit");

        private final String code;

        LeaderMoment(String code) {
            this.code = code;
        }

        /** {@code elected+15}: the moment and a delay after it. */
        String encode(long afterMs) {
            return code + "+" + afterMs;
        }

        static LeaderMoment parse(String code) {
            for (LeaderMoment m : values()) {
                if (m.code.equals(code)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unknown leader moment '" + code + "'");
        }
    }

    /**
     * A fault aimed at whichever member next becomes leader (traps are taken in the order
     * armed, one per election): it strikes {@code afterMs} after moment {@code at} of that
     * leader's term, and with no delay before the messages of that moment leave the leader.
     * Leaders cut off early in their term, before their own entries reach a majority, are what
     * the Raft paper's Figure 8 is made of.
     */
    sealed interface LeaderTrap extends Fault {
        LeaderMoment at();

        long afterMs();

        /** The fault that strikes node {@code leader}. */
        Fault strike(int leader);
    }

    /** The next leader crashes and restarts {@code downMs} later. */
    record CrashLeader(LeaderMoment at, long afterMs, long downMs) implements LeaderTrap {
        public FaultKind kind() {
            return FaultKind.LEADER_CRASH;
        }

        public String encode() {
            return "crashleader:" + at.encode(afterMs) + ":" + downMs;
        }

        public Fault strike(int leader) {
            return new Crash(leader, downMs);
        }
    }

    /** The next leader is isolated (until the next partition or heal). */
    record IsolateLeader(LeaderMoment at, long afterMs) implements LeaderTrap {
        public FaultKind kind() {
            return FaultKind.LEADER_ISOLATE;
        }

        public String encode() {
            return "isolateleader:" + at.encode(afterMs);
        }

        public Fault strike(int leader) {
            return new Isolate(leader);
        }
    }

    /**
     * An operator's action, carried out by whichever member leads when it is due (refused, as
     * a real operator's request would be, if none does or the leader turns it down).
     */
    sealed interface Operation extends Fault {
        /** The node the action is about. */
        int node();
    }

    /** The leader hands leadership to voter {@code node}. */
    record Transfer(int node) implements Operation {
        public FaultKind kind() {
            return FaultKind.TRANSFER;
        }

        public String encode() {
            return "transfer:" + node;
        }
    }

    /** Member {@code node} (voter or learner) is removed from the group. */
    record RemoveMember(int node) implements Operation {
        public FaultKind kind() {
            return FaultKind.REMOVE;
        }

        public String encode() {
            return "remove:" + node;
        }
    }

    /** Node {@code node} joins the group as a learner: it gets the log but does not vote. */
    record AddLearner(int node) implements Operation {
        public FaultKind kind() {
            return FaultKind.ADD_LEARNER;
        }

        public String encode() {
            return "addlearner:" + node;
        }
    }

    /** Learner {@code node} becomes a voter. */
    record Promote(int node) implements Operation {
        public FaultKind kind() {
            return FaultKind.PROMOTE;
        }

        public String encode() {
            return "promote:" + node;
        }
    }

    record Isolate(int node) implements Fault {
        public FaultKind kind() {
            return FaultKind.ISOLATE;
        }

        public String encode() {
            return "isolate:" + node;
        }
    }

    /** {@code side} and the other nodes cannot reach each other. */
    record Split(List<Integer> side) implements Fault {
        public Split {
            side = List.copyOf(side);
        }

        public FaultKind kind() {
            return FaultKind.SPLIT;
        }

        public String encode() {
            return "split:" + nodes(side);
        }
    }

    /** Messages from {@code from} to the other nodes are lost; the other direction works. */
    record OneWay(List<Integer> from) implements Fault {
        public OneWay {
            from = List.copyOf(from);
        }

        public FaultKind kind() {
            return FaultKind.ONE_WAY;
        }

        public String encode() {
            return "oneway:" + nodes(from);
        }
    }

    /** {@code side} and the rest (bar {@code bridge}) cannot reach each other; {@code bridge} reaches everyone. */
    record Bridge(int bridge, List<Integer> side) implements Fault {
        public Bridge {
            side = List.copyOf(side);
        }

        public FaultKind kind() {
            return FaultKind.BRIDGE;
        }

        public String encode() {
            return "bridge:" + bridge + ":" + nodes(side);
        }
    }

    record Heal() implements Fault {
        public FaultKind kind() {
            return FaultKind.HEAL;
        }

        public String encode() {
            return "heal";
        }
    }

    record DropRate(double probability) implements Fault {
        public FaultKind kind() {
            return FaultKind.DROP;
        }

        public String encode() {
            return "drop:" + probability;
        }
    }

    record DuplicateRate(double probability) implements Fault {
        public FaultKind kind() {
            return FaultKind.DUPLICATE;
        }

        public String encode() {
            return "dup:" + probability;
        }
    }

    /** Whether messages within a pair of nodes may overtake each other from now on. */
    record Reorder(boolean on) implements Fault {
        public FaultKind kind() {
            return FaultKind.REORDER;
        }

        public String encode() {
            return "reorder:" + on;
        }
    }

    /** Message delays drawn from {@code delay} from now on. */
    record Delay(Range delay) implements Fault {
        public FaultKind kind() {
            return FaultKind.SLOW_NETWORK;
        }

        public String encode() {
            return "delay:" + delay;
        }
    }

    static Fault parse(String text) {
        String[] f = text.split(":");
        switch (f[0]) {
            case "crash":
                return new Crash(Integer.parseInt(f[1]), Long.parseLong(f[2]));
            case "crashonvote":
                return new CrashOnVote(Integer.parseInt(f[1]), Long.parseLong(f[2]));
            case "crashleader": {
                String[] at = f[1].split("\\+");
                return new CrashLeader(LeaderMoment.parse(at[0]), Long.parseLong(at[1]), Long.parseLong(f[2]));
            }
            case "isolateleader": {
                String[] at = f[1].split("\\+");
                return new IsolateLeader(LeaderMoment.parse(at[0]), Long.parseLong(at[1]));
            }
            case "transfer":
                return new Transfer(Integer.parseInt(f[1]));
            case "remove":
                return new RemoveMember(Integer.parseInt(f[1]));
            case "addlearner":
                return new AddLearner(Integer.parseInt(f[1]));
            case "promote":
                return new Promote(Integer.parseInt(f[1]));
            case "isolate":
                return new Isolate(Integer.parseInt(f[1]));
            case "split":
                return new Split(parseNodes(f[1]));
            case "oneway":
                return new OneWay(parseNodes(f[1]));
            case "bridge":
                return new Bridge(Integer.parseInt(f[1]), parseNodes(f[2]));
            case "heal":
                return new Heal();
            case "drop":
                return new DropRate(Double.parseDouble(f[1]));
            case "dup":
                return new DuplicateRate(Double.parseDouble(f[1]));
            case "delay":
                return new Delay(Range.parse(f[1]));
            case "reorder":
                return new Reorder(Boolean.parseBoolean(f[1]));
            default:
                throw new IllegalArgumentException("unknown fault '" + text + "'");
        }
    }

    private static String nodes(List<Integer> nodes) {
        StringBuilder sb = new StringBuilder();
        for (int n : nodes) {
            sb.append(sb.length() == 0 ? "" : ".").append(n);
        }
        return sb.toString();
    }

    private static List<Integer> parseNodes(String text) {
        List<Integer> out = new ArrayList<>();
        for (String n : text.split("\\.")) {
            out.add(Integer.parseInt(n));
        }
        return out;
    }
}
