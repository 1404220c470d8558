package io.flotilla.log.bench;

import io.flotilla.log.AppendResult;
import io.flotilla.log.GroupCommit;
import io.flotilla.log.LogConfig;
import io.flotilla.log.LogSlice;
import io.flotilla.log.PartitionLog;
import io.flotilla.log.record.RecordBatch;
import io.flotilla.log.record.RecordBatchBuilder;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * Throughput of the partition log against the disk it runs on: 1 KiB records in 64 KiB
 * batches, appended without fsync, appended with group commit under 1, 4 and 16 writers, and
 * read back sequentially. The disk is measured in the same run, and each log figure is
 * reported as a ratio of the matching disk figure. Run it with {@code log-store/bench.sh};
 * {@code log-store/BENCHMARKS.md} explains the figures.
 *
 * <p>A runnable class rather than JMH: these are seconds-long I/O measurements, where JMH's
 * forking and iteration machinery adds nothing but run time.
 */
public final class LogBenchmark {
    static final int RECORD_BYTES = 1024;
    private static final int BATCH_BUFFER_BYTES = 64 * 1024;
    private static final int READ_MAX_BYTES = 1024 * 1024;
    private static final int SYNCED_WRITES = 2000;
    private static final int[] GROUP_COMMIT_WRITERS = {1, 4, 16};
    /** Two disk sequential writes, the unsynced append, one group-commit run per writer count. */
    private static final int WRITE_MEASUREMENTS = 3 + GROUP_COMMIT_WRITERS.length;
    /** Largest tolerated difference between the first and last disk write, as a fraction of the faster. */
    private static final double MAX_DISK_DRIFT = 0.2;
    private static final long TERM = 1;
    private static final long NOT_AWAITED = -1;
    private static final long MAX_LATENCY_NANOS = TimeUnit.MINUTES.toNanos(5);

    private final BenchOptions options;
    private final Path runDir;
    private final BatchTemplate template = BatchTemplate.build();
    private final List<Figure> figures = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    private LogBenchmark(BenchOptions options, Path runDir) {
        this.options = options;
        this.runDir = runDir;
    }

    public static void main(String[] args) throws Exception {
        if (List.of(args).contains("--help")) {
            System.out.println(BenchOptions.USAGE);
            return;
        }
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
            requireRealDisk(options.parentDir(), options.bytes());
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(BenchOptions.USAGE);
            System.exit(2);
            return;
        }
        Path runDir = Files.createTempDirectory(options.parentDir(), "flotilla-bench-");
        // A hook rather than finally, so that a run stopped with Ctrl-C does not leave gigabytes behind either.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteRunDir(runDir)));
        LogBenchmark benchmark = new LogBenchmark(options, runDir);
        benchmark.run();
        new Report(options, runDir, benchmark.template.recordCount(), benchmark.template.size(), benchmark.figures,
                benchmark.warnings).print(System.out);
    }

    /**
     * A RAM-backed directory would make every disk figure, and so every ratio, meaningless; and
     * the run keeps every file it writes until the end (see {@link #run}).
     */
    private static void requireRealDisk(Path dir, long bytesPerMeasurement) throws IOException {
        FileStore store = Files.getFileStore(dir);
        if (store.type().equals("tmpfs") || store.type().equals("ramfs")) {
            throw new IllegalArgumentException(dir + " is on " + store.type() + ", not a disk; pass --dir on the disk"
                    + " to measure");
        }
        long needed = WRITE_MEASUREMENTS * bytesPerMeasurement + (64L << 20);
        if (store.getUsableSpace() < needed) {
            throw new IllegalArgumentException(dir + " has " + (store.getUsableSpace() >> 20) + " MiB free; the run"
                    + " needs " + (needed >> 20) + " MiB");
        }
    }

    static ByteBuffer randomBytes(int size) {
        byte[] bytes = new byte[size];
        ThreadLocalRandom.current().nextBytes(bytes);
        return ByteBuffer.wrap(bytes);
    }

    static Histogram newLatencyHistogram() {
        return new Histogram(MAX_LATENCY_NANOS, 3);
    }

    /**
     * Measures in this order: disk, log appends with the reads of the unsynced log, disk again.
     * The disk's sequential write is measured first and last because on a virtual machine its
     * speed can drift with the state of the host; the log is compared with the faster of the
     * two, and a drift is reported. Nothing is deleted before the run ends: deleting a file
     * frees its page-cache pages, and the next writes would reuse them, which on a VM whose
     * memory the host backs lazily is several times faster than touching new pages and would
     * flatter whichever measurement came next.
     */
    private void run() throws Exception {
        Path sequential = runDir.resolve("sequential-first.bin");
        Figure writeFirst = measured(DiskBaseline.sequentialWrite(sequential, options.bytes(), "first"));
        Figure fileRead = measured(DiskBaseline.sequentialRead(sequential));
        Figure syncedWrite = measured(DiskBaseline.syncedWriteLatency(runDir.resolve("synced.bin"), SYNCED_WRITES));

        List<Figure> appends = new ArrayList<>();
        List<Figure> reads = new ArrayList<>();
        withFreshLog("unsynced", log -> {
            appends.add(measured(measureAppends(log, 1, appended -> NOT_AWAITED, "log.append",
                    "log: append, no fsync, 1 writer")));
            reads.add(measured(measureReads(log, LogSlice::readVerified, "log.read.verified",
                    "log: read + readVerified (CRC)").relativeTo(fileRead)));
            try (FileChannel devNull = FileChannel.open(Path.of("/dev/null"), StandardOpenOption.WRITE)) {
                reads.add(measured(measureReads(log, slice -> slice.transferTo(devNull), "log.read.transferTo",
                        "log: read + transferTo /dev/null").relativeTo(fileRead)));
            }
        });
        for (int writers : GROUP_COMMIT_WRITERS) {
            withFreshLog("group-commit-" + writers, log -> appends.add(measured(measureGroupCommit(log, writers))));
        }
        Figure writeLast = measured(DiskBaseline.sequentialWrite(runDir.resolve("sequential-last.bin"),
                options.bytes(), "last"));

        Figure diskWrite = writeFirst.megabytesPerSecond() >= writeLast.megabytesPerSecond() ? writeFirst : writeLast;
        figures.addAll(List.of(writeFirst, writeLast, fileRead, syncedWrite));
        appends.forEach(append -> figures.add(append.relativeTo(diskWrite)));
        figures.addAll(reads);
        double drift = 1 - Math.min(writeFirst.megabytesPerSecond(), writeLast.megabytesPerSecond())
                / diskWrite.megabytesPerSecond();
        if (drift > MAX_DISK_DRIFT) {
            warnings.add(String.format(Locale.ROOT, "the disk's sequential write moved by %.0f%% between the first and"
                    + " last measurement: the machine was not quiet, and the ratios are not reliable", drift * 100));
        }
    }

    private Figure measureGroupCommit(PartitionLog log, int writers) throws Exception {
        // Not try-with-resources: close() throws InterruptedException, which javac lints there.
        GroupCommit groupCommit = GroupCommit.withThreads(1);
        try {
            return measureAppends(log, writers, appended -> groupCommit.whenDurable(log, appended.nextOffset()).join(),
                    "log.groupCommit.w" + writers,
                    "log: group commit, " + writers + " writer" + (writers == 1 ? "" : "s"));
        } finally {
            groupCommit.close();
        }
    }

    private static Figure measured(Figure figure) {
        System.err.printf("  measured %s%n", figure.label()); // progress on stderr keeps stdout parseable
        return figure;
    }

    /** Runs {@code task} on a new empty log in its own directory. */
    private void withFreshLog(String name, LogTask task) throws Exception {
        LogConfig config = LogConfig.DEFAULTS.withSegmentBytes(options.segmentBytes());
        try (PartitionLog log = PartitionLog.open(runDir.resolve(name), config, System::currentTimeMillis)) {
            task.run(log);
        }
    }

    /**
     * Appends copies of the template batch from {@code writers} threads until the volume (or
     * the time cap) is spent, then flushes once. Writers take a shared lock around stamping
     * the offset and appending, as the Raft leader will, and wait on {@code acknowledgement}
     * outside it. The time includes the final flush, so an unsynced run compares with the
     * disk's write-then-fsync; after group commit it finds nothing left to sync.
     */
    private Figure measureAppends(PartitionLog log, int writers, Acknowledgement acknowledgement, String id,
                                  String label) throws Exception {
        long batches = Math.max(1, options.bytes() / template.size());
        Budget budget = new Budget(new AtomicLong(batches),
                System.nanoTime() + TimeUnit.SECONDS.toNanos(options.maxSeconds()));
        ReentrantLock leaderLock = new ReentrantLock();
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            long start = System.nanoTime();
            List<Future<WriterStats>> results = pool.invokeAll(Collections.nCopies(writers,
                    () -> write(log, leaderLock, budget, acknowledgement)));
            log.flush();
            long nanos = System.nanoTime() - start;
            WriterStats total = WriterStats.combine(results);
            Figure figure = Figure.throughput(id, label, total.batches() * template.size(), nanos)
                    .withRecords(total.batches() * template.recordCount())
                    .withLatency(total.latency());
            // Unsynced writers await nothing; their one final flush is in the time, not counted.
            return total.durableOffsets().isEmpty() ? figure : figure.withFsyncs(total.durableOffsets().size());
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * One writer's loop. Latency runs from asking for the lock to the acknowledgement. Every
     * distinct durable offset a writer is told of marks one group-commit fsync.
     */
    private WriterStats write(PartitionLog log, ReentrantLock leaderLock, Budget budget,
                              Acknowledgement acknowledgement) throws IOException {
        ByteBuffer batch = template.copy(); // stamping writes into it, so each writer owns one
        RecordBatch stamp = new RecordBatch().wrap(batch, 0);
        Histogram latency = newLatencyHistogram();
        Set<Long> durableOffsets = new HashSet<>();
        long appended = 0;
        while (budget.claim()) {
            long start = System.nanoTime();
            AppendResult result;
            leaderLock.lock();
            try {
                stamp.assignOffsetAndTerm(log.endOffset(), TERM);
                result = log.append(batch);
            } finally {
                leaderLock.unlock();
            }
            long durable = acknowledgement.await(result);
            latency.recordValue(System.nanoTime() - start);
            if (durable != NOT_AWAITED) {
                durableOffsets.add(durable);
            }
            appended++;
        }
        return new WriterStats(appended, latency, durableOffsets);
    }

    /**
     * Reads the whole log in {@code read(offset, 1 MiB)} slices, handing each to {@code reader}.
     * Every batch is a copy of the template, so a slice's record count follows from its size.
     */
    private Figure measureReads(PartitionLog log, SliceReader reader, String id, String label) throws IOException {
        long offset = log.startOffset();
        long bytes = 0;
        long start = System.nanoTime();
        for (LogSlice slice = log.read(offset, READ_MAX_BYTES); !slice.isEmpty();
             slice = log.read(offset, READ_MAX_BYTES)) {
            reader.consume(slice);
            bytes += slice.sizeInBytes();
            offset += (long) slice.sizeInBytes() / template.size() * template.recordCount();
        }
        long nanos = System.nanoTime() - start;
        if (offset != log.endOffset() || bytes != log.sizeInBytes()) {
            throw new IllegalStateException("read stopped at offset " + offset + " after " + bytes + " bytes; the log"
                    + " ends at offset " + log.endOffset() + " with " + log.sizeInBytes() + " bytes");
        }
        return Figure.throughput(id, label, bytes, nanos).withRecords(offset - log.startOffset());
    }

    private static void deleteRunDir(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException | UncheckedIOException e) {
            System.err.println("could not remove " + dir + ": " + e);
        }
    }

    @FunctionalInterface
    private interface LogTask {
        void run(PartitionLog log) throws Exception;
    }

    /** What a writer waits for after an append: the durable offset, or {@link #NOT_AWAITED}. */
    @FunctionalInterface
    private interface Acknowledgement {
        long await(AppendResult appended);
    }

    @FunctionalInterface
    private interface SliceReader {
        void consume(LogSlice slice) throws IOException;
    }

    /** Hands out batches to writers until the volume is written or the deadline passes. */
    private record Budget(AtomicLong batchesLeft, long deadlineNanos) {
        boolean claim() {
            return batchesLeft.getAndDecrement() > 0 && System.nanoTime() - deadlineNanos < 0;
        }
    }

    private record WriterStats(long batches, Histogram latency, Set<Long> durableOffsets) {
        static WriterStats combine(List<Future<WriterStats>> results) throws Exception {
            long batches = 0;
            Histogram latency = newLatencyHistogram();
            Set<Long> durableOffsets = new HashSet<>();
            for (Future<WriterStats> result : results) {
                WriterStats stats = result.get();
                batches += stats.batches();
                latency.add(stats.latency());
                durableOffsets.addAll(stats.durableOffsets());
            }
            return new WriterStats(batches, latency, durableOffsets);
        }
    }

    /**
     * The batch every append writes: 1 KiB records, as many as fit in 64 KiB. Each value is
     * random, so a compressing file system cannot make the log look faster than the disk. The
     * batch lives in a direct buffer, as one read from a socket would; a heap buffer would add a
     * copy inside {@link FileChannel#write}.
     */
    private record BatchTemplate(ByteBuffer bytes, int recordCount) {
        static BatchTemplate build() {
            ByteBuffer buf = ByteBuffer.allocateDirect(BATCH_BUFFER_BYTES);
            long now = System.currentTimeMillis();
            RecordBatchBuilder builder = new RecordBatchBuilder().begin(buf, 0, TERM, now);
            while (builder.tryAppend(now, null, randomBytes(RECORD_BYTES))) {
                // fill the buffer
            }
            builder.finish();
            return new BatchTemplate(buf.flip(), builder.recordCount());
        }

        int size() {
            return bytes.remaining();
        }

        ByteBuffer copy() {
            return ByteBuffer.allocateDirect(size()).put(bytes.duplicate()).flip();
        }
    }
}
