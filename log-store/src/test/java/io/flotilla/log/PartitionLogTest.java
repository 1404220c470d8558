package io.flotilla.log;

import io.flotilla.log.record.MalformedBatchException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PartitionLogTest {
    private static final LogConfig CONFIG = LogConfig.DEFAULTS.withSegmentBytes(1024).withMaxBatchBytes(2048)
            .withIndexIntervalBytes(128);

    private final AtomicLong clock = new AtomicLong(1_000_000);
    private Path dir;
    private PartitionLog log;

    @BeforeEach
    void open() throws IOException {
        dir = TestBatches.scratchDir("flotilla-log");
        log = PartitionLog.open(dir, CONFIG, clock::get);
    }

    @AfterEach
    void close() throws IOException {
        log.close();
        TestBatches.deleteRecursively(dir);
    }

    private void appendBatches(int count, int recordsEach, long timestamp) throws IOException {
        for (int i = 0; i < count; i++) {
            log.append(TestBatches.simple(log.endOffset(), 1, recordsEach, timestamp));
        }
    }

    @Test
    void badInputIsRefusedWithTheValuesAndChangesNothingOnDisk() throws IOException {
        appendBatches(12, 3, 5_000);
        log.flush();
        Map<String, String> before = diskState();
        long end = log.endOffset();

        expect(OffsetOutOfRangeException.class, "offset -1 is out of range: the log holds offsets [0, 36)",
                () -> log.read(-1, 100));
        expect(OffsetOutOfRangeException.class, "offset 37 is out of range", () -> log.read(37, 100));
        expect(IllegalArgumentException.class, "maxBytes must be positive, got 0", () -> log.read(0, 0));
        expect(OffsetOutOfRangeException.class, "offset 36 is out of range", () -> log.termAt(36));
        expect(OffsetOutOfRangeException.class, "offset 40 is out of range", () -> log.truncateSuffix(40));
        expect(LogException.class, "offset 4 lies inside the batch holding offsets 3..5", () -> log.truncateSuffix(4));
        expect(OffsetOutOfRangeException.class, "offset 99 is out of range", () -> log.deletePrefix(99));
        expect(IllegalArgumentException.class, "log start offset and term must be >= 0, got -3 and 0",
                () -> log.resetTo(-3, 0));
        expect(LogException.class, "batch base offset 35 does not follow the log: the next offset is 36",
                () -> log.append(TestBatches.simple(35, 1, 1, 5_000)));
        expect(LogException.class, "batch term 0 is below the log's last term 1",
                () -> log.append(TestBatches.simple(end, 0, 1, 5_000)));
        expect(MalformedBatchException.class, "shorter than its 61-byte header",
                () -> log.append(ByteBuffer.wrap(new byte[] {1, 2, 3})));
        expect(MalformedBatchException.class, "format version (magic) is 0",
                () -> log.append(ByteBuffer.allocate(200)));
        ByteBuffer two = ByteBuffer.allocate(1024);
        two.put(TestBatches.simple(end, 1, 1, 5_000)).put(TestBatches.simple(end + 1, 1, 1, 5_000)).flip();
        expect(MalformedBatchException.class, "append one batch at a time", () -> log.append(two));
        ByteBuffer huge = TestBatches.batch(end, 1, List.of(TestBatches.TestRecord.of(5_000, "x".repeat(3000))));
        expect(MalformedBatchException.class, "exceeds the maximum of 2048 bytes", () -> log.append(huge));

        assertEquals(end, log.endOffset());
        assertEquals(before, diskState(), "refused requests leave every file byte-identical");
    }

    @Test
    void everyOperationOnAClosedLogSaysSo() throws IOException {
        appendBatches(1, 1, 5_000);
        log.close();
        String message = "log at " + dir + " is closed";
        expect(LogClosedException.class, message, () -> log.append(TestBatches.simple(1, 1, 1, 5_000)));
        expect(LogClosedException.class, message, () -> log.read(0, 100));
        expect(LogClosedException.class, message, () -> log.termAt(0));
        expect(LogClosedException.class, message, () -> log.offsetForTimestamp(0));
        expect(LogClosedException.class, message, () -> log.truncateSuffix(0));
        expect(LogClosedException.class, message, () -> log.deletePrefix(1));
        expect(LogClosedException.class, message, log::roll);
        expect(LogClosedException.class, message, log::flush);
    }

    @Test
    void readStopsBeforeTheGivenEndOffsetSoOnlyCommittedDataIsServed() throws IOException {
        appendBatches(5, 2, 5_000); // batches at 0, 2, 4, 6, 8
        ByteBuffer upToSix = log.read(0, 1 << 20, 6).readVerified();
        assertEquals(3, countBatches(upToSix), "batches 0..5 lie below the bound 6");
        assertTrue(log.read(6, 1 << 20, 6).isEmpty(), "nothing at or past the bound");
        assertTrue(log.read(log.endOffset(), 100).isEmpty(), "nothing at the end");
    }

    @Test
    void zeroCopyTransferSendsTheSameBytesAsAVerifiedRead() throws IOException {
        appendBatches(6, 3, 5_000);
        LogSlice slice = log.read(3, 400);
        java.io.ByteArrayOutputStream sink = new java.io.ByteArrayOutputStream();
        assertEquals(slice.sizeInBytes(), slice.transferTo(Channels.newChannel(sink)));
        assertArrayEquals(TestBatches.bytes(slice.readVerified()), sink.toByteArray());
    }

    @Test
    void segmentsRollByAgeAndRetentionDropsExpiredOnesButNeverTheActiveOrUncommitted() throws IOException {
        LogConfig config = CONFIG.withSegmentBytes(1 << 20).withSegmentMs(60_000).withRetention(3_600_000, -1);
        log.close();
        TestBatches.deleteRecursively(dir);
        log = PartitionLog.open(dir, config, clock::get);
        long now = clock.get();
        appendBatches(2, 2, now - 7_200_000);      // two hours old
        clock.addAndGet(60_000);
        appendBatches(2, 2, now - 5_400_000);      // rolled by age: a new segment, 1.5 hours old
        clock.addAndGet(60_000);
        appendBatches(2, 2, clock.get());          // a fresh segment, now active
        assertEquals(3, log.segmentCount());

        assertEquals(4, log.retentionStart(6), "asked first, retention tells where it would move the start");
        assertEquals(0, log.startOffset(), "and asking deletes nothing");
        assertEquals(1, log.applyRetention(6), "the bound stops retention at offset 6");
        assertEquals(4, log.startOffset());
        assertEquals(8, log.retentionStart(Long.MAX_VALUE));
        assertEquals(1, log.applyRetention(Long.MAX_VALUE));
        assertEquals(8, log.startOffset());
        clock.addAndGet(10 * 3_600_000L);
        assertEquals(0, log.applyRetention(Long.MAX_VALUE), "the active segment is never deleted");
        assertEquals(List.of(Path.of(LogSegmentNames.name(8))), segmentNames());
        log.close();
        log = PartitionLog.open(dir, config, clock::get);
        assertEquals(8, log.startOffset(), "the new start survives a reopen");
    }

    @Test
    void retentionByBytesKeepsAtLeastTheConfiguredSize() throws IOException {
        appendBatches(30, 3, 5_000);
        long size = log.sizeInBytes();
        LogConfig config = CONFIG.withRetention(-1, size / 2);
        log.close();
        log = PartitionLog.open(dir, config, clock::get);
        int deleted = log.applyRetention(Long.MAX_VALUE);
        assertTrue(deleted > 0, "something was over the limit");
        assertTrue(log.sizeInBytes() >= size / 2, "kept " + log.sizeInBytes() + " of at least " + size / 2);
        assertEquals(0, log.applyRetention(Long.MAX_VALUE), "a second pass finds nothing more to delete");
    }

    @Test
    void reconfiguredLimitsApplyToTheNextAppendAndTheNextRetentionWithoutAReopen() throws IOException {
        LogConfig roomy = CONFIG.withSegmentBytes(1 << 20);
        log.close();
        TestBatches.deleteRecursively(dir);
        log = PartitionLog.open(dir, roomy, clock::get);
        appendBatches(20, 3, 5_000);
        assertEquals(1, log.segmentCount(), "20 batches fit in one segment of 1 MiB");
        assertEquals(0, log.applyRetention(Long.MAX_VALUE), "no retention limit is set");

        log.reconfigure(roomy.withSegmentBytes(1024));
        appendBatches(1, 3, 5_000);
        assertEquals(2, log.segmentCount(), "the next append rolled the active segment, now over the new size");
        log.reconfigure(roomy.withSegmentBytes(1024).withRetention(clock.get() - 5_000 - 1, -1));
        assertEquals(1, log.applyRetention(Long.MAX_VALUE), "the sealed segment is past the new retention time");
        assertEquals(60, log.startOffset(), "the first 20 batches of 3 records are gone");
        assertEquals(1024, log.config().segmentBytes());
    }

    @Test
    void timestampLookupFindsTheFirstOffsetAtOrAfterTheTimeEvenWhenTimestampsGoBackwards() throws IOException {
        long[] timestamps = {100, 300, 200, 400, 350, 500};
        for (long ts : timestamps) {
            log.append(TestBatches.simple(log.endOffset(), 1, 1, ts));
        }
        assertEquals(OptionalLong.of(0), log.offsetForTimestamp(50));
        assertEquals(OptionalLong.of(1), log.offsetForTimestamp(250));
        assertEquals(OptionalLong.of(3), log.offsetForTimestamp(360));
        assertEquals(OptionalLong.of(5), log.offsetForTimestamp(500));
        assertEquals(OptionalLong.empty(), log.offsetForTimestamp(501));
        log.deletePrefix(2);
        assertEquals(OptionalLong.of(2), log.offsetForTimestamp(150), "offsets below the start are never answered");
    }

    @Test
    void resetStartsAnEmptyLogAtTheGivenOffsetKeepingTheTermBeforeIt() throws IOException {
        appendBatches(10, 3, 5_000);
        log.resetTo(1_000, 3);
        assertEquals(1_000, log.startOffset());
        assertEquals(1_000, log.endOffset());
        assertEquals(3, log.lastTerm(), "an empty log answers the snapshot's term");
        expect(LogException.class, "batch term 2 is below the log's last term 3",
                () -> log.append(TestBatches.simple(1_000, 2, 2, 5_000)));
        log.append(TestBatches.simple(1_000, 4, 2, 5_000));
        log.close();
        log = PartitionLog.open(dir, CONFIG, clock::get);
        assertEquals(1_000, log.startOffset());
        assertEquals(1_002, log.endOffset());
        assertEquals(4, log.termAt(1_001));
        log.deletePrefix(1_002);
        log.close();
        log = PartitionLog.open(dir, CONFIG, clock::get);
        assertEquals(4, log.lastTerm(), "the term before the start survives compaction and reopen");
    }

    @Test
    void aResetCutShortAfterDeletingTheNewestSegmentLeavesAPrefixTheNextOpenAccepts() throws IOException {
        appendBatches(40, 3, 5_000);
        log.flush();
        assertTrue(log.segmentCount() >= 3, "the test needs several segments");
        Path crashed = TestBatches.scratchDir("flotilla-log-reset");
        try {
            TestBatches.copyDir(dir, crashed); // the open log as a crash leaves it
            log.resetTo(1_000, 3);
            // The crash came after the reset wrote its recovery point and deleted the newest segment only.
            Files.copy(dir.resolve(RecoveryPoint.FILE), crashed.resolve(RecoveryPoint.FILE),
                    StandardCopyOption.REPLACE_EXISTING);
            Path newest = TestBatches.activeSegment(crashed);
            Files.delete(newest);

            try (PartitionLog prefix = PartitionLog.open(crashed, CONFIG, clock::get)) {
                assertEquals(0, prefix.startOffset());
                assertEquals(Long.parseLong(newest.getFileName().toString().replace(".log", "")), prefix.endOffset(),
                        "a prefix of the old log, not fsynced data lost");
            }
        } finally {
            TestBatches.deleteRecursively(crashed);
        }
    }

    @Test
    void anInterruptedReaderDoesNotBreakTheLogForOthers() throws IOException {
        appendBatches(3, 2, 5_000);
        Thread.currentThread().interrupt(); // Java closes a channel a blocked, interrupted thread uses
        try {
            assertThrows(java.nio.channels.ClosedByInterruptException.class, () -> log.read(0, 100).readVerified());
        } finally {
            Thread.interrupted();
        }
        assertEquals(TestBatches.bytes(TestBatches.simple(0, 1, 2, 5_000)).length,
                log.read(0, 1).readVerified().remaining(), "the next reader gets a fresh channel");
        log.append(TestBatches.simple(log.endOffset(), 1, 1, 5_000)); // the writer's channel was never touched
        assertEquals(7, log.flush());
    }

    @Test
    void aBatchIsReadInTheFormatsByteOrderWhateverTheCallersBufferSays() throws IOException {
        ByteBuffer batch = TestBatches.simple(0, 1, 2, 5_000).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        AppendResult result = log.append(batch);
        assertEquals(1, result.lastOffset());
        assertEquals(java.nio.ByteOrder.LITTLE_ENDIAN, batch.order(), "the caller's buffer is not modified");
        assertEquals(0, batch.position());
    }

    private List<Path> segmentNames() throws IOException {
        return TestBatches.segmentFiles(dir).stream().map(Path::getFileName).toList();
    }

    private static int countBatches(ByteBuffer buf) {
        int n = 0;
        for (int pos = 0; pos < buf.limit(); pos += buf.getInt(pos + 8)) {
            n++;
        }
        return n;
    }

    private static void expect(Class<? extends Throwable> type, String messagePart, Executable call) {
        Throwable e = assertThrows(type, call);
        assertTrue(e.getMessage().contains(messagePart), () -> "'" + e.getMessage() + "' lacks '" + messagePart + "'");
    }

    private Map<String, String> diskState() throws IOException {
        Map<String, String> state = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                state.put(f.getFileName().toString(), sha256(Files.readAllBytes(f)));
            }
        }
        return state;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Segment file names as the log writes them. */
    private static final class LogSegmentNames {
        static String name(long base) {
            return LogSegment.fileName(base, LogSegment.LOG_SUFFIX);
        }
    }
}
