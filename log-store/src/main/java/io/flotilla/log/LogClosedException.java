package io.flotilla.log;

import java.nio.file.Path;

/** An operation on a log after {@link PartitionLog#close()}. */
public final class LogClosedException extends LogException {
    public LogClosedException(Path dir) {
        super("log at " + dir + " is closed");
    }
}
