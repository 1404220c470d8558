package io.flotilla.log;

import io.flotilla.log.record.RecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Flipped bytes and torn writes: corruption is detected on read and on recovery, reported with
 * the file and byte position, never returned as data and never silently cut away; a torn
 * write is cut back to the last whole batch.
 */
class CorruptionTest {
    private static final LogConfig CONFIG = LogConfig.DEFAULTS.withSegmentBytes(1024).withIndexIntervalBytes(128);
    private static final int BATCHES = 40;
    /** For appends that must stay unflushed: a roll would seal, and so fsync, them. */
    private static final LogConfig NO_ROLL = CONFIG.withSegmentBytes(1 << 20);
    private static final int RECORDS_PER_BATCH = 3;

    private Path dir;
    private final long[] batchPositions = new long[BATCHES];

    @BeforeEach
    void writeLog() throws IOException {
        dir = TestBatches.scratchDir("flotilla-corruption");
        try (PartitionLog log = PartitionLog.open(dir, CONFIG, () -> 0L)) {
            for (int i = 0; i < BATCHES; i++) {
                log.append(TestBatches.simple(log.endOffset(), 1, RECORDS_PER_BATCH, 1000 + i));
            }
            assertTrue(log.segmentCount() >= 3, "the test needs sealed segments and an active one");
        }
    }

    @AfterEach
    void cleanUp() throws IOException {
        TestBatches.deleteRecursively(dir);
    }

    @Test
    void flippedByteInSealedSegmentIsCaughtOnRead() throws IOException {
        Path sealed = TestBatches.segmentFiles(dir).get(0);
        long flipped = flipByteInBatch(sealed, 1);
        try (PartitionLog log = PartitionLog.open(dir, CONFIG, () -> 0L)) {
            long offset = RECORDS_PER_BATCH; // the second batch of the first segment
            CorruptLogException e = assertThrows(CorruptLogException.class,
                    () -> log.read(offset, 1 << 20).readVerified());
            assertEquals(sealed, e.file());
            assertTrue(e.getMessage().contains("CRC32C"), e.getMessage());
            assertTrue(e.position() <= flipped, "reported position " + e.position() + " is the bad batch's start");
            // Batches before the bad one still read fine.
            assertEquals(batchBytes(0), log.read(0, 1).readVerified().remaining());
        }
    }

    @Test
    void flippedByteInSealedSegmentIsCaughtOnRecoveryThatVerifiesAll() throws IOException {
        Path sealed = TestBatches.segmentFiles(dir).get(0);
        flipByteInBatch(sealed, 1);
        CorruptLogException e = assertThrows(CorruptLogException.class, () -> PartitionLog.open(dir,
                CONFIG.withVerifyOnOpen(LogConfig.VerifyOnOpen.ALL), () -> 0L));
        assertEquals(sealed, e.file());
        assertEquals(TestBatches.batchStart(sealed, 1), e.position());
        assertTrue(e.getMessage().contains("CRC32C mismatch"), e.getMessage());
    }

    @Test
    void flippedByteInSealedSegmentIsCaughtWhenItsIndexMustBeRebuilt() throws IOException {
        Path sealed = TestBatches.segmentFiles(dir).get(0);
        flipByteInBatch(sealed, 1);
        Files.delete(sealed.resolveSibling(sealed.getFileName().toString().replace(".log", ".index")));
        CorruptLogException e = assertThrows(CorruptLogException.class, () -> PartitionLog.open(dir, CONFIG, () -> 0L));
        assertEquals(sealed, e.file());
        assertEquals(TestBatches.batchStart(sealed, 1), e.position());
    }

    @Test
    void flippedByteInActiveTailIsCaughtOnReadAfterCleanStop() throws IOException {
        Path active = TestBatches.activeSegment(dir);
        long sizeBefore = Files.size(active);
        flipByteInBatch(active, 0);
        try (PartitionLog log = PartitionLog.open(dir, CONFIG, () -> 0L)) {
            long first = Long.parseLong(active.getFileName().toString().replace(".log", ""));
            CorruptLogException e = assertThrows(CorruptLogException.class, () -> log.read(first, 1).readVerified());
            assertEquals(active, e.file());
            assertEquals(0, e.position());
        }
        assertEquals(sizeBefore, Files.size(active), "nothing was cut away");
    }

    @Test
    void flippedBitInTheLastBatchIsCaughtWhenOpeningAfterACleanStop() throws IOException {
        Path active = TestBatches.activeSegment(dir);
        long last = TestBatches.lastBatchStart(active);
        TestBatches.flipBit(active, last + RecordBatch.TERM_OFFSET + 7); // its term: what a vote compares
        CorruptLogException e = assertThrows(CorruptLogException.class, () -> PartitionLog.open(dir, CONFIG, () -> 0L));
        assertEquals(active, e.file());
        assertEquals(last, e.position());
        assertEquals((BATCHES - 1) * RECORDS_PER_BATCH, e.offset());
    }

    @Test
    void aCleanOpenChecksOnlyTheHeadersOfASealedSegmentsTailSoDamageInItsRecordsIsCaughtOnRead() throws IOException {
        Path sealed = TestBatches.segmentFiles(dir).get(0);
        long last = TestBatches.lastBatchStart(sealed);
        TestBatches.flipBit(sealed, last + 80); // a record of its last batch
        try (PartitionLog log = PartitionLog.open(dir, CONFIG, () -> 0L)) { // start-up reads no sealed segment's records
            long offset = baseOffsetAt(sealed, last);
            CorruptLogException e = assertThrows(CorruptLogException.class, () -> log.read(offset, 1).readVerified());
            assertEquals(sealed, e.file());
            assertEquals(last, e.position());
        }
    }

    @Test
    void whenTheActiveSegmentIsEmptyTheLastBatchOfTheSegmentBeforeItIsVerifiedAtOpen() throws IOException {
        try (PartitionLog log = PartitionLog.open(dir, CONFIG, () -> 0L)) {
            log.roll(); // the log's last batch, whose term a vote compares, now ends a sealed segment
        }
        List<Path> segments = TestBatches.segmentFiles(dir);
        Path holdingLast = segments.get(segments.size() - 2);
        long last = TestBatches.lastBatchStart(holdingLast);
        TestBatches.flipBit(holdingLast, last + 80);
        CorruptLogException e = assertThrows(CorruptLogException.class, () -> PartitionLog.open(dir, CONFIG, () -> 0L));
        assertEquals(holdingLast, e.file());
        assertEquals(last, e.position());
        assertEquals((BATCHES - 1) * RECORDS_PER_BATCH, e.offset());
    }

    @Test
    void flippedByteInActiveTailIsCaughtOnRecoveryAndNothingIsCut() throws IOException {
        Path active = TestBatches.activeSegment(dir);
        long sizeBefore = Files.size(active);
        flipByteInBatch(active, 0); // a whole batch follows it: not explainable by a torn write
        Files.delete(dir.resolve(PartitionLog.CLEAN_SHUTDOWN_FILE)); // as after a crash
        CorruptLogException e = assertThrows(CorruptLogException.class, () -> PartitionLog.open(dir, CONFIG, () -> 0L));
        assertEquals(active, e.file());
        assertEquals(0, e.position());
        assertTrue(e.getMessage().contains("CRC32C mismatch"), e.getMessage());
        assertEquals(sizeBefore, Files.size(active), "corruption is reported, never cut away");
    }

    @Test
    void tornWriteIsCutBackToTheLastWholeBatch() throws IOException {
        Path crashed = crashWithUnflushedBatches(1);
        Path active = TestBatches.activeSegment(crashed);
        long size = Files.size(active);
        int lastBatch = batchBytes(BATCHES);
        for (long cut : List.of(size - lastBatch, size - lastBatch + 1, size - lastBatch + 20, size - 1)) {
            Path copy = TestBatches.scratchDir("flotilla-torn");
            try {
                TestBatches.copyDir(crashed, copy);
                TestBatches.truncate(copy.resolve(active.getFileName()), cut);
                try (PartitionLog log = PartitionLog.open(copy, NO_ROLL, () -> 0L)) {
                    assertEquals(BATCHES * RECORDS_PER_BATCH, log.endOffset(), "reopened at the last whole batch after a"
                            + " cut at " + cut);
                    assertEquals(size - lastBatch, Files.size(copy.resolve(active.getFileName())));
                    log.append(TestBatches.simple(log.endOffset(), 2, 1, 5000)); // and it accepts appends again
                }
            } finally {
                TestBatches.deleteRecursively(copy);
            }
        }
        TestBatches.deleteRecursively(crashed);
    }

    @Test
    void unflushedBatchesLandingOutOfOrderAreCutFromTheFirstGap() throws IOException {
        Path crashed = crashWithUnflushedBatches(3);
        try {
            Path active = TestBatches.activeSegment(crashed);
            long size = Files.size(active);
            int each = batchBytes(BATCHES);
            long second = size - 2L * each; // the second unflushed batch never landed; the third did
            try (FileChannel ch = FileChannel.open(active, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.allocate(each), second);
            }
            try (PartitionLog log = PartitionLog.open(crashed, NO_ROLL, () -> 0L)) {
                assertEquals((BATCHES + 1) * RECORDS_PER_BATCH, log.endOffset(), "kept the first unflushed batch only");
                assertEquals(second, Files.size(active));
            }
        } finally {
            TestBatches.deleteRecursively(crashed);
        }
    }

    @Test
    void aSegmentShorterThanTheRecoveryPointIsCorruptionNotATornWrite() throws IOException {
        Path active = TestBatches.activeSegment(dir);
        long size = Files.size(active);
        Files.delete(dir.resolve(PartitionLog.CLEAN_SHUTDOWN_FILE));
        TestBatches.truncate(active, size - 10); // fsynced bytes are gone: the disk lost data, not the crash
        CorruptLogException e = assertThrows(CorruptLogException.class, () -> PartitionLog.open(dir, CONFIG, () -> 0L));
        assertEquals(active, e.file());
        assertTrue(e.getMessage().contains("recovery point"), e.getMessage());
    }

    @Test
    void zerosAfterTheLastBatchAreATornWrite() throws IOException {
        Path active = TestBatches.activeSegment(dir);
        long size = Files.size(active);
        Files.delete(dir.resolve(PartitionLog.CLEAN_SHUTDOWN_FILE));
        try (FileChannel ch = FileChannel.open(active, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(300), size); // the file grew but the data never landed
        }
        try (PartitionLog log = PartitionLog.open(dir, CONFIG, () -> 0L)) {
            assertEquals(BATCHES * RECORDS_PER_BATCH, log.endOffset());
            assertEquals(size, Files.size(active));
        }
    }

    /** The base offset in the header of the batch at {@code position} of {@code segment}. */
    private static long baseOffsetAt(Path segment, long position) throws IOException {
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ)) {
            ByteBuffer base = ByteBuffer.allocate(8);
            ch.read(base, position);
            return base.getLong(0);
        }
    }

    /**
     * Reopens the log, appends {@code unflushed} batches without flushing, and copies the
     * directory as a crash would leave it (no clean-shutdown marker, the recovery point at the
     * last flush).
     */
    private Path crashWithUnflushedBatches(int unflushed) throws IOException {
        Path copy = TestBatches.scratchDir("flotilla-crash");
        try (PartitionLog log = PartitionLog.open(dir, NO_ROLL, () -> 0L)) {
            for (int i = 0; i < unflushed; i++) {
                log.append(TestBatches.simple(log.endOffset(), 1, RECORDS_PER_BATCH, 1000 + BATCHES + i));
            }
            TestBatches.copyDir(dir, copy);
        }
        return copy;
    }

    @Test
    void damagedIndexIsRebuiltAndReadsStayCorrect() throws IOException {
        Path sealed = TestBatches.segmentFiles(dir).get(0);
        Path index = sealed.resolveSibling(sealed.getFileName().toString().replace(".log", ".index"));
        Files.write(index, new byte[] {1, 2, 3, 4, 5}); // not a whole number of entries
        try (PartitionLog log = PartitionLog.open(dir, CONFIG, () -> 0L)) {
            for (long offset = 0; offset < log.endOffset(); offset++) {
                ByteBuffer batch = log.read(offset, 1).readVerified();
                long base = batch.getLong(0);
                assertTrue(base <= offset && offset < base + RECORDS_PER_BATCH, "read at " + offset + " got batch " + base);
            }
        }
        assertEquals(0, Files.size(index) % SparseIndex.ENTRY_BYTES, "the index file was rewritten");
    }

    /** Flips one bit in the middle of the {@code n}th batch of a segment file; returns its position. */
    private long flipByteInBatch(Path segment, int n) throws IOException {
        long position = TestBatches.batchStart(segment, n) + batchBytes(0) / 2;
        TestBatches.flipBit(segment, position);
        return position;
    }

    private static int batchBytes(int i) {
        return TestBatches.simple(0, 1, RECORDS_PER_BATCH, 1000 + i).remaining();
    }
}
