package io.flotilla.log;

import java.nio.file.Path;

/**
 * Bytes on disk that fail their checksum or structure. Never returned as data: the reader
 * gets this exception, naming the file and the byte position, and decides what to do (the
 * broker re-fetches the replica from its peers).
 */
public final class CorruptLogException extends LogException {
    private final Path file;
    private final long position;

    public CorruptLogException(Path file, long position, String detail) {
        super("corrupt data in " + file + " at byte " + position + ": " + detail);
        this.file = file;
        this.position = position;
    }

    public Path file() {
        return file;
    }

    public long position() {
        return position;
    }
}
