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
    ONE_WAY("partition-one-way");

    private final String label;

    NemesisKind(String label) {
        this.label = label;
    }

    /** The fault's kind in the history. */
    String label() {
        return label;
    }

    /** Whether a cluster of {@code nodes} can have this fault. */
    boolean possibleWith(int nodes) {
        return this != RING || nodes >= 5;
    }

    /**
     * Parses a comma-separated list of {@code kill}, {@code pause}, {@code isolate},
     * {@code halves}, {@code ring}, {@code one-way} and {@code partition} (every partition kind
     * {@code nodes} allow), in the order given.
     *
     * @throws IllegalArgumentException naming an unknown name, or a ring with fewer than 5 nodes
     */
    static List<NemesisKind> parse(String names, int nodes) {
        Set<NemesisKind> kinds = new LinkedHashSet<>();
        for (String raw : names.split(",")) {
            String name = raw.strip().toLowerCase(Locale.ROOT);
            if (name.equals("partition")) {
                for (NemesisKind k : List.of(ISOLATE, HALVES, RING, ONE_WAY)) {
                    if (k.possibleWith(nodes)) {
                        kinds.add(k);
                    }
                }
                continue;
            }
            NemesisKind kind = byName(name);
            if (!kind.possibleWith(nodes)) {
                throw new IllegalArgumentException("nemesis '" + name + "' needs at least 5 nodes, not " + nodes);
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
                + " one-way or partition (all partition kinds)");
    }
}
