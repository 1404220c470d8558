package io.flotilla.jepsen.history;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A history that can be read more than once: the checker makes a few passes, holding facts about
 * values and offsets, never the whole history.
 */
@FunctionalInterface
public interface History {

    /** Opens a new pass from the first entry. */
    EntryStream open() throws IOException;

    /** What a pass hands each entry to, with its line number. */
    @FunctionalInterface
    interface Visitor {
        void visit(HistoryEntry entry, long line);
    }

    /** One whole pass over the history. */
    default void forEach(Visitor visitor) throws IOException {
        try (EntryStream stream = open()) {
            for (HistoryEntry e = stream.next(); e != null; e = stream.next()) {
                visitor.visit(e, stream.line());
            }
        }
    }

    /** The history written at {@code path} by a {@link HistoryWriter}. */
    static History file(Path path) {
        return () -> HistoryReader.open(path);
    }

    /** A history held in memory (tests, simulations). */
    static History of(List<? extends HistoryEntry> entries) {
        List<HistoryEntry> copy = List.copyOf(entries);
        return () -> new EntryStream() {
            private int next;

            @Override
            public HistoryEntry next() {
                return next < copy.size() ? copy.get(next++) : null;
            }

            @Override
            public long line() {
                return next;
            }

            @Override
            public void close() {
            }
        };
    }
}
