package io.flotilla.jepsen.simdisk;

import io.flotilla.log.CorruptLogException;
import io.flotilla.log.LogConfig;
import io.flotilla.log.PartitionLog;
import io.flotilla.log.record.RecordBatchBuilder;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The broker's own partition log on the simulated disk: what fsync keeps, what a crash loses, what corruption does. */
class SimFileSystemTest {
    private static final LogConfig SMALL_SEGMENTS = LogConfig.DEFAULTS.withSegmentBytes(1024);

    private final SimFileSystem fs = new SimFileSystem("test");
    private final Path dir = fs.getPath("/log");

    private static ByteBuffer batch(long baseOffset) {
        ByteBuffer buf = ByteBuffer.allocate(256);
        RecordBatchBuilder builder = new RecordBatchBuilder().begin(buf, baseOffset, 1, 1_000);
        builder.tryAppend(1_000, null, ByteBuffer.wrap(("value-" + baseOffset).getBytes()), List.of());
        builder.finish();
        return buf.flip();
    }

    private static void appendUpTo(PartitionLog log, long end) throws IOException {
        while (log.endOffset() < end) {
            log.append(batch(log.endOffset()));
        }
    }

    @Test
    void aCrashLosesExactlyTheWritesAfterTheLastFsync() throws IOException {
        // one segment: a roll would fsync the segment it seals
        PartitionLog log = PartitionLog.open(dir, LogConfig.DEFAULTS, () -> 0);
        appendUpTo(log, 30);
        assertEquals(30, log.flush());
        appendUpTo(log, 45);

        assertTrue(fs.crash(CrashFate.LOSE_UNSYNCED, new SplittableRandom(1)) > 0);

        PartitionLog reopened = PartitionLog.open(dir, LogConfig.DEFAULTS, () -> 0);
        assertEquals(30, reopened.endOffset());
        assertThrows(java.nio.channels.ClosedChannelException.class, () -> log.append(batch(45)),
                "the crashed process's channels must be dead");
    }

    @Test
    void aCrashThatKeepsThePageCacheLosesNothing() throws IOException {
        PartitionLog log = PartitionLog.open(dir, SMALL_SEGMENTS, () -> 0);
        appendUpTo(log, 40);
        log.flush();
        appendUpTo(log, 50);

        assertEquals(0, fs.crash(CrashFate.KEEP_ALL, new SplittableRandom(1)));

        assertEquals(50, PartitionLog.open(dir, SMALL_SEGMENTS, () -> 0).endOffset());
    }

    @Test
    void tornUnsyncedWritesAreCutAtTheFirstBadBatch() throws IOException {
        for (long seed = 1; seed <= 20; seed++) {
            SimFileSystem disk = new SimFileSystem("torn-" + seed);
            Path logDir = disk.getPath("/log");
            PartitionLog log = PartitionLog.open(logDir, SMALL_SEGMENTS, () -> 0);
            appendUpTo(log, 20);
            log.flush();
            appendUpTo(log, 40);
            disk.crash(CrashFate.TORN, new SplittableRandom(seed));

            long end = PartitionLog.open(logDir, SMALL_SEGMENTS, () -> 0).endOffset();
            assertTrue(end >= 20 && end <= 40, "seed " + seed + ": the log ends at " + end);
        }
    }

    @Test
    void aFlippedBitInFsyncedDataIsCorruptionNotATornWrite() throws IOException {
        PartitionLog log = PartitionLog.open(dir, SMALL_SEGMENTS, () -> 0);
        appendUpTo(log, 30);
        log.flush();
        fs.crash(CrashFate.KEEP_ALL, new SplittableRandom(1));
        Map<Path, Integer> files = fs.files(dir);
        Path lastSegment = files.keySet().stream().filter(p -> p.toString().endsWith(".log")).reduce((a, b) -> b)
                .orElseThrow();
        fs.flipBit(lastSegment, 70, 3);

        assertThrows(CorruptLogException.class, () -> PartitionLog.open(dir, SMALL_SEGMENTS, () -> 0));
    }
}
