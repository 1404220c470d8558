package io.flotilla.log;

import io.flotilla.log.record.RecordBatch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Salvaging a damaged log: finding the first bad batch by verifying every segment, reading what
 * the disk still shows past it, and cutting the log before it while keeping the damaged bytes.
 * Rare and thorough: every byte of every segment is checked, whatever the open mode says. Only
 * live offsets count: segments wholly below the log start are ignored, and a bad batch wholly
 * below it is stepped over where its length allows (the batches a prefix deletion left in the
 * segment holding the start are no longer part of the log).
 *
 * <p>The cut keeps the intact prefix and nothing after the first bad batch, never a later
 * batch that happens to verify: a log with a hole is no log. The bytes cut away are moved into
 * a quarantine directory inside the log directory (the damaged segment copied, the later ones
 * moved whole), where {@link PartitionLog} never looks, for an operator to inspect or delete.
 */
final class LogSalvage {
    static final String QUARANTINE_PREFIX = "damaged-";
    /**
     * The fewest bytes a record takes (one byte each for its length, attributes, timestamp and
     * offset deltas, key and value lengths and header count), which bounds the records a batch
     * of a given length can hold.
     */
    private static final int MIN_RECORD_BYTES = 7;

    private LogSalvage() {
    }

    /** Where the damage begins: segment {@code index} of the directory's, from byte {@code position}. */
    private record Cut(int index, long position, long offset, String detail) {
    }

    /**
     * The first damage in {@code dir}'s segments, or null if every batch verifies and every
     * segment follows the one before (the damage lies elsewhere, such as in a checkpoint, and
     * cannot be salvaged by cutting). Only reads: a torn tail of the last segment above the
     * recovery point, which opening cuts, is not damage, and only after a crash: after a clean
     * stop ({@code cleanStop}) nothing counts as torn, since the recovery point may be stale.
     */
    static LogDamage assess(Path dir, LogConfig config, RecoveryPoint recoveryPoint, boolean cleanStop, long nowMs)
            throws IOException {
        long logStart = LogStart.read(dir).offset();
        List<Long> bases = liveSegments(dir, logStart);
        Cut cut = findCut(dir, bases, config, recoveryPoint.value(), cleanStop, logStart);
        if (cut == null) {
            return null;
        }
        long end = Math.max(recoveryPoint.value(), cut.offset());
        int firstIntact = cut.index() + 1; // the first segment all of whose headers are evidence
        long cutBase = bases.get(cut.index());
        if (cut.position() == 0 && cutBase != cut.offset()) {
            firstIntact = cut.index(); // it does not follow the one before, but its own batches may be whole
        } else {
            end = Math.max(end, readableEnd(segmentFile(dir, cutBase), cut.position(), cut.offset(), true));
        }
        for (int i = firstIntact; i < bases.size(); i++) {
            long base = bases.get(i);
            end = Math.max(end, Math.max(base, readableEnd(segmentFile(dir, base), 0, base, false)));
        }
        Path quarantine = dir.resolve(QUARANTINE_PREFIX + cut.offset() + "-" + nowMs);
        return new LogDamage(segmentFile(dir, bases.get(cut.index())), cut.position(), cut.offset(), end, quarantine,
                cut.detail());
    }

    private static Cut findCut(Path dir, List<Long> bases, LogConfig config, long recoveryPoint, boolean cleanStop,
                               long logStart) throws IOException {
        long expected = -1;
        for (int i = 0; i < bases.size(); i++) {
            long base = bases.get(i);
            if (expected >= 0 && base != expected) {
                return new Cut(i, 0, expected, "segment starts at offset " + base + " but the previous one ends"
                        + " before offset " + expected);
            }
            boolean last = i == bases.size() - 1;
            LogSegment segment;
            try {
                segment = LogSegment.open(dir, base, config, LogSegment.OpenMode.VERIFY, false, recoveryPoint,
                        logStart);
            } catch (CorruptLogException e) {
                if (e.offset() < 0) {
                    throw e; // not in the batches (a segment past the size limit): nothing to cut
                }
                if (last && !cleanStop && e.offset() >= recoveryPoint) {
                    return null; // a torn write, which opening cuts
                }
                return new Cut(i, e.position(), e.offset(), e.detail());
            }
            expected = segment.nextOffset();
            int size = segment.size();
            segment.close(false);
            if (last && expected < recoveryPoint) {
                return new Cut(i, size, expected, "the log ends before offset " + expected
                        + " but the recovery point says offsets below " + recoveryPoint + " were fsynced");
            }
        }
        return null;
    }

    /**
     * The end of the batches whose headers still read as a run from {@code position} on, where
     * offset {@code expected} is due: how far the log reached, as far as this file shows. With
     * {@code skipFirst}, the batch at {@code position} is the bad one: a plausible header shows
     * it existed, so the log reached past {@code expected}; its length is used to step over it,
     * but its record count is not trusted, and the next header must start within the records a
     * batch of that length can hold. Headers are not verified (their batches' bytes may be
     * gone): this is evidence of what existed, never data.
     */
    private static long readableEnd(Path file, long position, long expected, boolean skipFirst) throws IOException {
        long next = expected;
        long reached = expected;
        long skippedUpTo = -1;
        boolean skipping = skipFirst;
        ByteBuffer header = ByteBuffer.allocate(RecordBatch.HEADER_BYTES);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            for (long pos = position; size - pos >= RecordBatch.HEADER_BYTES; ) {
                header.clear();
                while (header.hasRemaining() && ch.read(header, pos + header.position()) > 0) {
                    // read the whole header
                }
                int length = header.getInt(RecordBatch.LENGTH_OFFSET);
                if (header.get(RecordBatch.MAGIC_OFFSET) != RecordBatch.MAGIC_V1 || length < RecordBatch.HEADER_BYTES
                        || pos + length > size) {
                    break;
                }
                long most = (length - RecordBatch.HEADER_BYTES) / MIN_RECORD_BYTES;
                if (skipping) {
                    skipping = false;
                    reached = expected + 1; // a batch holds at least one record
                    skippedUpTo = next + most;
                    pos += length;
                    continue;
                }
                long base = header.getLong(RecordBatch.BASE_OFFSET_OFFSET);
                int count = header.getInt(RecordBatch.RECORD_COUNT_OFFSET);
                boolean follows = skippedUpTo >= 0 ? base > next && base <= skippedUpTo : base == next;
                if (!follows || count < 1 || count > most) {
                    break;
                }
                skippedUpTo = -1;
                next = base + count;
                pos += length;
            }
        }
        return Math.max(next, reached);
    }

    /**
     * Cuts the log before {@code damage}: the recovery point is lowered to the cut (durably,
     * first), the bytes from the damage on go into the quarantine (the damaged segment copied,
     * later segments moved whole), the damaged segment is truncated and fsynced, and its index
     * files and (first) the clean-shutdown marker are deleted so the next open rebuilds and verifies.
     */
    static void cut(Path dir, LogDamage damage, RecoveryPoint recoveryPoint) throws IOException {
        List<Long> bases = liveSegments(dir, LogStart.read(dir).offset());
        long damagedBase = bases.stream().filter(b -> segmentFile(dir, b).equals(damage.file())).findFirst()
                .orElseThrow(() -> new IllegalStateException("the damaged segment " + damage.file() + " is gone"));
        recoveryPoint.lower(damage.firstLostOffset());
        // No longer a cleanly closed log: a crash part-way must not have the next open trust its indexes.
        Files.deleteIfExists(dir.resolve(PartitionLog.CLEAN_SHUTDOWN_FILE));
        LogStart.syncDirectory(dir);
        Files.createDirectories(damage.quarantine());
        boolean wholeSegment = damage.position() == 0 && damagedBase != bases.get(0);
        for (long base : bases) {
            if (base > damagedBase || (base == damagedBase && wholeSegment)) {
                for (String suffix : List.of(LogSegment.LOG_SUFFIX, LogSegment.OFFSET_INDEX_SUFFIX,
                        LogSegment.TIME_INDEX_SUFFIX)) {
                    Path file = dir.resolve(LogSegment.fileName(base, suffix));
                    if (Files.exists(file)) {
                        Files.move(file, damage.quarantine().resolve(file.getFileName()),
                                StandardCopyOption.ATOMIC_MOVE);
                    }
                }
            }
        }
        if (!wholeSegment) {
            Files.copy(damage.file(), damage.quarantine().resolve(damage.file().getFileName()),
                    StandardCopyOption.REPLACE_EXISTING);
        }
        LogStart.syncDirectory(damage.quarantine());
        if (!wholeSegment) {
            try (FileChannel ch = FileChannel.open(damage.file(), StandardOpenOption.WRITE)) {
                ch.truncate(damage.position());
                ch.force(true);
            }
            Files.deleteIfExists(dir.resolve(LogSegment.fileName(damagedBase, LogSegment.OFFSET_INDEX_SUFFIX)));
            Files.deleteIfExists(dir.resolve(LogSegment.fileName(damagedBase, LogSegment.TIME_INDEX_SUFFIX)));
        }
        LogStart.syncDirectory(dir);
    }

    /** The segments holding offsets at or after the log start: damage below it is not live (and not cut). */
    private static List<Long> liveSegments(Path dir, long logStart) throws IOException {
        List<Long> bases = PartitionLog.listSegments(dir);
        return bases.subList(PartitionLog.firstLiveSegment(bases, logStart), bases.size());
    }

    private static Path segmentFile(Path dir, long base) {
        return dir.resolve(LogSegment.fileName(base, LogSegment.LOG_SUFFIX));
    }
}
