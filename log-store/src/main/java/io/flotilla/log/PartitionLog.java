package io.flotilla.log;

import io.flotilla.log.record.RecordBatch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The log of one partition replica: at once the message log consumers read and the Raft log
 * replicas agree on. A directory of segments, each a file of record batches with contiguous
 * offsets. Log positions are the partition's offsets; a batch occupies the offsets of its
 * records.
 *
 * <p>Writes (append, truncate, delete a prefix, roll, close) come from one owner and are
 * serialized by a lock; reads and {@link #flush} run concurrently from other threads. Appends
 * are not durable until a flush covers them: {@link GroupCommit} batches those flushes.
 *
 * <p>Invariants: {@code startOffset <= flushedOffset <= endOffset} except right after a
 * truncation below the flushed offset, which lowers it; segments are contiguous; only the
 * last (active) segment is written, and a segment is fsynced when it is sealed.
 */
public final class PartitionLog implements AutoCloseable {
    static final String CLEAN_SHUTDOWN_FILE = ".clean-shutdown";
    static final String START_OFFSET_FILE = "log-start-offset";

    private final Path dir;
    private final LogConfig config;
    private final LongSupplier clockMs;
    private final ReentrantLock lock = new ReentrantLock();
    private final RecordBatch appendView = new RecordBatch();

    private volatile LogSegment[] segments;
    private volatile long startOffset;
    private volatile long flushedOffset;
    private volatile long lastTerm;
    private volatile boolean closed;
    private volatile IOException flushFailure;
    private long truncations;

    private PartitionLog(Path dir, LogConfig config, LongSupplier clockMs) {
        this.dir = dir;
        this.config = config;
        this.clockMs = clockMs;
    }

    /**
     * Opens (or creates) the log in {@code dir}. After an unclean stop it verifies the active
     * segment and cuts a torn tail; see {@link LogConfig.VerifyOnOpen}.
     *
     * @param clockMs wall clock for segment age and retention, injected so tests control time
     * @throws CorruptLogException if a batch fails its checks where no torn write explains it
     */
    public static PartitionLog open(Path dir, LogConfig config, LongSupplier clockMs) throws IOException {
        Files.createDirectories(dir);
        PartitionLog log = new PartitionLog(dir, config, clockMs);
        log.load();
        return log;
    }

    private void load() throws IOException {
        Path marker = dir.resolve(CLEAN_SHUTDOWN_FILE);
        boolean clean = Files.deleteIfExists(marker);
        List<Long> bases = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.endsWith(".tmp")) {
                    Files.delete(file); // a checkpoint or index write cut short
                } else if (name.endsWith(LogSegment.LOG_SUFFIX)) {
                    bases.add(parseBaseOffset(file));
                }
            }
        }
        bases.sort(null);
        long checkpointedStart = readStartOffset();
        List<LogSegment> opened = new ArrayList<>();
        try {
            for (int i = 0; i < bases.size(); i++) {
                boolean last = i == bases.size() - 1;
                LogSegment.OpenMode mode = last && !clean ? LogSegment.OpenMode.RECOVER
                        : config.verifyOnOpen() == LogConfig.VerifyOnOpen.ALL ? LogSegment.OpenMode.VERIFY
                        : LogSegment.OpenMode.TRUSTED;
                LogSegment segment = LogSegment.open(dir, bases.get(i), config, mode, !last);
                if (!opened.isEmpty() && segment.baseOffset != opened.get(opened.size() - 1).nextOffset()) {
                    LogSegment previous = opened.get(opened.size() - 1);
                    segment.close(false);
                    throw new CorruptLogException(segment.file(), 0, "segment starts at offset " + segment.baseOffset
                            + " but the previous segment " + previous.file().getFileName() + " ends before offset "
                            + previous.nextOffset());
                }
                opened.add(segment);
            }
            if (opened.isEmpty()) {
                opened.add(LogSegment.create(dir, Math.max(checkpointedStart, 0), config));
                syncDirectory();
            }
        } catch (IOException | RuntimeException e) {
            for (LogSegment segment : opened) {
                segment.close(false);
            }
            throw e;
        }
        segments = opened.toArray(new LogSegment[0]);
        startOffset = Math.max(checkpointedStart, segments[0].baseOffset);
        if (startOffset > endOffset()) {
            // A crash lost the tail below a recorded prefix deletion: nothing valid remains.
            resetLocked(startOffset);
        } else {
            dropSegmentsBelow(startOffset);
        }
        last().flush(); // what recovery kept may sit only in the page cache
        flushedOffset = endOffset();
        lastTerm = computeLastTerm();
        if (clean) {
            syncDirectory(); // the marker's removal must be durable before anything is appended
        }
    }

    private static long parseBaseOffset(Path file) {
        String name = file.getFileName().toString();
        String digits = name.substring(0, name.length() - LogSegment.LOG_SUFFIX.length());
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new CorruptLogException(file, 0, "segment file name is not a base offset");
        }
    }

    /**
     * Appends one batch whose base offset must be this log's {@link #endOffset()} (a leader
     * stamps it with {@link RecordBatch#assignOffsetAndTerm}) and whose term must not be below
     * the last batch's. The batch is validated in full (header, CRC, every record) before a
     * byte is written. Not durable until a flush covers it.
     *
     * @param batch exactly one batch, between its position and limit; not modified
     * @throws io.flotilla.log.record.MalformedBatchException if the batch fails validation
     * @throws io.flotilla.log.record.BatchTooLargeException over {@link LogConfig#maxBatchBytes()}
     * @throws LogException on an offset or term that does not follow the log
     */
    public AppendResult append(ByteBuffer batch) throws IOException {
        lock.lock();
        try {
            ensureWritable();
            RecordBatch view = appendView.wrap(batch, batch.position());
            view.validate(batch.remaining(), config.maxBatchBytes());
            if (view.sizeInBytes() != batch.remaining()) {
                throw new io.flotilla.log.record.MalformedBatchException("buffer holds " + batch.remaining()
                        + " bytes but the batch is " + view.sizeInBytes() + "; append one batch at a time");
            }
            long end = endOffset();
            if (view.baseOffset() != end) {
                throw new LogException("batch base offset " + view.baseOffset() + " does not follow the log: the next offset"
                        + " is " + end);
            }
            if (view.term() < lastTerm) {
                throw new LogException("batch term " + view.term() + " is below the log's last term " + lastTerm);
            }
            LogSegment active = last();
            long now = clockMs.getAsLong();
            if (!active.isEmpty() && ((long) active.size() + view.sizeInBytes() > config.segmentBytes()
                    || now - active.firstAppendMs() >= config.segmentMs())) {
                active = rollLocked();
            }
            active.append(view, now);
            lastTerm = view.term();
            return new AppendResult(view.baseOffset(), view.lastOffset(), view.sizeInBytes());
        } finally {
            lock.unlock();
        }
    }

    /** Reads whole batches from {@code offset} up to the end of the log; see {@link #read(long, int, long)}. */
    public LogSlice read(long offset, int maxBytes) throws IOException {
        return read(offset, maxBytes, Long.MAX_VALUE);
    }

    /**
     * Reads whole batches starting with the one that holds {@code offset}: as many as fit in
     * {@code maxBytes}, but at least one so a reader always progresses, and none that reaches
     * {@code endOffset} (pass the high watermark to read committed data only). The batches come
     * from one segment; read again from the next offset for more.
     *
     * @return an empty slice at the end of the log or at {@code endOffset}
     * @throws OffsetOutOfRangeException if {@code offset} is below the start or past the end
     */
    public LogSlice read(long offset, int maxBytes, long endOffset) throws IOException {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be positive, got " + maxBytes);
        }
        ensureOpen();
        LogSegment[] segs = segments;
        long end = segs[segs.length - 1].nextOffset();
        if (offset < startOffset || offset > end) {
            throw new OffsetOutOfRangeException(offset, startOffset, end);
        }
        try {
            for (int i = floorSegment(segs, offset); i < segs.length; i++) {
                if (offset >= endOffset) {
                    return LogSlice.empty();
                }
                int pos = segs[i].positionOf(offset);
                if (pos >= 0) {
                    return segs[i].slice(pos, maxBytes, endOffset);
                }
            }
            return LogSlice.empty();
        } catch (ClosedChannelException e) {
            throw concurrentlyRemoved(offset);
        }
    }

    private LogException concurrentlyRemoved(long offset) {
        if (closed) {
            return new LogClosedException(dir);
        }
        return new OffsetOutOfRangeException(offset, startOffset, endOffset());
    }

    /**
     * The first offset at or after the log start whose record timestamp is at least
     * {@code timestamp} (Kafka's ListOffsets by time), or empty if every record is older.
     */
    public OptionalLong offsetForTimestamp(long timestamp) throws IOException {
        ensureOpen();
        long from = startOffset;
        try {
            for (LogSegment segment : segments) {
                if (segment.nextOffset() <= from) {
                    continue;
                }
                long found = segment.offsetForTimestamp(timestamp, from);
                if (found >= 0) {
                    return OptionalLong.of(found);
                }
            }
        } catch (ClosedChannelException e) {
            throw concurrentlyRemoved(from);
        }
        return OptionalLong.empty();
    }

    /**
     * The Raft term of the batch holding {@code offset}.
     *
     * @throws OffsetOutOfRangeException outside {@code [startOffset, endOffset)}
     */
    public long termAt(long offset) throws IOException {
        ensureOpen();
        LogSegment[] segs = segments;
        long end = segs[segs.length - 1].nextOffset();
        if (offset < startOffset || offset >= end) {
            throw new OffsetOutOfRangeException(offset, startOffset, end);
        }
        LogSegment segment = segs[floorSegment(segs, offset)];
        if (offset >= end - 1 && segment == segs[segs.length - 1]) {
            return lastTerm; // the common Raft question: the term of the last entry
        }
        try {
            return segment.headerAt(offset).getLong(RecordBatch.TERM_OFFSET);
        } catch (ClosedChannelException e) {
            throw concurrentlyRemoved(offset);
        }
    }

    /**
     * Removes every batch at or after {@code offset} (Raft conflict resolution). The cut must
     * fall on a batch boundary, and is durable when this returns: removed segments are deleted
     * and the directory synced, so removed entries cannot reappear after a crash.
     *
     * @throws OffsetOutOfRangeException outside {@code [startOffset, endOffset]}
     * @throws LogException if {@code offset} falls inside a batch
     */
    public void truncateSuffix(long offset) throws IOException {
        lock.lock();
        try {
            ensureWritable();
            long end = endOffset();
            if (offset < startOffset || offset > end) {
                throw new OffsetOutOfRangeException(offset, startOffset, end);
            }
            if (offset == end) {
                return;
            }
            LogSegment[] segs = segments;
            int keep = floorSegment(segs, offset);
            LogSegment target = segs[keep];
            if (!target.isBatchBoundary(offset)) {
                ByteBuffer header = target.headerAt(offset);
                long base = header.getLong(RecordBatch.BASE_OFFSET_OFFSET);
                throw new LogException("offset " + offset + " lies inside the batch holding offsets " + base + ".."
                        + (base + header.getInt(RecordBatch.RECORD_COUNT_OFFSET) - 1)
                        + "; truncation must fall on a batch boundary");
            }
            for (int i = segs.length - 1; i > keep; i--) {
                segs[i].delete();
            }
            syncDirectory();
            target.truncateTo(offset);
            segments = Arrays.copyOf(segs, keep + 1);
            truncations++;
            flushedOffset = Math.min(flushedOffset, offset);
            lastTerm = computeLastTerm();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves the log start to {@code newStartOffset} (retention, or a snapshot covering the
     * prefix) and deletes the segments wholly below it. The new start is checkpointed before any
     * file is deleted. A start at or below the current one changes nothing.
     *
     * @throws OffsetOutOfRangeException if {@code newStartOffset} is past the end (use {@link #resetTo})
     */
    public void deletePrefix(long newStartOffset) throws IOException {
        lock.lock();
        try {
            ensureWritable();
            long end = endOffset();
            if (newStartOffset > end) {
                throw new OffsetOutOfRangeException(newStartOffset, startOffset, end);
            }
            if (newStartOffset <= startOffset) {
                return;
            }
            if (newStartOffset == end && !last().isEmpty()) {
                rollLocked();
            }
            writeStartOffset(newStartOffset);
            startOffset = newStartOffset;
            dropSegmentsBelow(newStartOffset);
            lastTerm = computeLastTerm();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Discards the whole log and starts it empty at {@code newStartOffset}: a follower that
     * installs a snapshot beyond its log. Crash-safe: a crash part-way leaves a prefix of the
     * old log or the empty new one, never a mix.
     */
    public void resetTo(long newStartOffset) throws IOException {
        if (newStartOffset < 0) {
            throw new IllegalArgumentException("log start offset must be >= 0, got " + newStartOffset);
        }
        lock.lock();
        try {
            ensureWritable();
            resetLocked(newStartOffset);
        } finally {
            lock.unlock();
        }
    }

    private void resetLocked(long newStartOffset) throws IOException {
        LogSegment[] segs = segments;
        for (int i = segs.length - 1; i >= 0; i--) {
            segs[i].delete();
        }
        syncDirectory();
        segments = new LogSegment[] {LogSegment.create(dir, newStartOffset, config)};
        writeStartOffset(newStartOffset);
        startOffset = newStartOffset;
        flushedOffset = newStartOffset;
        lastTerm = 0;
        truncations++;
    }

    /** Seals the active segment (fsync) and starts a new one; a no-op on an empty active segment. */
    public void roll() throws IOException {
        lock.lock();
        try {
            ensureWritable();
            if (!last().isEmpty()) {
                rollLocked();
            }
        } finally {
            lock.unlock();
        }
    }

    private LogSegment rollLocked() throws IOException {
        LogSegment active = last();
        active.seal();
        LogSegment next = LogSegment.create(dir, active.nextOffset(), config);
        syncDirectory();
        LogSegment[] segs = segments;
        LogSegment[] grown = Arrays.copyOf(segs, segs.length + 1);
        grown[segs.length] = next;
        segments = grown;
        return next;
    }

    /**
     * Deletes the oldest sealed segments that retention no longer keeps: those whose newest
     * record is older than {@link LogConfig#retentionMs()}, and those the log can lose while
     * still holding {@link LogConfig#retentionBytes()}. Never the active segment, and never a
     * segment holding offsets at or past {@code maxDeletableOffset} (the caller's bound, e.g.
     * the high watermark, so uncommitted or unsnapshotted entries stay).
     *
     * @return the number of segments deleted
     */
    public int applyRetention(long maxDeletableOffset) throws IOException {
        lock.lock();
        try {
            ensureWritable();
            LogSegment[] segs = segments;
            long now = clockMs.getAsLong();
            long total = 0;
            for (LogSegment segment : segs) {
                total += segment.size();
            }
            int deletable = 0;
            long newStart = startOffset;
            for (int i = 0; i < segs.length - 1; i++) {
                LogSegment segment = segs[i];
                boolean expired = config.retentionMs() >= 0 && segment.maxTimestamp() != LogSegment.NO_TIMESTAMP
                        && segment.maxTimestamp() < now - config.retentionMs();
                boolean oversized = config.retentionBytes() >= 0 && total - segment.size() >= config.retentionBytes();
                if (segment.nextOffset() > maxDeletableOffset || !(expired || oversized)) {
                    break;
                }
                total -= segment.size();
                newStart = segment.nextOffset();
                deletable++;
            }
            if (deletable > 0 && newStart > startOffset) {
                writeStartOffset(newStart);
                startOffset = newStart;
                dropSegmentsBelow(newStart);
                lastTerm = computeLastTerm();
            }
            return deletable;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Fsyncs everything appended so far and returns the new flushed offset (every offset below
     * it is durable). Runs concurrently with appends: the lock is held only to take and record
     * the target, never across the fsync, so appends keep flowing while the disk works.
     *
     * @throws LogException if the fsync fails; the log then refuses writes until reopened,
     *                      since the kernel may have dropped the pages that failed to write
     */
    public long flush() {
        long target;
        long epoch;
        LogSegment active;
        lock.lock();
        try {
            ensureWritable();
            target = endOffset();
            active = last();
            epoch = truncations;
        } finally {
            lock.unlock();
        }
        try {
            active.flush();
        } catch (ClosedChannelException e) {
            throw concurrentlyRemoved(target);
        } catch (IOException e) {
            flushFailure = e;
            throw new LogException("fsync of " + active.file() + " failed; the log refuses writes until reopened", e);
        }
        lock.lock();
        try {
            if (epoch == truncations && target > flushedOffset) {
                flushedOffset = target;
            }
            return flushedOffset;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes every segment, writing the active segment's indexes and a clean-shutdown marker so
     * the next open skips recovery. Idempotent.
     */
    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            boolean healthy = flushFailure == null;
            for (LogSegment segment : segments) {
                segment.close(healthy);
            }
            if (healthy) {
                Files.createFile(dir.resolve(CLEAN_SHUTDOWN_FILE));
                syncDirectory();
            }
        } finally {
            lock.unlock();
        }
    }

    /** The first offset a read may ask for. */
    public long startOffset() {
        return startOffset;
    }

    /** The offset the next appended batch gets: one past the last record. */
    public long endOffset() {
        LogSegment[] segs = segments;
        return segs[segs.length - 1].nextOffset();
    }

    /** The last record's offset, or {@code startOffset - 1} when the log is empty. */
    public long lastOffset() {
        return endOffset() - 1;
    }

    /** The term of the batch holding {@link #lastOffset()}, or 0 when the log holds no record. */
    public long lastTerm() {
        return lastTerm;
    }

    /** Every offset below this is durable. */
    public long flushedOffset() {
        return flushedOffset;
    }

    public long sizeInBytes() {
        long total = 0;
        for (LogSegment segment : segments) {
            total += segment.size();
        }
        return total;
    }

    public int segmentCount() {
        return segments.length;
    }

    public Path dir() {
        return dir;
    }

    public LogConfig config() {
        return config;
    }

    private LogSegment last() {
        LogSegment[] segs = segments;
        return segs[segs.length - 1];
    }

    private long computeLastTerm() {
        if (endOffset() <= startOffset) {
            return 0;
        }
        LogSegment[] segs = segments;
        for (int i = segs.length - 1; i >= 0; i--) {
            if (!segs[i].isEmpty()) {
                return segs[i].lastTerm();
            }
        }
        return 0;
    }

    /** Index of the last segment whose base offset is at most {@code offset} (0 if none). */
    private static int floorSegment(LogSegment[] segs, long offset) {
        int lo = 0;
        int hi = segs.length - 1;
        int found = 0;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (segs[mid].baseOffset <= offset) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /** Deletes the segments wholly below {@code offset}, keeping at least the active one. */
    private void dropSegmentsBelow(long offset) throws IOException {
        LogSegment[] segs = segments;
        int drop = 0;
        while (drop < segs.length - 1 && segs[drop].nextOffset() <= offset) {
            drop++;
        }
        if (drop == 0) {
            return;
        }
        segments = Arrays.copyOfRange(segs, drop, segs.length);
        for (int i = 0; i < drop; i++) {
            segs[i].delete();
        }
        syncDirectory();
    }

    private long readStartOffset() throws IOException {
        Path file = dir.resolve(START_OFFSET_FILE);
        if (!Files.exists(file)) {
            return -1;
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new CorruptLogException(file, 0, "log start offset checkpoint holds '" + text + "'");
        }
    }

    private void writeStartOffset(long offset) throws IOException {
        Path file = dir.resolve(START_OFFSET_FILE);
        Path tmp = dir.resolve(START_OFFSET_FILE + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap((offset + "\n").getBytes(StandardCharsets.US_ASCII)));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory();
    }

    /** Makes file creations, deletions and renames in the log directory durable. */
    private void syncDirectory() throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new LogClosedException(dir);
        }
    }

    private void ensureWritable() {
        ensureOpen();
        IOException failure = flushFailure;
        if (failure != null) {
            throw new LogException("log at " + dir + " had an fsync fail (" + failure.getMessage()
                    + "); it refuses writes until reopened, which recovers from what reached the disk", failure);
        }
    }

    @Override
    public String toString() {
        return "PartitionLog[" + dir + ", offsets " + startOffset + ".." + lastOffset() + "]";
    }
}
