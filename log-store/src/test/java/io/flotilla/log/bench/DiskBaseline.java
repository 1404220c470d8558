package io.flotilla.log.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What the disk (and page cache) can do with plain {@link FileChannel} calls, measured in the
 * same run as the log so each log figure can be read as a fraction of it.
 */
final class DiskBaseline {
    private static final int CHUNK_BYTES = 1 << 20;
    private static final int SMALL_WRITE_BYTES = 4096;

    private DiskBaseline() {
    }

    /**
     * Writes {@code bytes} of random data to a new file in 1 MiB writes, then fsyncs once: the
     * bound for a log that appends without fsync and flushes at the end. The time includes the
     * fsync, so the page cache cannot make it faster than the disk.
     */
    static Figure sequentialWrite(Path file, long bytes, String when) throws IOException {
        ByteBuffer chunk = randomDirect(CHUNK_BYTES);
        long start = System.nanoTime();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long written = 0; written < bytes; ) {
                chunk.clear().limit((int) Math.min(CHUNK_BYTES, bytes - written));
                written += ch.write(chunk);
            }
            ch.force(true);
        }
        return Figure.throughput("disk.seqWrite." + when, "disk: 1 MiB writes + fsync, " + when, bytes,
                System.nanoTime() - start);
    }

    /**
     * Reads {@code file} in 1 MiB reads into a direct buffer (one copy, no checks): the bound for
     * the log's read path. The file was just written, so this reads the page cache, not the disk.
     */
    static Figure sequentialRead(Path file) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK_BYTES);
        long total = 0;
        long start = System.nanoTime();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (int n = ch.read(chunk.clear()); n >= 0; n = ch.read(chunk.clear())) {
                total += n;
            }
        }
        return Figure.throughput("disk.seqRead", "file: 1 MiB reads (page cache)", total, System.nanoTime() - start);
    }

    /**
     * Appends 4 KiB and fdatasyncs, {@code count} times: the cost of one small durable write,
     * which bounds how fast one writer can go when every append waits for its fsync. The file
     * grows like a log segment does, so each sync also commits the new size.
     */
    static Figure syncedWriteLatency(Path file, int count) throws IOException {
        ByteBuffer block = randomDirect(SMALL_WRITE_BYTES);
        Histogram latency = LogBenchmark.newLatencyHistogram();
        long start = System.nanoTime();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (int i = 0; i < count; i++) {
                long t0 = System.nanoTime();
                ch.write(block.clear());
                ch.force(false);
                latency.recordValue(System.nanoTime() - t0);
            }
        }
        return Figure.latencyOnly("disk.syncedWrite4k", "disk: 4 KiB write + fdatasync", System.nanoTime() - start,
                latency).withFsyncs(count);
    }

    private static ByteBuffer randomDirect(int size) {
        return ByteBuffer.allocateDirect(size).put(LogBenchmark.randomBytes(size)).flip();
    }
}
