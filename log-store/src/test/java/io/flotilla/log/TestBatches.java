package io.flotilla.log;

import io.flotilla.log.record.RecordBatchBuilder;
import io.flotilla.log.record.RecordHeader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Builds batches and scratch directories for log tests. */
final class TestBatches {
    private TestBatches() {
    }

    record TestRecord(long timestamp, byte[] key, byte[] value, List<RecordHeader> headers) {
        static TestRecord of(long timestamp, String value) {
            return new TestRecord(timestamp, null, value.getBytes(StandardCharsets.UTF_8), List.of());
        }
    }

    static ByteBuffer batch(long baseOffset, long term, List<TestRecord> records) {
        int size = 256;
        for (TestRecord r : records) {
            size += 64 + (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
            for (RecordHeader h : r.headers()) {
                size += 32 + h.key().length() * 4 + (h.value() == null ? 0 : h.value().remaining());
            }
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        long first = records.stream().mapToLong(TestRecord::timestamp).min().orElseThrow();
        RecordBatchBuilder builder = new RecordBatchBuilder().begin(buf, baseOffset, term, first);
        for (TestRecord r : records) {
            boolean fitted = builder.tryAppend(r.timestamp(), wrap(r.key()), wrap(r.value()), r.headers());
            if (!fitted) {
                throw new IllegalStateException("test buffer too small");
            }
        }
        builder.finish();
        return buf.flip();
    }

    /** A batch of {@code count} records with small distinct values, all at {@code timestamp}. */
    static ByteBuffer simple(long baseOffset, long term, int count, long timestamp) {
        TestRecord[] records = new TestRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = TestRecord.of(timestamp, String.format("value-%010d", baseOffset + i)); // fixed size
        }
        return batch(baseOffset, term, List.of(records));
    }

    private static ByteBuffer wrap(byte[] bytes) {
        return bytes == null ? null : ByteBuffer.wrap(bytes);
    }

    static byte[] bytes(ByteBuffer buf) {
        byte[] out = new byte[buf.remaining()];
        buf.duplicate().get(out);
        return out;
    }

    /**
     * A scratch directory, on tmpfs when the machine has one: these tests check logic, and
     * crashes are simulated by cutting files, so real fsync latency would only slow them down.
     */
    static Path scratchDir(String prefix) throws IOException {
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
            return Files.createTempDirectory(shm, prefix);
        }
        return Files.createTempDirectory(prefix);
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    static void copyDir(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    /** The segment file with the highest base offset: the active one. */
    static Path activeSegment(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".log"))
                    .max(Comparator.comparing(f -> f.getFileName().toString())).orElseThrow();
        }
    }

    static List<Path> segmentFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".log"))
                    .sorted(Comparator.comparing(f -> f.getFileName().toString())).toList();
        }
    }

    /** Flips the lowest bit of the byte at {@code position} of {@code file}. */
    static void flipBit(Path file, long position) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, position);
            one.put(0, (byte) (one.get(0) ^ 0x01)).rewind();
            ch.write(one, position);
        }
    }

    /** Byte position of the {@code n}th batch (from 0) of a segment file, walking the length fields. */
    static long batchStart(Path segment, int n) throws IOException {
        long pos = 0;
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ)) {
            for (int i = 0; i < n; i++) {
                ByteBuffer header = ByteBuffer.allocate(12);
                ch.read(header, pos);
                pos += header.getInt(8);
            }
        }
        return pos;
    }

    /** Byte position of the last batch of a segment file. */
    static long lastBatchStart(Path segment) throws IOException {
        long size = Files.size(segment);
        int batches = 0;
        while (batchStart(segment, batches + 1) < size) {
            batches++;
        }
        return batchStart(segment, batches);
    }

    static void truncate(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }
}
