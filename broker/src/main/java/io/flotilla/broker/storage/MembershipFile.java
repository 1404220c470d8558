package io.flotilla.broker.storage;

import io.flotilla.log.CorruptLogException;
import io.flotilla.raft.Membership;
import io.flotilla.raft.MembershipEntry;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * A group's membership history, kept in the file {@code membership} beside its log, so that a
 * restarted member gets {@link io.flotilla.raft.RaftStorage#membershipHistory()} without
 * scanning the log: where the log starts, the term before that, the membership in force there,
 * and every membership entry after it. Replaced atomically ({@link DurableFiles#replace}).
 *
 * <p>Format, version 1, big-endian:
 * <pre>
 * int8   format version, 1
 * int64  the log's start offset
 * int64  the term of the entry before the start
 * int32  n, the count of memberships that follow: the base, then one per membership entry
 * n x    int64 offset (-1 for the base, then increasing offsets of membership entries),
 *        int32 length, the membership's own encoding ({@link Membership#encode()})
 * int32  CRC32C of every byte before it
 * </pre>
 * The file may list entries the log no longer holds (written before their append, or not yet
 * rewritten after a truncation): {@link LogStorage} drops those at or past the log's end when
 * it opens. It never misses one the log holds.
 */
final class MembershipFile {
    static final String NAME = "membership";
    private static final byte FORMAT = 1;

    /** What the file holds; the base carries no state (the controller's is in the node store). */
    record Contents(LogBase base, List<MembershipEntry> entries) {
    }

    private MembershipFile() {
    }

    static Path path(Path groupDir) {
        return groupDir.resolve(NAME);
    }

    static void write(Path groupDir, LogBase base, List<MembershipEntry> entries) throws IOException {
        List<ByteBuffer> encoded = new ArrayList<>(entries.size() + 1);
        int size = 1 + 8 + 8 + 4 + 4;
        encoded.add(base.membership().encode());
        for (MembershipEntry e : entries) {
            encoded.add(e.membership().encode());
        }
        for (ByteBuffer m : encoded) {
            size += 8 + 4 + m.remaining();
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        buf.put(FORMAT).putLong(base.start()).putLong(base.termBefore()).putInt(encoded.size());
        for (int i = 0; i < encoded.size(); i++) {
            ByteBuffer m = encoded.get(i);
            buf.putLong(i == 0 ? -1 : entries.get(i - 1).offset()).putInt(m.remaining()).put(m);
        }
        buf.putInt(crc(buf, buf.position()));
        DurableFiles.replace(path(groupDir), buf.flip());
    }

    /** The file's contents, or empty if the group has none (a new group). */
    static Optional<Contents> read(Path groupDir) throws IOException {
        Path file = path(groupDir);
        ByteBuffer buf;
        try {
            buf = ByteBuffer.wrap(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        try {
            int body = buf.remaining() - 4;
            if (body < 0 || crc(buf, body) != buf.getInt(body)) {
                throw new CorruptLogException(file, 0, "membership history fails its CRC32C");
            }
            byte format = buf.get();
            if (format != FORMAT) {
                throw new CorruptLogException(file, 0, "membership history format " + format
                        + " is not supported (expected " + FORMAT + ")");
            }
            long start = buf.getLong();
            long termBefore = buf.getLong();
            int count = buf.getInt();
            Membership base = null;
            List<MembershipEntry> entries = new ArrayList<>();
            long previous = start - 1;
            for (int i = 0; i < count; i++) {
                int at = buf.position();
                long offset = buf.getLong();
                ByteBuffer encoded = buf.slice(buf.position() + 4, buf.getInt());
                buf.position(buf.position() + encoded.remaining());
                if (i == 0) {
                    if (offset != -1) {
                        throw new CorruptLogException(file, at, "the first membership is at offset " + offset
                                + ", not -1 (the base)");
                    }
                    base = Membership.decode(encoded);
                } else if (offset <= previous) {
                    throw new CorruptLogException(file, at, "membership entry at offset " + offset
                            + " does not follow " + previous);
                } else {
                    entries.add(new MembershipEntry(offset, Membership.decode(encoded)));
                    previous = offset;
                }
            }
            if (base == null || buf.position() != body) {
                throw new CorruptLogException(file, buf.position(), "membership history holds "
                        + (base == null ? "no base membership" : "bytes after its last membership"));
            }
            return Optional.of(new Contents(new LogBase(start, termBefore, base, LogBase.NO_STATE), entries));
        } catch (BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException e) {
            throw new CorruptLogException(file, buf.position(), "membership history is malformed: " + e);
        }
    }

    private static int crc(ByteBuffer buf, int length) {
        CRC32C crc = new CRC32C();
        crc.update(buf.duplicate().position(0).limit(length));
        return (int) crc.getValue();
    }
}
