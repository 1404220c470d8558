package io.flotilla.log;

import io.flotilla.log.record.RecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Salvaging a damaged log ({@link PartitionLog#openSalvaging}): the cut falls before the first
 * bad batch, whatever follows it; the handler hears of the damage, with how far the log reached,
 * before anything changes; the bytes cut away are kept in a quarantine directory; damage that
 * cutting cannot mend is refused as before.
 */
class SalvageTest {
    private static final LogConfig CONFIG = LogConfig.DEFAULTS.withSegmentBytes(1024).withIndexIntervalBytes(128);
    private static final LogConfig VERIFY_ALL = CONFIG.withVerifyOnOpen(LogConfig.VerifyOnOpen.ALL);
    /** Each segment indexed at its first batch only: lookups and tail walks start at byte 0. */
    private static final LogConfig SPARSE_INDEX = CONFIG.withIndexIntervalBytes(1 << 20);
    private static final int BATCHES = 40;
    private static final int RECORDS = 3;
    private static final long END = BATCHES * RECORDS;

    private Path dir;

    @BeforeEach
    void writeLog() throws IOException {
        dir = TestBatches.scratchDir("flotilla-salvage");
        write(CONFIG);
    }

    private void write(LogConfig config) throws IOException {
        try (PartitionLog log = PartitionLog.open(dir, config, () -> 0L)) {
            for (int i = 0; i < BATCHES; i++) {
                log.append(TestBatches.simple(log.endOffset(), 1, RECORDS, 1000 + i));
            }
            assertTrue(log.segmentCount() >= 4, "the test needs several sealed segments");
        }
    }

    @AfterEach
    void cleanUp() throws IOException {
        TestBatches.deleteRecursively(dir);
    }

    @Test
    void aFlippedBitInASealedSegmentCutsTheLogBeforeItsBatchAndKeepsTheRestAside() throws IOException {
        Path damaged = TestBatches.segmentFiles(dir).get(1);
        List<Path> later = TestBatches.segmentFiles(dir).subList(2, TestBatches.segmentFiles(dir).size());
        long batchAt = TestBatches.batchStart(damaged, 1);
        TestBatches.flipBit(damaged, batchAt + 40);
        byte[] damagedBytes = Files.readAllBytes(damaged);
        long lost = baseOffsetOf(damaged) + RECORDS; // its second batch
        List<LogDamage> told = new ArrayList<>();

        try (PartitionLog log = PartitionLog.openSalvaging(dir, VERIFY_ALL, () -> 77L, told::add)) {
            assertEquals(1, told.size(), "the handler heard of it once");
            LogDamage damage = told.get(0);
            assertEquals(damaged, damage.file());
            assertEquals(batchAt, damage.position());
            assertEquals(lost, damage.firstLostOffset());
            assertEquals(END, damage.evidencedEnd(), "the log reached its old end, as the later segments show");
            assertTrue(damage.detail().contains("CRC32C"), damage.detail());
            assertEquals(dir.resolve("damaged-" + lost + "-77"), damage.quarantine());

            assertEquals(lost, log.endOffset(), "cut before the bad batch, though the batches after it verify");
            for (long offset = 0; offset < lost; offset += RECORDS) {
                assertEquals(offset, log.read(offset, 1).readVerified().getLong(0), "the prefix reads back");
            }
            log.append(TestBatches.simple(lost, 2, RECORDS, 5000)); // and the log grows from the cut
        }
        assertArrayEquals(damagedBytes, Files.readAllBytes(told.get(0).quarantine().resolve(damaged.getFileName())),
                "the damaged segment is kept whole");
        for (Path p : later) {
            assertTrue(Files.exists(told.get(0).quarantine().resolve(p.getFileName())), p + " moved aside");
        }
    }

    @Test
    void aHandlerThatFailsLeavesTheLogAsItWas() throws IOException {
        Path damaged = TestBatches.segmentFiles(dir).get(1);
        TestBatches.flipBit(damaged, TestBatches.batchStart(damaged, 1) + 40);
        List<Path> before = TestBatches.segmentFiles(dir);
        long size = Files.size(damaged);

        IOException e = assertThrows(IOException.class, () -> PartitionLog.openSalvaging(dir, VERIFY_ALL, () -> 0L,
                damage -> {
                    throw new IOException("no marker could be written");
                }));

        assertEquals("no marker could be written", e.getMessage());
        assertEquals(before, TestBatches.segmentFiles(dir));
        assertEquals(size, Files.size(damaged));
        assertEquals(0, quarantines().size());
    }

    @Test
    void aSealedSegmentCutShortIsFoundAtAnOpenAfterACleanStopAndCutAtItsLastWholeBatch() throws IOException {
        Path shortened = TestBatches.segmentFiles(dir).get(2);
        long secondBatch = TestBatches.batchStart(shortened, 1);
        TestBatches.truncate(shortened, secondBatch + 30); // the disk lost the end of a sealed segment
        List<LogDamage> told = new ArrayList<>();

        try (PartitionLog log = PartitionLog.openSalvaging(dir, CONFIG, () -> 0L, told::add)) {
            long lost = baseOffsetOf(shortened) + RECORDS;
            assertEquals(lost, told.get(0).firstLostOffset());
            assertEquals(END, told.get(0).evidencedEnd());
            assertEquals(lost, log.endOffset());
        }
    }

    @Test
    void theActiveSegmentCutAtABatchBoundaryShowsAgainstTheRecoveryPoint() throws IOException {
        Path active = TestBatches.activeSegment(dir);
        TestBatches.truncate(active, TestBatches.batchStart(active, 1)); // whole batches gone: no torn write
        assertThrows(CorruptLogException.class, () -> PartitionLog.open(dir, CONFIG, () -> 0L));
        List<LogDamage> told = new ArrayList<>();

        try (PartitionLog log = PartitionLog.openSalvaging(dir, CONFIG, () -> 0L, told::add)) {
            long kept = baseOffsetOf(active) + RECORDS;
            assertEquals(kept, told.get(0).firstLostOffset());
            assertEquals(END, told.get(0).evidencedEnd(), "the recovery point remembers the old end");
            assertEquals(kept, log.endOffset());
        }
        try (PartitionLog log = PartitionLog.open(dir, CONFIG, () -> 0L)) {
            assertEquals(baseOffsetOf(active) + RECORDS, log.endOffset(), "the recovery point was lowered to the cut");
        }
    }

    @Test
    void aBadHeaderInTheActiveSegmentLeavesTheRecoveryPointAsTheEvidence() throws IOException {
        Path active = TestBatches.activeSegment(dir);
        TestBatches.flipBit(active, TestBatches.batchStart(active, 0) + 9); // the first batch's length: no way past it
        List<LogDamage> told = new ArrayList<>();

        try (PartitionLog log = PartitionLog.openSalvaging(dir, VERIFY_ALL, () -> 0L, told::add)) {
            assertEquals(baseOffsetOf(active), log.endOffset());
            assertEquals(END, told.get(0).evidencedEnd());
        }
    }

    @ParameterizedTest(name = "recovery point {0}")
    @ValueSource(longs = {-1, 0, END - RECORDS})
    void aFlippedBitInTheLastBatchAfterACleanStopIsDamageWhateverTheRecoveryPointSays(long recoveryPoint)
            throws IOException {
        Path active = TestBatches.activeSegment(dir);
        long lastBatch = TestBatches.lastBatchStart(active);
        TestBatches.flipBit(active, lastBatch + 80); // in its records
        recoveryPointReads(recoveryPoint);
        long lost = END - RECORDS;
        List<LogDamage> told = new ArrayList<>();

        try (PartitionLog log = PartitionLog.openSalvaging(dir, CONFIG, () -> 5L, told::add)) {
            assertEquals(1, told.size(), "damage, not a torn write: the log was closed cleanly");
            assertEquals(lastBatch, told.get(0).position());
            assertEquals(lost, told.get(0).firstLostOffset());
            assertEquals(lost + 1, told.get(0).evidencedEnd(), "the damaged batch existed, so the log reached past it");
            assertEquals(lost, log.endOffset());
        }
        assertTrue(Files.exists(told.get(0).quarantine().resolve(active.getFileName())), "its bytes are kept");
    }

    @ParameterizedTest(name = "recovery point {0}")
    @ValueSource(longs = {-1, 0})
    void aSegmentMissingBeforeTheActiveOneIsCutAtTheGapAndTheActiveSegmentsBatchesShowTheOldEnd(long recoveryPoint)
            throws IOException {
        List<Path> segments = TestBatches.segmentFiles(dir);
        Path missing = segments.get(segments.size() - 2);
        Files.delete(missing); // the disk lost the last sealed segment
        recoveryPointReads(recoveryPoint);
        List<LogDamage> told = new ArrayList<>();

        try (PartitionLog log = PartitionLog.openSalvaging(dir, CONFIG, () -> 0L, told::add)) {
            assertEquals(baseOffsetOf(missing), told.get(0).firstLostOffset());
            assertEquals(END, told.get(0).evidencedEnd(), "the active segment's intact batches show how far the log reached");
            assertEquals(baseOffsetOf(missing), log.endOffset());
        }
    }

    @Test
    void aSalvageThatFailsAfterACleanStopLeavesTheStopCleanSoTheNextOpenFindsTheDamageAgain() throws IOException {
        Path active = TestBatches.activeSegment(dir);
        TestBatches.flipBit(active, TestBatches.lastBatchStart(active) + 80);
        recoveryPointReads(END - RECORDS); // its last write was lost: the damaged batch would pass for a torn write
        assertThrows(IOException.class, () -> PartitionLog.openSalvaging(dir, CONFIG, () -> 0L, damage -> {
            throw new IOException("no marker could be written");
        }));
        List<LogDamage> told = new ArrayList<>();

        try (PartitionLog log = PartitionLog.openSalvaging(dir, CONFIG, () -> 0L, told::add)) {
            assertEquals(1, told.size(), "found again, not cut as a torn write");
            assertEquals(END - RECORDS, told.get(0).firstLostOffset());
            assertEquals(END - RECORDS, log.endOffset());
        }
    }

    /** How the log is reopened: trusting its indexes, verifying every batch, or recovering after a crash. */
    enum Reopen { CLEAN, CLEAN_VERIFYING_ALL, AFTER_A_CRASH }

    @ParameterizedTest(name = "{0}, byte {1} of the batch")
    @CsvSource({"CLEAN, 3", "CLEAN, 80", "CLEAN_VERIFYING_ALL, 3", "CLEAN_VERIFYING_ALL, 80", "AFTER_A_CRASH, 3",
            "AFTER_A_CRASH, 80"})
    void damageBelowTheLogStartIsNeitherCutNorCountedAsLostAndLookupsGoPastIt(Reopen reopen, int damagedByte)
            throws IOException {
        TestBatches.deleteRecursively(dir);
        Files.createDirectories(dir);
        write(SPARSE_INDEX);
        Path active = TestBatches.activeSegment(dir);
        long start = baseOffsetOf(active) + 2 * RECORDS; // the segment keeps two batches below the start
        try (PartitionLog log = PartitionLog.open(dir, SPARSE_INDEX, () -> 0L)) {
            log.deletePrefix(start);
        }
        TestBatches.flipBit(active, TestBatches.batchStart(active, 1) + damagedByte); // 3: its base offset; 80: a record
        if (reopen == Reopen.AFTER_A_CRASH) {
            Files.delete(dir.resolve(PartitionLog.CLEAN_SHUTDOWN_FILE));
        }
        LogConfig config = reopen == Reopen.CLEAN_VERIFYING_ALL ? SPARSE_INDEX.withVerifyOnOpen(LogConfig.VerifyOnOpen.ALL)
                : SPARSE_INDEX;

        try (PartitionLog log = PartitionLog.openSalvaging(dir, config, () -> 0L, damage -> {
            throw new AssertionError("nothing live was damaged: " + damage);
        })) {
            assertEquals(start, log.startOffset());
            assertEquals(END, log.endOffset());
            assertReadsFrom(log, start);
            assertEquals(OptionalLong.of(start), log.offsetForTimestamp(0), "the search starts at the log start");
        }
        assertEquals(0, quarantines().size());
        try (PartitionLog log = PartitionLog.open(dir, SPARSE_INDEX, () -> 0L)) {
            assertReadsFrom(log, start); // the index written at close leads past the damage
        }
    }

    @Test
    void aTornWriteRightAfterDamageBelowTheLogStartIsCutAsATornWrite() throws IOException {
        Path active = TestBatches.activeSegment(dir);
        long start = baseOffsetOf(active) + 2 * RECORDS;
        try (PartitionLog log = PartitionLog.open(dir, CONFIG, () -> 0L)) {
            log.deletePrefix(start);
        }
        // A crash tore the batch at the start, never fsynced; the batch before it, compacted away, is damaged.
        Files.delete(dir.resolve(PartitionLog.CLEAN_SHUTDOWN_FILE));
        recoveryPointReads(start);
        TestBatches.flipBit(active, TestBatches.batchStart(active, 1) + 80);
        TestBatches.truncate(active, TestBatches.batchStart(active, 2) + RecordBatch.HEADER_BYTES + 10);

        try (PartitionLog log = PartitionLog.open(dir, CONFIG, () -> 0L)) {
            assertEquals(start, log.startOffset());
            assertEquals(start, log.endOffset(), "cut from the torn batch on");
        }
    }

    @Test
    void aSegmentWhollyBelowTheLogStartIsDeletedUnreadAtOpen() throws IOException {
        Path first = TestBatches.segmentFiles(dir).get(0);
        long start = baseOffsetOf(TestBatches.segmentFiles(dir).get(1));
        TestBatches.flipBit(first, TestBatches.batchStart(first, 1) + 80);
        new LogStart(start, 1).write(dir); // a prefix deletion cut short: the start checkpointed, the segment still there

        try (PartitionLog log = PartitionLog.openSalvaging(dir, VERIFY_ALL, () -> 0L, damage -> {
            throw new AssertionError("nothing live was damaged: " + damage);
        })) {
            assertEquals(start, log.startOffset());
            assertEquals(END, log.endOffset());
        }
        assertFalse(Files.exists(first));
    }

    @Test
    void damageOutsideTheBatchesIsRefusedAndNothingIsMoved() throws IOException {
        Files.writeString(dir.resolve(LogStart.FILE), "not a checkpoint");
        List<Path> before = TestBatches.segmentFiles(dir);

        CorruptLogException e = assertThrows(CorruptLogException.class,
                () -> PartitionLog.openSalvaging(dir, VERIFY_ALL, () -> 0L, damage -> {
                    throw new AssertionError("nothing to salvage: " + damage);
                }));

        assertEquals(dir.resolve(LogStart.FILE), e.file());
        assertEquals(-1, e.offset());
        assertEquals(before, TestBatches.segmentFiles(dir));
        assertEquals(0, quarantines().size());
    }

    @Test
    void aHealthyLogOpensUntouched() throws IOException {
        try (PartitionLog log = PartitionLog.openSalvaging(dir, VERIFY_ALL, () -> 0L, damage -> {
            throw new AssertionError("no damage: " + damage);
        })) {
            assertEquals(END, log.endOffset());
        }
    }

    private static void assertReadsFrom(PartitionLog log, long start) throws IOException {
        for (long offset = start; offset < END; offset += RECORDS) {
            assertEquals(offset, log.read(offset, 1).readVerified().getLong(0), "offset " + offset + " reads back");
        }
    }

    /** The recovery point as a lost write of it leaves it ({@code value}), or a damaged one (-1: unreadable). */
    private void recoveryPointReads(long value) throws IOException {
        if (value < 0) {
            TestBatches.flipBit(dir.resolve(RecoveryPoint.FILE), 3);
            return;
        }
        try (RecoveryPoint recoveryPoint = RecoveryPoint.open(dir)) {
            recoveryPoint.lower(value);
        }
    }

    private static long baseOffsetOf(Path segment) {
        return Long.parseLong(segment.getFileName().toString().replace(".log", ""));
    }

    private List<Path> quarantines() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith(LogSalvage.QUARANTINE_PREFIX)).toList();
        }
    }
}
