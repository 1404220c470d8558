package io.flotilla.jepsen.history;

import java.io.Closeable;
import java.io.IOException;

/** One pass over a history, entry by entry. */
public interface EntryStream extends Closeable {

    /** The next entry, or null at the end. */
    HistoryEntry next() throws IOException;

    /** The line number (1-based) of the entry {@link #next()} returned last. */
    long line();
}
