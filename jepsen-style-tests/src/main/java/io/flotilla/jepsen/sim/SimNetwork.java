package io.flotilla.jepsen.sim;

import io.flotilla.raft.RaftMessage;

import java.util.List;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * The network between the nodes: a matrix of directed links (cut or not), random loss and
 * duplication, and a random delay per message. Between one pair of nodes messages arrive in the
 * order sent, as on the per-peer stream the transport uses (messages of different pairs
 * interleave freely), unless a {@link Fault.Reorder} fault lets them overtake each other. A message is judged
 * when sent: once on the wire it arrives even if a partition starts meanwhile. Whether the
 * recipient is up is the simulation's business at delivery. Each delivery carries its own copy of
 * the entries' bytes, as serialization would.
 *
 * <p>Every partition replaces the previous one: it is set on a fully connected network.
 */
public final class SimNetwork {
    private final int nodes;
    private final boolean[][] cut;
    private final Scheduler scheduler;
    private final RandomGenerator random;
    private final Range normalDelay;
    private Range delay;
    private double dropRate;
    private double duplicateRate;
    private boolean reorder;
    /** Per directed pair, when its last message arrives: a later one must not arrive before it. */
    private final long[][] lastArrival;
    private long sent;
    private long lostToPartitions;
    private long dropped;
    private long duplicated;

    public SimNetwork(int nodes, Range delay, Scheduler scheduler, RandomGenerator random) {
        this.nodes = nodes;
        this.cut = new boolean[nodes][nodes];
        this.lastArrival = new long[nodes][nodes];
        this.scheduler = scheduler;
        this.random = random;
        this.normalDelay = delay;
        this.delay = delay;
    }

    /** Whether a message from {@code from} to {@code to} can get through (random loss aside). */
    public boolean canReach(int from, int to) {
        return !cut[from][to];
    }

    /** Full connectivity. */
    public void heal() {
        for (boolean[] row : cut) {
            java.util.Arrays.fill(row, false);
        }
    }

    /** Heals, and stops random loss and duplication, and restores the normal delay. */
    public void healAll() {
        heal();
        dropRate = 0;
        duplicateRate = 0;
        reorder = false;
        delay = normalDelay;
    }

    public void isolate(int node) {
        split(List.of(node));
    }

    /** {@code side} and the rest cannot reach each other. */
    public void split(List<Integer> side) {
        heal();
        boolean[] in = members(side);
        for (int a = 0; a < nodes; a++) {
            for (int b = 0; b < nodes; b++) {
                cut[a][b] = in[a] != in[b];
            }
        }
    }

    /** Messages from {@code from} to any node outside it are lost; the other direction works. */
    public void oneWay(List<Integer> from) {
        heal();
        boolean[] in = members(from);
        for (int a = 0; a < nodes; a++) {
            for (int b = 0; b < nodes; b++) {
                cut[a][b] = in[a] && !in[b];
            }
        }
    }

    /** {@code side} and the other nodes except {@code bridge} cannot reach each other; the bridge reaches all. */
    public void bridge(int bridge, List<Integer> side) {
        if (side.contains(bridge)) {
            throw new IllegalArgumentException("bridge n" + bridge + " cannot be on one side " + side);
        }
        split(side);
        for (int other = 0; other < nodes; other++) {
            cut[bridge][other] = false;
            cut[other][bridge] = false;
        }
    }

    public void setDropRate(double p) {
        dropRate = p;
    }

    public void setDuplicateRate(double p) {
        duplicateRate = p;
    }

    public void setDelay(Range d) {
        delay = d;
    }

    /** Applies a network fault; returns false if {@code fault} is not one. */
    public boolean apply(Fault fault) {
        if (fault instanceof Fault.Isolate f) {
            isolate(f.node());
        } else if (fault instanceof Fault.Split f) {
            split(f.side());
        } else if (fault instanceof Fault.OneWay f) {
            oneWay(f.from());
        } else if (fault instanceof Fault.Bridge f) {
            bridge(f.bridge(), f.side());
        } else if (fault instanceof Fault.Heal) {
            heal();
        } else if (fault instanceof Fault.DropRate f) {
            setDropRate(f.probability());
        } else if (fault instanceof Fault.DuplicateRate f) {
            setDuplicateRate(f.probability());
        } else if (fault instanceof Fault.Delay f) {
            setDelay(f.delay());
        } else if (fault instanceof Fault.Reorder f) {
            reorder = f.on();
        } else {
            return false;
        }
        return true;
    }

    /**
     * Puts {@code message} on the wire: schedules its delivery (twice if duplicated) or loses it.
     * Returns what happened, for the trace: "" (on its way), "cut", "lost" or "dup".
     */
    public String send(RaftMessage message) {
        return send(message.from().nodeId(), message.to().nodeId(),
                duplicate -> new SimEvent.Deliver(Wire.copy(message), duplicate));
    }

    /**
     * Puts whatever {@code delivery} delivers from {@code from} to {@code to} on the wire, by
     * the same rules as a message: {@code delivery} makes the event of each copy that arrives
     * (its argument: whether the copy is a duplicate). Returns what happened, as {@link #send(RaftMessage)}.
     */
    public String send(int from, int to, Function<Boolean, SimEvent> delivery) {
        sent++;
        if (cut[from][to]) {
            lostToPartitions++;
            return "cut";
        }
        if (dropRate > 0 && random.nextDouble() < dropRate) {
            dropped++;
            return "lost";
        }
        scheduler.after(delayFor(from, to), delivery.apply(false));
        if (duplicateRate > 0 && random.nextDouble() < duplicateRate) {
            duplicated++;
            scheduler.after(delayFor(from, to), delivery.apply(true));
            return "dup";
        }
        return "";
    }

    /** A random delay, stretched if needed so the message does not overtake the pair's previous one. */
    private long delayFor(int from, int to) {
        long arrival = scheduler.now() + delay.draw(random);
        if (!reorder) {
            arrival = Math.max(arrival, lastArrival[from][to]);
        }
        lastArrival[from][to] = Math.max(lastArrival[from][to], arrival);
        return arrival - scheduler.now();
    }

    private boolean[] members(List<Integer> side) {
        boolean[] in = new boolean[nodes];
        for (int n : side) {
            in[n] = true;
        }
        return in;
    }

    public long sent() {
        return sent;
    }

    public long lostToPartitions() {
        return lostToPartitions;
    }

    public long dropped() {
        return dropped;
    }

    public long duplicated() {
        return duplicated;
    }
}
