package io.flotilla.jepsen.process;

import io.flotilla.log.record.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Damage to the segment files of one replica's log, made while its node is down, as a failing
 * disk makes it. What the broker must make of it follows from the log store's rules
 * (docs/ARCHITECTURE.md, "Recovery" and "Storage damage"): damage anywhere in a sealed segment,
 * or in a batch of the active segment below the recovery point (the offset below which the node
 * had fsynced everything), is corruption: the replica cuts its log before the damaged batch,
 * keeps the bytes from there in a {@code damaged-*} quarantine beside its segments, promises
 * (the file {@code recovering}) not to vote until it holds again what it may have acknowledged,
 * and gets it back from its peers. Damage at or above the recovery point may be a torn write of
 * data the node never acknowledged, and is cut without a word.
 */
final class SegmentDamage {
    /** What the disk does. */
    enum Kind {
        /** One bit flipped in a random byte of a batch below the recovery point (any segment). */
        FLIP_COMMITTED("bit flipped below the recovery point"),
        /** One bit flipped in a random byte of the log's last batch. */
        FLIP_TAIL("bit flipped in the last batch"),
        /** The last segment cut short at a random byte of the last 4 KiB of its batches. */
        TRUNCATE_TAIL("last segment cut short");

        private final String description;

        Kind(String description) {
            this.description = description;
        }
    }

    /**
     * Damage done.
     *
     * @param kind          what was done (a flip below the recovery point becomes a flip of the last
     *                      batch when nothing lies below it)
     * @param segment       the file damaged
     * @param position      the byte flipped, or the new length of the file
     * @param batchOffset   the base offset of the first batch damaged
     * @param recoveryPoint the log's recovery point, -1 when its file holds none
     * @param corruption    whether the broker must take it for corruption (quarantine, recovery
     *                      from the peers) rather than a torn write
     */
    record Damage(Kind kind, Path segment, long position, long batchOffset, long recoveryPoint, boolean corruption) {
        String describe() {
            return kind.description + " in " + segment + " at byte " + position + " (the batch at offset " + batchOffset
                    + "; recovery point " + recoveryPoint + ": " + (corruption ? "corruption" : "a torn write") + ")";
        }
    }

    /** A batch as its header places it in a segment. */
    private record Batch(long position, int length, long baseOffset, long nextOffset) {
    }

    static final String RECOVERY_POINT_FILE = "recovery-point";
    static final String QUARANTINE_PREFIX = "damaged-";
    private static final int TAIL_BYTES = 4096;

    private SegmentDamage() {
    }

    /**
     * Damages the log in {@code logDir} (its node must be down).
     *
     * @throws IllegalStateException if the log holds no batch
     */
    static Damage apply(Kind kind, Path logDir, Random random) throws IOException {
        List<Path> segments = segments(logDir);
        long recoveryPoint = recoveryPoint(logDir);
        if (kind == Kind.FLIP_COMMITTED) {
            List<Batch> below = new ArrayList<>();
            Path segment = null;
            for (Path candidate : shuffled(segments, random)) {
                boolean sealed = !candidate.equals(segments.get(segments.size() - 1));
                below = batches(candidate).stream().filter(b -> sealed || b.nextOffset() <= recoveryPoint).toList();
                if (!below.isEmpty()) {
                    segment = candidate;
                    break;
                }
            }
            if (segment != null) {
                return flip(kind, segment, below.get(random.nextInt(below.size())), segments, recoveryPoint, random);
            }
            kind = Kind.FLIP_TAIL;
        }
        Path last = null;
        List<Batch> batches = List.of();
        for (int i = segments.size() - 1; i >= 0 && batches.isEmpty(); i--) {
            last = segments.get(i);
            batches = batches(last);
        }
        if (batches.isEmpty()) {
            throw new IllegalStateException("the log in " + logDir + " holds no batch to damage");
        }
        if (kind == Kind.FLIP_TAIL) {
            return flip(kind, last, batches.get(batches.size() - 1), segments, recoveryPoint, random);
        }
        Batch lastBatch = batches.get(batches.size() - 1);
        long end = lastBatch.position() + lastBatch.length();
        long cut = Math.max(0, end - TAIL_BYTES) + random.nextInt((int) Math.min(end, TAIL_BYTES));
        Batch hit = batches.stream().filter(b -> b.position() + b.length() > cut).findFirst().orElseThrow();
        try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
            ch.truncate(cut);
        }
        return damage(kind, last, cut, hit, segments, recoveryPoint);
    }

    /** The names of the quarantines a salvage of this log left. */
    static List<String> quarantines(Path logDir) throws IOException {
        try (Stream<Path> files = Files.list(logDir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(QUARANTINE_PREFIX)).sorted()
                    .toList();
        }
    }

    private static Damage flip(Kind kind, Path segment, Batch batch, List<Path> segments, long recoveryPoint,
            Random random) throws IOException {
        long position = batch.position() + random.nextInt(batch.length());
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            readFully(ch, one, position);
            one.put(0, (byte) (one.get(0) ^ (1 << random.nextInt(8)))).rewind();
            ch.write(one, position);
        }
        return damage(kind, segment, position, batch, segments, recoveryPoint);
    }

    private static Damage damage(Kind kind, Path segment, long position, Batch batch, List<Path> segments,
            long recoveryPoint) {
        boolean sealed = !segment.equals(segments.get(segments.size() - 1));
        return new Damage(kind, segment, position, batch.baseOffset(), recoveryPoint,
                sealed || batch.baseOffset() < recoveryPoint);
    }

    /** The segment files, oldest first (their names are their base offsets, zero-padded). */
    private static List<Path> segments(Path logDir) throws IOException {
        try (Stream<Path> files = Files.list(logDir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList();
        }
    }

    /** The batches of a segment, by their headers, up to the first that does not fit in the file. */
    private static List<Batch> batches(Path segment) throws IOException {
        List<Batch> out = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer header = ByteBuffer.allocate(RecordBatch.HEADER_BYTES);
            for (long pos = 0; pos + RecordBatch.HEADER_BYTES <= size; ) {
                readFully(ch, header.clear(), pos);
                int length = header.getInt(RecordBatch.LENGTH_OFFSET);
                if (length < RecordBatch.HEADER_BYTES || pos + length > size) {
                    break;
                }
                long base = header.getLong(RecordBatch.BASE_OFFSET_OFFSET);
                out.add(new Batch(pos, length, base, base + header.getInt(RecordBatch.RECORD_COUNT_OFFSET)));
                pos += length;
            }
        }
        return out;
    }

    /** The log's recovery point (int64 offset, int32 CRC32C of it), or -1 if its file holds none, as the log reads it. */
    static long recoveryPoint(Path logDir) throws IOException {
        Path file = logDir.resolve(RECOVERY_POINT_FILE);
        if (!Files.exists(file)) {
            return -1;
        }
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file));
        if (bytes.remaining() < Long.BYTES + Integer.BYTES) {
            return -1;
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes.array(), 0, Long.BYTES);
        return (int) crc.getValue() == bytes.getInt(Long.BYTES) ? bytes.getLong(0) : -1;
    }

    private static void readFully(FileChannel ch, ByteBuffer into, long position) throws IOException {
        while (into.hasRemaining()) {
            if (ch.read(into, position + into.position()) < 0) {
                throw new IOException("unexpected end of file at byte " + (position + into.position()));
            }
        }
    }

    private static List<Path> shuffled(List<Path> paths, Random random) {
        List<Path> out = new ArrayList<>(paths);
        Collections.shuffle(out, random);
        return out;
    }
}
