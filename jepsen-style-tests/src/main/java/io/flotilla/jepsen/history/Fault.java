package io.flotilla.jepsen.history;

import java.util.List;

/**
 * The nemesis starts or stops a fault of a kind ({@code kill}, {@code pause}, {@code partition},
 * ...) on some nodes. A STOP ends the open fault of the same kind and targets; a STOP without
 * targets ends every open fault of its kind (a heal).
 */
public record Fault(long time, long wall, Edge edge, String kind, List<Integer> targets) implements HistoryEntry {

    public enum Edge {
        START, STOP;

        public String label() {
            return Labels.of(this);
        }

        public static Edge fromLabel(String label) {
            return Labels.parse(Edge.class, label, "fault edge");
        }
    }

    public Fault {
        if (edge == null || kind == null || kind.isEmpty()) {
            throw new IllegalArgumentException("a fault needs an edge and a kind");
        }
        targets = List.copyOf(targets);
    }
}
