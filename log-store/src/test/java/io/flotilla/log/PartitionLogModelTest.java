package io.flotilla.log;

import io.flotilla.log.LogModel.Batch;
import io.flotilla.log.TestBatches.TestRecord;
import io.flotilla.log.record.BatchTooLargeException;
import io.flotilla.log.record.MalformedBatchException;
import io.flotilla.log.record.RecordHeader;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

/**
 * Property: for every sequence of operations (append, bad append, read, truncate-suffix,
 * delete-prefix, retention, roll, time lookup, term lookup, clean reopen and crash with a torn
 * tail), the {@link PartitionLog} agrees with {@link LogModel} after each step: same start, end
 * and last term, byte-identical reads, same lookups, same errors.
 *
 * <p>Seeded and shrinking (QuickTheories): a failure prints the smallest failing sequence and
 * "Seed was N"; rerun it with {@code ./mvnw -pl log-store test -Dtest=PartitionLogModelTest
 * -Dflotilla.seed=N}. {@code -Dflotilla.tries=N} changes the number of sequences (default 1000).
 */
class PartitionLogModelTest {
    private static final LogConfig CONFIG = LogConfig.DEFAULTS.withSegmentBytes(4096).withIndexIntervalBytes(256)
            .withMaxBatchBytes(4096).withRetention(-1, 8192);

    sealed interface Op {
        /** Appends {@code records} records; {@code salt} seeds sizes, keys, headers, timestamps and a term bump. */
        record Append(int records, int salt) implements Op { }

        /** An append the log must refuse: wrong offset, older term, bad CRC, or too large. */
        record BadAppend(int kind) implements Op { }

        record Read(int offsetPick, int maxBytes) implements Op { }

        record Truncate(int pick) implements Op { }

        record DeletePrefix(int pick) implements Op { }

        record Retain() implements Op { }

        record Roll() implements Op { }

        record Flush() implements Op { }

        record FindTimestamp(int pick) implements Op { }

        record TermAt(int pick) implements Op { }

        record Reopen() implements Op { }

        /**
         * Abandons the log without closing, damages one unflushed batch (cut the file inside
         * it, zero it while later ones survive, or flip a byte in it) or nothing, and reopens.
         */
        record Crash(int damage, int pick) implements Op { }
    }

    static Gen<Op> ops() {
        return integers().between(0, 99).zip(integers().between(1, 8), integers().between(0, 1 << 20),
                (kind, small, big) -> {
                    if (kind < 34) {
                        return new Op.Append(small, big);
                    } else if (kind < 38) {
                        return new Op.BadAppend(small % 4);
                    } else if (kind < 52) {
                        return new Op.Read(big, 1 + big % 6000);
                    } else if (kind < 59) {
                        return new Op.Truncate(big);
                    } else if (kind < 64) {
                        return new Op.DeletePrefix(big);
                    } else if (kind < 67) {
                        return new Op.Retain();
                    } else if (kind < 69) {
                        return new Op.Roll();
                    } else if (kind < 71) {
                        return new Op.Flush();
                    } else if (kind < 78) {
                        return new Op.FindTimestamp(big);
                    } else if (kind < 85) {
                        return new Op.TermAt(big);
                    } else if (kind < 91) {
                        return new Op.Reopen();
                    }
                    return new Op.Crash(small % 4, big);
                });
    }

    @Test
    void logAgreesWithModelUnderRandomOperationsAndCrashes() {
        long seed = Long.getLong("flotilla.seed", new SecureRandom().nextLong());
        int tries = Integer.getInteger("flotilla.tries", 1000);
        System.out.println("PartitionLogModelTest: seed " + seed + ", " + tries + " tries"
                + " (replay: -Dflotilla.seed=" + seed + ")");
        COVERAGE.reset();
        qt().withFixedSeed(seed).withExamples(tries).withShrinkCycles(200)
                .forAll(lists().of(ops()).ofSizeBetween(1, 60))
                .checkAssert(PartitionLogModelTest::run);
        System.out.println("PartitionLogModelTest: " + COVERAGE);
        assertTrue(COVERAGE.tornCrashes > tries / 20 && COVERAGE.maxSegments > 2,
                "the generator must reach torn crashes and multi-segment logs: " + COVERAGE);
    }

    /** What the runs reached, so a generator that stopped exercising something shows up. */
    private static final Coverage COVERAGE = new Coverage();

    private static final class Coverage {
        void reset() {
            ops = 0;
            tornCrashes = 0;
            cleanCrashes = 0;
            maxSegments = 0;
            maxEnd = 0;
        }

        long ops;
        long tornCrashes;
        long cleanCrashes;
        int maxSegments;
        long maxEnd;

        @Override
        public String toString() {
            return ops + " operations, " + tornCrashes + " crashes that damaged unflushed batches, " + cleanCrashes
                    + " without, up to " + maxSegments + " segments and " + maxEnd + " offsets";
        }
    }

    private static void run(List<Op> ops) {
        try {
            new Run().execute(ops);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static final class Run {
        final LogModel model = new LogModel();
        final AtomicLong clock = new AtomicLong(1_000_000);
        final List<Path> dirs = new ArrayList<>();
        long timestamps = 1_700_000_000_000L;
        PartitionLog log;

        void execute(List<Op> ops) throws IOException {
            Path dir = newDir();
            log = PartitionLog.open(dir, CONFIG, clock::get);
            try {
                for (Op op : ops) {
                    apply(op);
                    checkState(op);
                    COVERAGE.ops++;
                    COVERAGE.maxSegments = Math.max(COVERAGE.maxSegments, log.segmentCount());
                    COVERAGE.maxEnd = Math.max(COVERAGE.maxEnd, log.endOffset());
                }
                readEverything();
            } finally {
                log.close();
                for (Path d : dirs) {
                    TestBatches.deleteRecursively(d);
                }
            }
        }

        Path newDir() throws IOException {
            Path dir = TestBatches.scratchDir("flotilla-model");
            dirs.add(dir);
            return dir;
        }

        void apply(Op op) throws IOException {
            if (op instanceof Op.Append a) {
                append(a);
            } else if (op instanceof Op.BadAppend b) {
                badAppend(b.kind());
            } else if (op instanceof Op.Read r) {
                read(r);
            } else if (op instanceof Op.Truncate t) {
                truncate(t.pick());
            } else if (op instanceof Op.DeletePrefix d) {
                deletePrefix(d.pick());
            } else if (op instanceof Op.Retain) {
                retain();
            } else if (op instanceof Op.Roll) {
                log.roll();
            } else if (op instanceof Op.Flush) {
                assertEquals(model.end(), log.flush(), "a flush makes everything durable");
            } else if (op instanceof Op.FindTimestamp f) {
                findTimestamp(f.pick());
            } else if (op instanceof Op.TermAt t) {
                termAt(t.pick());
            } else if (op instanceof Op.Reopen) {
                log.close();
                log = PartitionLog.open(log.dir(), CONFIG, clock::get);
            } else if (op instanceof Op.Crash c) {
                crash(c.damage(), c.pick());
            } else {
                throw new IllegalStateException("unknown op " + op);
            }
        }

        void append(Op.Append a) throws IOException {
            SplittableRandom random = new SplittableRandom(a.salt());
            long term = model.lastTerm() + (random.nextInt(4) == 0 ? 1 : 0);
            term = Math.max(term, 1);
            List<TestRecord> records = new ArrayList<>();
            long offset = model.end();
            for (int i = 0; i < a.records(); i++) {
                long ts = timestamps + random.nextInt(50);
                byte[] key = random.nextInt(3) == 0 ? null : ("k" + random.nextInt(10)).getBytes(StandardCharsets.UTF_8);
                byte[] value = new byte[random.nextInt(300)];
                random.nextBytes(value);
                byte[] tag = ("o" + (offset + i)).getBytes(StandardCharsets.UTF_8);
                System.arraycopy(tag, 0, value, 0, Math.min(tag.length, value.length));
                List<RecordHeader> headers = random.nextInt(5) == 0
                        ? List.of(new RecordHeader("h", ByteBuffer.wrap(tag))) : List.of();
                records.add(new TestRecord(ts, key, value, headers));
            }
            timestamps += random.nextInt(100);
            clock.addAndGet(random.nextInt(1000));
            ByteBuffer buf = TestBatches.batch(offset, term, records);
            byte[] bytes = TestBatches.bytes(buf);
            AppendResult result = log.append(buf);
            assertEquals(offset, result.baseOffset());
            assertEquals(offset + records.size() - 1, result.lastOffset());
            model.append(new Batch(offset, term, records, bytes));
        }

        void badAppend(int kind) throws IOException {
            long end = model.end();
            long term = Math.max(model.lastTerm(), 1);
            switch (kind) {
                case 0 -> assertRefused(LogException.class, TestBatches.simple(end + 1, term, 1, timestamps),
                        "base offset " + (end + 1));
                case 1 -> {
                    if (model.lastTerm() > 1) {
                        assertRefused(LogException.class, TestBatches.simple(end, model.lastTerm() - 1, 1, timestamps),
                                "below the log's last term");
                    }
                }
                case 2 -> {
                    ByteBuffer buf = TestBatches.simple(end, term, 2, timestamps);
                    buf.put(buf.limit() - 1, (byte) (buf.get(buf.limit() - 1) ^ 0x40));
                    assertRefused(MalformedBatchException.class, buf, "CRC32C mismatch");
                }
                default -> {
                    TestRecord big = new TestRecord(timestamps, null, new byte[CONFIG.maxBatchBytes()], List.of());
                    assertRefused(BatchTooLargeException.class, TestBatches.batch(end, term, List.of(big)),
                            "exceeds the maximum of " + CONFIG.maxBatchBytes());
                }
            }
        }

        void assertRefused(Class<? extends LogException> type, ByteBuffer batch, String messagePart) {
            LogException e = assertThrows(type, () -> log.append(batch));
            assertTrue(e.getMessage().contains(messagePart), () -> "message '" + e.getMessage() + "' lacks '"
                    + messagePart + "'");
        }

        void read(Op.Read r) throws IOException {
            long span = model.end() - model.start + 3;
            long offset = model.start - 1 + Math.floorMod(r.offsetPick(), span); // start-1 .. end+1
            if (offset < model.start || offset > model.end()) {
                if (offset >= 0) {
                    assertThrows(OffsetOutOfRangeException.class, () -> log.read(offset, r.maxBytes()));
                }
                return;
            }
            LogSlice slice = log.read(offset, r.maxBytes());
            if (offset == model.end()) {
                assertTrue(slice.isEmpty(), "read at the end returns nothing");
                return;
            }
            byte[] got = TestBatches.bytes(slice.readVerified());
            int first = model.batchHolding(offset);
            int total = 0;
            int i = first;
            while (total < got.length) {
                assertTrue(i < model.batches.size(), "read returned more bytes than the model holds");
                byte[] expected = model.batches.get(i).bytes();
                assertArrayEquals(expected, Arrays.copyOfRange(got, total, Math.min(got.length, total + expected.length)),
                        "batch " + i + " of a read at offset " + offset);
                total += expected.length;
                i++;
            }
            assertTrue(i > first, "a read below the end returns at least one batch");
            assertTrue(i - first == 1 || total <= r.maxBytes(), "several batches only if they fit in maxBytes");
        }

        void truncate(int pick) throws IOException {
            List<Long> boundaries = new ArrayList<>();
            for (Batch b : model.batches) {
                if (b.baseOffset() >= model.start) {
                    boundaries.add(b.baseOffset());
                }
            }
            boundaries.add(model.end());
            long offset = boundaries.get(Math.floorMod(pick, boundaries.size()));
            if (pick % 5 == 0 && model.batchHolding(offset) >= 0
                    && model.batches.get(model.batchHolding(offset)).records().size() > 1) {
                long inside = offset + 1;
                LogException e = assertThrows(LogException.class, () -> log.truncateSuffix(inside));
                assertTrue(e.getMessage().contains("batch boundary"), e.getMessage());
                return;
            }
            log.truncateSuffix(offset);
            model.truncateSuffix(offset);
        }

        void deletePrefix(int pick) throws IOException {
            long span = model.end() - model.start + 2;
            long offset = model.start + Math.floorMod(pick, span); // start .. end+1
            if (offset > model.end()) {
                assertThrows(OffsetOutOfRangeException.class, () -> log.deletePrefix(offset));
                return;
            }
            log.deletePrefix(offset);
            model.deletePrefix(offset);
        }

        void retain() throws IOException {
            long before = log.startOffset();
            log.applyRetention(model.end());
            long after = log.startOffset();
            assertTrue(after >= before && after <= model.end(), "retention moves the start forward within the log");
            assertTrue(after == before || model.isBoundary(after), "retention deletes whole segments: " + after);
            model.deletePrefix(after);
        }

        void findTimestamp(int pick) throws IOException {
            long target = 1_700_000_000_000L - 20 + Math.floorMod(pick, timestamps - 1_700_000_000_000L + 80);
            assertEquals(model.offsetForTimestamp(target), log.offsetForTimestamp(target),
                    "first offset with timestamp >= " + target);
        }

        void termAt(int pick) throws IOException {
            long span = model.end() - model.start + 2;
            long offset = model.start - 1 + Math.floorMod(pick, span);
            int i = model.batchHolding(offset);
            if (offset < model.start || i < 0) {
                if (offset >= 0) {
                    assertThrows(OffsetOutOfRangeException.class, () -> log.termAt(offset));
                    assertThrows(OffsetOutOfRangeException.class, () -> log.batchBaseOffset(offset));
                }
                return;
            }
            assertEquals(model.batches.get(i).term(), log.termAt(offset), "term at " + offset);
            assertEquals(model.batches.get(i).baseOffset(), log.batchBaseOffset(offset), "batch base of " + offset);
        }

        void crash(int damage, int pick) throws IOException {
            long flushed = log.flushedOffset();
            Path copy = newDir();
            TestBatches.copyDir(log.dir(), copy); // the disk as the crash left it: no clean-shutdown marker
            log.close();
            List<Integer> unflushed = new ArrayList<>();
            for (int i = 0; i < model.batches.size(); i++) {
                if (model.batches.get(i).baseOffset() >= flushed) {
                    unflushed.add(i);
                }
            }
            if (damage < 3 && !unflushed.isEmpty()) {
                int victim = unflushed.get(Math.floorMod(pick, unflushed.size()));
                damageBatch(TestBatches.activeSegment(copy), victim, damage, pick);
                model.dropFrom(victim);
                COVERAGE.tornCrashes++;
            } else {
                COVERAGE.cleanCrashes++;
            }
            log = PartitionLog.open(copy, CONFIG, clock::get);
        }

        /** Unflushed batches are the tail of the active segment, so their positions count back from its end. */
        void damageBatch(Path active, int victim, int damage, int pick) throws IOException {
            long tail = 0;
            for (int i = victim; i < model.batches.size(); i++) {
                tail += model.batches.get(i).bytes().length;
            }
            long start = Files.size(active) - tail;
            int length = model.batches.get(victim).bytes().length;
            long at = start + Math.floorMod(pick, length);
            try (FileChannel ch = FileChannel.open(active, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                if (damage == 0) {
                    ch.truncate(at); // the write was cut part-way
                } else if (damage == 1) {
                    ch.write(ByteBuffer.allocate(length), start); // its pages never landed; later ones did
                } else {
                    ByteBuffer one = ByteBuffer.allocate(1);
                    ch.read(one, at);
                    ch.write(one.put(0, (byte) (one.get(0) ^ 0x10)).rewind(), at);
                }
            }
        }

        void checkState(Op after) {
            String context = " after " + after;
            assertEquals(model.start, log.startOffset(), "start offset" + context);
            assertEquals(model.end(), log.endOffset(), "end offset" + context);
            assertEquals(model.lastTerm(), log.lastTerm(), "last term" + context);
            assertTrue(log.flushedOffset() <= log.endOffset(), "flushed offset within the log" + context);
        }

        void readEverything() throws IOException {
            long offset = model.start;
            while (offset < model.end()) {
                ByteBuffer got = log.read(offset, 1 << 20).readVerified();
                int i = model.batchHolding(offset);
                if (i < 0) {
                    fail("model holds no batch at " + offset);
                }
                while (got.hasRemaining()) {
                    byte[] expected = model.batches.get(i).bytes();
                    byte[] actual = new byte[expected.length];
                    got.get(actual);
                    assertArrayEquals(expected, actual, "final read of batch at " + model.batches.get(i).baseOffset());
                    offset = model.batches.get(i).nextOffset();
                    i++;
                }
            }
        }
    }
}
