package io.flotilla.log;

import java.nio.file.Path;

/**
 * Bytes on disk that fail their checksum or structure. Never returned as data: the reader
 * gets this exception, naming the file, the byte position and (where the damage lies in the
 * batches) the log offset it begins at, and decides what to do (the broker recovers the
 * replica from its peers: {@link PartitionLog#openSalvaging}).
 */
public final class CorruptLogException extends LogException {
    private final Path file;
    private final long position;
    private final long offset;
    private final String detail;

    /** Damage outside the batches (a checkpoint, a file name): no log offset to name. */
    public CorruptLogException(Path file, long position, String detail) {
        this(file, position, -1, detail);
    }

    /** @param offset the first log offset the damaged bytes hold or should hold; -1 if unknown */
    public CorruptLogException(Path file, long position, long offset, String detail) {
        super("corrupt data in " + file + " at byte " + position + (offset >= 0 ? " (offset " + offset + ")" : "")
                + ": " + detail);
        this.file = file;
        this.position = position;
        this.offset = offset;
        this.detail = detail;
    }

    public Path file() {
        return file;
    }

    public long position() {
        return position;
    }

    /** What is wrong with the bytes, without the file and position. */
    public String detail() {
        return detail;
    }

    /** The first log offset the damaged bytes hold or should hold; -1 when the damage is not in the batches. */
    public long offset() {
        return offset;
    }
}
