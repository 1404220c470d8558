package io.flotilla.broker.storage;

import io.flotilla.log.LogDamage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * A group member's promise, kept in the file {@code recovering} beside its log, not to vote or
 * campaign until it holds its log up to an end again ({@link io.flotilla.raft.HardState#recoveringTo()}):
 * written (atomically, durably) before a damaged log is cut, deleted once the member recovered.
 * Text, for the operator who finds it:
 * <pre>
 * recovering-to 1234
 * damage /data/partitions/group-7/log/00000000000000000512.log at byte 4096 (offset 640): batch CRC32C mismatch
 * quarantine /data/partitions/group-7/log/damaged-640-1767225600000
 * </pre>
 * Only the first line is read back. A file that does not read as one stands for an end no log
 * reaches ({@link Long#MAX_VALUE}): the member then recovers only by holding a leader's whole log.
 * Deleting the file by hand tells the member to vote with what it holds, accepting the loss: the
 * way out for a group with no healthy majority left (a partition of replication factor 1).
 *
 * <p>No file is written when the log takes damage for a crash's torn write, which it does only
 * when two faults coincide: a power loss that drops the log's last recovery-point write (not
 * fsynced on the produce path) and damage to acknowledged entries between that stale recovery
 * point and the end of the active segment. Those entries are then cut at open unrecorded, and
 * the member votes without them (docs/ARCHITECTURE.md, "Storage damage").
 */
final class RecoveryMarker {
    static final String NAME = "recovering";
    private static final String END_KEY = "recovering-to ";

    private RecoveryMarker() {
    }

    static Path path(Path groupDir) {
        return groupDir.resolve(NAME);
    }

    /**
     * Records that the member must hold entries up to {@code damage}'s evidenced end again (or
     * the end an earlier, unfinished recovery recorded, if higher), durably; returns that end.
     */
    static long record(Path groupDir, LogDamage damage) throws IOException {
        long end = Math.max(damage.evidencedEnd(), read(groupDir).orElse(-1));
        String text = END_KEY + end + "\n"
                + "damage " + damage.file() + " at byte " + damage.position() + " (offset " + damage.firstLostOffset()
                + "): " + damage.detail().replace('\n', ' ') + "\n"
                + "quarantine " + damage.quarantine() + "\n";
        DurableFiles.replace(path(groupDir), ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
        return end;
    }

    /** The end recorded, or empty when the member is not recovering. */
    static OptionalLong read(Path groupDir) throws IOException {
        String text;
        try {
            text = Files.readString(path(groupDir), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        } catch (MalformedInputException e) {
            return OptionalLong.of(Long.MAX_VALUE);
        }
        int eol = text.indexOf('\n');
        if (text.startsWith(END_KEY) && eol > 0) {
            try {
                long end = Long.parseLong(text.substring(END_KEY.length(), eol));
                return OptionalLong.of(end >= 0 ? end : Long.MAX_VALUE);
            } catch (NumberFormatException e) {
                // stands for an end no log reaches, below
            }
        }
        return OptionalLong.of(Long.MAX_VALUE);
    }

    /** The member recovered: the promise is kept, and the file goes (durably). */
    static void clear(Path groupDir) throws IOException {
        if (Files.deleteIfExists(path(groupDir))) {
            DurableFiles.syncDirectory(groupDir);
        }
    }
}
