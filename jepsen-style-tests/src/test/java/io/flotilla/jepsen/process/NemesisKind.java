package io.flotilla.jepsen.process;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The faults the real-cluster nemesis injects, by the names the history and the run's settings use. */
enum NemesisKind {
    /** SIGKILL a node (a partition's leader), then start it again on its data. */
    KILL("kill"),
    /** SIGSTOP a node (a partition's leader), then SIGCONT it. */
    PAUSE("pause"),
    /** Cut one node (a partition's leader) off from the others. */
    ISOLATE("partition-isolate"),
    /** Split the nodes into a minority and a majority. */
    HALVES("partition-halves"),
    /** Each node sees a different majority (5 or more nodes). */
    RING("partition-ring"),
    /** Drop the packets into one node (a partition's leader), not those out of it. */
    ONE_WAY("partition-one-way"),
    /**
     * SIGKILL a node (a partition's leader), damage its replica of that partition on disk (a bit
     * flipped or the last segment cut short: {@link SegmentDamage}), start it again.
     */
    CORRUPT("corrupt"),
    /**
     * SIGKILL a node (a partition's leader), delete its data directory, start it again: the node
     * removed and a new one, with nothing, added in its place.
     */
    WIPE("wipe");

    private final String label;

    NemesisKind(String label) {
        this.label = label;
    }

    /** The fault's kind in the history. */
    String label() {
        return label;
    }

    /**
     * The fewest nodes this fault needs: a ring needs five to give each node a different
     * majority; a replica damaged or wiped recovers only from two others (one does not make a
     * majority while the damaged one cannot vote).
     */
    int minNodes() {
        return switch (this) {
            case RING -> 5;
            case CORRUPT, WIPE -> 3;
            default -> 1;
        };
    }

    /** Whether a cluster of {@code nodes} can have this fault. */
    boolean possibleWith(int nodes) {
        return nodes >= minNodes();
    }

    /**
     * Parses a comma-separated list of {@code kill}, {@code pause}, {@code isolate},
     * {@code halves}, {@code ring}, {@code one-way}, {@code corrupt}, {@code wipe},
     * {@code partition} (every partition kind {@code nodes} allow) and {@code all} (every kind
     * they allow), in the order given.
     *
     * @throws IllegalArgumentException naming an unknown name, or a kind too few nodes allow
     */
    static List<NemesisKind> parse(String names, int nodes) {
        Set<NemesisKind> kinds = new LinkedHashSet<>();
        for (String raw : names.split(",")) {
            String name = raw.strip().toLowerCase(Locale.ROOT);
            if (name.equals("partition") || name.equals("all")) {
                List<NemesisKind> group = name.equals("all") ? List.of(values())
                        : List.of(ISOLATE, HALVES, RING, ONE_WAY);
                for (NemesisKind k : group) {
                    if (k.possibleWith(nodes)) {
                        kinds.add(k);
                    }
                }
                continue;
            }
            NemesisKind kind = byName(name);
            if (!kind.possibleWith(nodes)) {
                throw new IllegalArgumentException("nemesis '" + name + "' needs at least " + kind.minNodes()
                        + " nodes, not " + nodes);
            }
            kinds.add(kind);
        }
        return new ArrayList<>(kinds);
    }

    private static NemesisKind byName(String name) {
        for (NemesisKind k : values()) {
            if (k.label.equals(name) || k.label.equals("partition-" + name)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown nemesis '" + name + "': use kill, pause, isolate, halves, ring,"
                + " one-way, corrupt, wipe, partition (all partition kinds) or all");
    }
}
