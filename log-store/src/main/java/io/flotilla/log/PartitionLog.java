package io.flotilla.log;

import io.flotilla.log.record.MalformedBatchException;
import io.flotilla.log.record.RecordBatch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The log of one partition replica: at once the message log consumers read and the Raft log
 * replicas agree on. A directory of segments, each a file of record batches with contiguous
 * offsets. Log positions are the partition's offsets; a batch occupies the offsets of its
 * records.
 *
 * <p>Concurrency: writes (append, truncate, delete a prefix, reset, roll, retention, close)
 * come from one owner and are serialized by {@code lock}; reads run concurrently from any
 * thread. Every fsync, and every change to the set of segments, also holds {@code flushLock},
 * so a flush never races a roll or a truncation and a failed fsync is always recorded. Lock
 * order: {@code lock}, then {@code flushLock}; {@link #flush} takes only {@code flushLock},
 * so appends continue while the disk works.
 *
 * <p>Failure: an I/O error while changing the log (a failed write, fsync, truncation or file
 * operation) leaves its state uncertain, so the log then refuses writes until it is reopened,
 * which recovers from what is on disk. Retrying an fsync after a failure would falsely succeed:
 * the kernel may already have dropped the pages that failed to write.
 */
public final class PartitionLog implements AutoCloseable {
    static final String CLEAN_SHUTDOWN_FILE = ".clean-shutdown";

    private final Path dir;
    /** Replaced under {@code lock} ({@link #reconfigure}); read without it by retention and {@link #config()}. */
    private volatile LogConfig config;
    private final LongSupplier clockMs;
    private final ReentrantLock lock = new ReentrantLock();
    private final ReentrantLock flushLock = new ReentrantLock();
    private final RecordBatch appendView = new RecordBatch();
    private RecoveryPoint recoveryPoint;

    private volatile LogSegment[] segments;
    private volatile long startOffset;
    private volatile long termBeforeStart;
    private volatile long flushedOffset;
    private volatile long truncations;
    private volatile boolean closed;
    private volatile IOException failure;

    private PartitionLog(Path dir, LogConfig config, LongSupplier clockMs) {
        this.dir = dir;
        this.config = config;
        this.clockMs = clockMs;
    }

    /**
     * Opens (or creates) the log in {@code dir}. After an unclean stop it verifies the active
     * segment and cuts a torn tail; see {@link LogConfig.VerifyOnOpen} and {@link RecoveryPoint}.
     *
     * @param clockMs wall clock for segment age and retention, injected so tests control time
     * @throws CorruptLogException if a batch fails its checks where no torn write explains it
     */
    public static PartitionLog open(Path dir, LogConfig config, LongSupplier clockMs) throws IOException {
        Files.createDirectories(dir);
        PartitionLog log = new PartitionLog(dir, config, clockMs);
        log.recoveryPoint = RecoveryPoint.open(dir);
        try {
            log.load();
        } catch (IOException | RuntimeException e) {
            log.recoveryPoint.close();
            throw e;
        }
        return log;
    }

    /** What {@link #openSalvaging} does with damage before anything is cut. */
    @FunctionalInterface
    public interface DamageHandler {
        /**
         * Called once, before the log changes: make durable whatever must outlive the cut (a
         * replica's promise not to vote until it holds what it lost again). Throwing leaves the
         * log as it was and fails the open.
         */
        void beforeCut(LogDamage damage) throws IOException;
    }

    /**
     * Opens the log as {@link #open} does, but where that finds damage no torn write explains,
     * salvages the log instead of refusing it: every segment is verified to find the first bad
     * batch, {@code handler} is told, the bytes from that batch on are moved into a quarantine
     * directory inside the log directory ({@link LogDamage#quarantine()}, kept for the
     * operator), and the log is cut before that batch and opened. The intact prefix stays;
     * nothing after the first bad batch does, even batches that verify.
     *
     * <p>{@link #open} may miss damage that this would find: after a clean stop only the tail
     * holding the last batch is verified. Pass {@link LogConfig.VerifyOnOpen#ALL} to have every
     * batch checked first.
     *
     * @throws CorruptLogException if the damage is not in the batches (a checkpoint, a file
     *                             name), which cutting the log cannot salvage
     */
    public static PartitionLog openSalvaging(Path dir, LogConfig config, LongSupplier clockMs, DamageHandler handler)
            throws IOException {
        // Known before the open: after a clean stop nothing in the log is a torn write, whatever
        // the recovery point says (its last write may be lost or damaged).
        boolean cleanStop = Files.exists(dir.resolve(CLEAN_SHUTDOWN_FILE));
        try {
            return open(dir, config, clockMs);
        } catch (CorruptLogException found) {
            try (RecoveryPoint recoveryPoint = RecoveryPoint.open(dir)) {
                LogDamage damage = LogSalvage.assess(dir, config, recoveryPoint, cleanStop, clockMs.getAsLong());
                if (damage == null) {
                    throw found;
                }
                handler.beforeCut(damage);
                LogSalvage.cut(dir, damage, recoveryPoint);
            }
            return open(dir, config, clockMs);
        }
    }

    private void load() throws IOException {
        // The marker goes only once the log opened: an open that fails (damage found) must not
        // make the next one take a clean stop for a crash and cut the damage as a torn write.
        Path cleanShutdown = dir.resolve(CLEAN_SHUTDOWN_FILE);
        boolean clean = Files.exists(cleanShutdown);
        LogStart checkpoint = LogStart.read(dir);
        List<Long> bases = liveSegments(checkpoint);
        int tail = tailSegment(bases);
        List<LogSegment> opened = new ArrayList<>();
        try {
            for (int i = 0; i < bases.size(); i++) {
                boolean last = i == bases.size() - 1;
                LogSegment.OpenMode mode = last && !clean ? LogSegment.OpenMode.RECOVER
                        : config.verifyOnOpen() == LogConfig.VerifyOnOpen.ALL ? LogSegment.OpenMode.VERIFY
                        : i == tail ? LogSegment.OpenMode.TAIL_VERIFIED
                        : LogSegment.OpenMode.TRUSTED;
                LogSegment segment = LogSegment.open(dir, bases.get(i), config, mode, !last, recoveryPoint.value(),
                        checkpoint.offset());
                opened.add(segment);
                LogSegment previous = i == 0 ? null : opened.get(i - 1);
                if (previous != null && segment.baseOffset != previous.nextOffset()) {
                    throw new CorruptLogException(segment.file(), 0, previous.nextOffset(), "segment starts at offset "
                            + segment.baseOffset + " but the previous segment " + previous.file().getFileName()
                            + " ends before offset " + previous.nextOffset());
                }
            }
            if (opened.isEmpty()) {
                opened.add(LogSegment.create(dir, Math.max(checkpoint.offset(), 0), config));
                syncDirectory();
            }
            LogSegment last = opened.get(opened.size() - 1);
            if (recoveryPoint.value() > last.nextOffset()) {
                // After a clean stop nothing re-reads the tail: a file cut short at a batch boundary shows only here.
                throw new CorruptLogException(last.file(), last.size(), last.nextOffset(), "the log ends before offset "
                        + last.nextOffset() + " but the recovery point says offsets below " + recoveryPoint.value()
                        + " were fsynced");
            }
        } catch (IOException | RuntimeException e) {
            for (LogSegment segment : opened) {
                try {
                    segment.close(false);
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        segments = opened.toArray(new LogSegment[0]);
        startOffset = Math.max(checkpoint.offset(), segments[0].baseOffset);
        termBeforeStart = checkpoint.termBeforeStart();
        if (startOffset > endOffset()) {
            resetSegments(startOffset, termBeforeStart); // a crash lost the tail below a recorded prefix deletion
        }
        last().startAgeClock(clockMs.getAsLong());
        last().flush(); // what recovery kept may sit only in the page cache
        flushedOffset = endOffset();
        recoveryPoint.advance(flushedOffset);
        if (clean) {
            Files.delete(cleanShutdown);
            syncDirectory(); // the marker's removal must be durable before anything is appended
        }
    }

    /**
     * The base offsets of the segments in {@code dir} that hold live offsets (at or after the
     * log start), in order. Those wholly below it, left by a crash between the checkpoint of a
     * new start and their deletion, are deleted unread: their bytes are not live, so damage in
     * them must not count.
     */
    private List<Long> liveSegments(LogStart checkpoint) throws IOException {
        List<Long> bases = listSegments(dir);
        int firstLive = firstLiveSegment(bases, checkpoint.offset());
        for (long dead : bases.subList(0, firstLive)) {
            LogSegment.deleteFiles(dir, dead);
        }
        if (firstLive > 0) {
            syncDirectory();
        }
        return bases.subList(firstLive, bases.size());
    }

    /**
     * The index of the segment holding the log's last batch: the last, or the one before it
     * when the last is empty (a roll that no append followed yet). At most one segment is
     * empty, since a log rolls only a segment that holds something.
     */
    private int tailSegment(List<Long> bases) throws IOException {
        int last = bases.size() - 1;
        boolean lastEmpty = last > 0 && Files.size(dir.resolve(LogSegment.fileName(bases.get(last),
                LogSegment.LOG_SUFFIX))) == 0;
        return lastEmpty ? last - 1 : last;
    }

    /** The index of the first of {@code bases} holding offsets at or after {@code logStart}: the last starting at or below it. */
    static int firstLiveSegment(List<Long> bases, long logStart) {
        int first = 0;
        while (first + 1 < bases.size() && bases.get(first + 1) <= logStart) {
            first++;
        }
        return first;
    }

    /** The base offsets of the segment files in {@code dir}, in order; deletes what writes cut short left. */
    static List<Long> listSegments(Path dir) throws IOException {
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
        return bases;
    }

    private static long parseBaseOffset(Path file) {
        String name = file.getFileName().toString();
        try {
            return Long.parseLong(name.substring(0, name.length() - LogSegment.LOG_SUFFIX.length()));
        } catch (NumberFormatException e) {
            throw new CorruptLogException(file, 0, "segment file name is not a base offset");
        }
    }

    /**
     * Appends one batch whose base offset must be this log's {@link #endOffset()} (a leader
     * stamps it with {@link RecordBatch#assignOffsetAndTerm}) and whose term must not be below
     * {@link #lastTerm()}. The batch is validated in full (header, CRC, every record) before a
     * byte is written. Not durable until a flush covers it.
     *
     * @param batch exactly one batch, between its position and limit; not modified
     * @throws MalformedBatchException if the batch fails validation
     * @throws io.flotilla.log.record.BatchTooLargeException over {@link LogConfig#maxBatchBytes()}
     * @throws LogException on an offset or term that does not follow the log
     */
    public AppendResult append(ByteBuffer batch) throws IOException {
        lock.lock();
        try {
            ensureWritable();
            ByteBuffer bytes = batch.duplicate().order(ByteOrder.BIG_ENDIAN); // the format's order, whatever the caller's
            RecordBatch view = appendView.wrap(bytes, bytes.position());
            view.validate(bytes.remaining(), config.maxBatchBytes());
            if (view.sizeInBytes() != bytes.remaining()) {
                throw new MalformedBatchException("buffer holds " + bytes.remaining() + " bytes but the batch is "
                        + view.sizeInBytes() + "; append one batch at a time");
            }
            long end = endOffset();
            if (view.baseOffset() != end) {
                throw new LogException("batch base offset " + view.baseOffset() + " does not follow the log: the next"
                        + " offset is " + end);
            }
            long lastTerm = lastTerm();
            if (view.term() < lastTerm) {
                throw new LogException("batch term " + view.term() + " is below the log's last term " + lastTerm);
            }
            try {
                LogSegment active = last();
                long now = clockMs.getAsLong();
                if (!active.isEmpty() && ((long) active.size() + view.sizeInBytes() > config.segmentBytes()
                        || now - active.firstAppendMs() >= config.segmentMs())) {
                    active = rollLocked();
                }
                active.append(view, now);
            } catch (IOException e) {
                throw markFailed(e);
            }
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
        if (offset >= endOffset || offset == end) {
            return LogSlice.empty();
        }
        try {
            for (int i = floorSegment(segs, offset); i < segs.length; i++) {
                int pos = segs[i].positionOf(offset);
                if (pos >= 0) {
                    return segs[i].slice(pos, maxBytes, endOffset);
                }
            }
            return LogSlice.empty();
        } catch (ClosedByInterruptException e) {
            throw e; // this reader was interrupted: say so, not that the data moved
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
                if (segment.nextOffset() > from) {
                    long found = segment.offsetForTimestamp(timestamp, from);
                    if (found >= 0) {
                        return OptionalLong.of(found);
                    }
                }
            }
        } catch (ClosedByInterruptException e) {
            throw e; // this reader was interrupted: say so, not that the data moved
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
        return batchHolding(offset).term();
    }

    /**
     * The base offset of the batch holding {@code offset}: where the Raft entry holding it begins.
     *
     * @throws OffsetOutOfRangeException outside {@code [startOffset, endOffset)}
     */
    public long batchBaseOffset(long offset) throws IOException {
        return batchHolding(offset).baseOffset();
    }

    private LogSegment.BatchStart batchHolding(long offset) throws IOException {
        ensureOpen();
        LogSegment[] segs = segments;
        long end = segs[segs.length - 1].nextOffset();
        if (offset < startOffset || offset >= end) {
            throw new OffsetOutOfRangeException(offset, startOffset, end);
        }
        try {
            return segs[floorSegment(segs, offset)].batchHolding(offset);
        } catch (ClosedByInterruptException e) {
            throw e; // this reader was interrupted: say so, not that the data moved
        } catch (ClosedChannelException e) {
            throw concurrentlyRemoved(offset);
        }
    }

    /**
     * Removes every batch at or after {@code offset} (Raft conflict resolution). The cut must
     * fall on a batch boundary, and is durable when this returns: removed entries cannot
     * reappear after a crash.
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
                ByteBuffer header = target.headerAt(target.positionOf(offset));
                long base = header.getLong(RecordBatch.BASE_OFFSET_OFFSET);
                throw new LogException("offset " + offset + " lies inside the batch holding offsets " + base + ".."
                        + (base + header.getInt(RecordBatch.RECORD_COUNT_OFFSET) - 1)
                        + "; truncation must fall on a batch boundary");
            }
            changeSegments(() -> {
                recoveryPoint.lower(offset); // durably, before the data it vouches for goes
                segments = Arrays.copyOf(segs, keep + 1);
                for (int i = segs.length - 1; i > keep; i--) {
                    segs[i].delete();
                }
                syncDirectory();
                target.truncateTo(offset);
                flushedOffset = Math.min(flushedOffset, offset);
                truncations++;
            });
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves the log start to {@code newStartOffset} (retention, or a snapshot covering the
     * prefix) and deletes the segments wholly below it. The new start, and the term of the
     * entry before it, are checkpointed before any file is deleted. A start at or below the
     * current one changes nothing.
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
            long termBefore = termAt(newStartOffset - 1);
            changeSegments(() -> {
                if (newStartOffset == end && !last().isEmpty()) {
                    rollLocked();
                }
                moveStart(newStartOffset, termBefore);
            });
        } finally {
            lock.unlock();
        }
    }

    /**
     * Discards the whole log and starts it empty at {@code newStartOffset}, recording
     * {@code termBeforeStart} as the term of the entry before it (the snapshot's last term):
     * a follower that installs a snapshot beyond its log. Crash-safe: a crash part-way leaves
     * a prefix of the old log or the empty new one, never a mix.
     */
    public void resetTo(long newStartOffset, long termBeforeStart) throws IOException {
        if (newStartOffset < 0 || termBeforeStart < 0) {
            throw new IllegalArgumentException("log start offset and term must be >= 0, got " + newStartOffset
                    + " and " + termBeforeStart);
        }
        lock.lock();
        try {
            ensureWritable();
            resetSegments(newStartOffset, termBeforeStart);
        } finally {
            lock.unlock();
        }
    }

    private void resetSegments(long newStartOffset, long termBefore) throws IOException {
        changeSegments(() -> {
            // Durably below whatever prefix a crash part-way leaves, or the next open takes it for lost data.
            recoveryPoint.lower(Math.min(startOffset, newStartOffset));
            LogSegment[] segs = segments;
            for (int i = segs.length - 1; i >= 0; i--) {
                segs[i].delete(); // newest first: a crash part-way leaves a prefix
            }
            syncDirectory();
            LogSegment fresh = LogSegment.create(dir, newStartOffset, config);
            new LogStart(newStartOffset, termBefore).write(dir);
            segments = new LogSegment[] {fresh};
            startOffset = newStartOffset;
            termBeforeStart = termBefore;
            flushedOffset = newStartOffset;
            truncations++;
        });
    }

    /** Seals the active segment (fsync) and starts a new one; a no-op on an empty active segment. */
    public void roll() throws IOException {
        lock.lock();
        try {
            ensureWritable();
            if (!last().isEmpty()) {
                rollLocked();
            }
        } catch (IOException e) {
            throw markFailed(e);
        } finally {
            lock.unlock();
        }
    }

    /** Creates the next segment, then seals the active one: sealing fsyncs, so all before the new segment is durable. */
    private LogSegment rollLocked() throws IOException {
        flushLock.lock();
        try {
            LogSegment active = last();
            LogSegment next = LogSegment.create(dir, active.nextOffset(), config);
            try {
                active.seal();
                syncDirectory();
            } catch (IOException e) {
                next.delete();
                throw e;
            }
            LogSegment[] segs = segments;
            LogSegment[] grown = Arrays.copyOf(segs, segs.length + 1);
            grown[segs.length] = next;
            segments = grown;
            flushedOffset = Math.max(flushedOffset, active.nextOffset());
            recoveryPoint.advance(flushedOffset);
            return next;
        } finally {
            flushLock.unlock();
        }
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
            int deletable = expiredSegments(segs, maxDeletableOffset);
            LogSegment lastDeleted = deletable == 0 ? null : segs[deletable - 1];
            if (lastDeleted == null || lastDeleted.nextOffset() <= startOffset) {
                return 0;
            }
            changeSegments(() -> moveStart(lastDeleted.nextOffset(), lastDeleted.lastBatch().term()));
            return deletable;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Where {@link #applyRetention} would move the log start now (the current start if nothing
     * is due), without deleting anything: for an owner that must announce the new start before
     * the entries below it go, and then deletes them with {@link #deletePrefix}.
     */
    public long retentionStart(long maxDeletableOffset) {
        ensureOpen();
        LogSegment[] segs = segments;
        int deletable = expiredSegments(segs, maxDeletableOffset);
        return deletable == 0 ? startOffset : Math.max(startOffset, segs[deletable - 1].nextOffset());
    }

    /** How many of the oldest segments retention no longer keeps: never the active one, never one reaching the bound. */
    private int expiredSegments(LogSegment[] segs, long maxDeletableOffset) {
        LogConfig limits = config;
        return Retention.deletableSegments(Arrays.asList(segs), clockMs.getAsLong(), limits.retentionMs(),
                limits.retentionBytes(), maxDeletableOffset);
    }

    /**
     * Replaces the log's limits from now on, as when a topic's configuration changes: the
     * active segment rolls by the new segment size and age from the next append on, retention
     * applies the new limits at its next call, appends are checked against the new batch limit,
     * and segments created from now on use the new index interval. ({@code verifyOnOpen} only
     * matters when a log is opened.)
     */
    public void reconfigure(LogConfig next) {
        Objects.requireNonNull(next, "next");
        lock.lock();
        try {
            ensureOpen();
            config = next;
        } finally {
            lock.unlock();
        }
    }

    /** A change to the set of segments or their durability. */
    private interface SegmentChange {
        void run() throws IOException;
    }

    /**
     * Runs a change under the flush lock (so no fsync races it), marking the log failed if it
     * throws: a change cut short by an I/O error leaves the state uncertain.
     */
    private void changeSegments(SegmentChange change) throws IOException {
        flushLock.lock();
        try {
            change.run();
        } catch (IOException e) {
            throw markFailed(e);
        } finally {
            flushLock.unlock();
        }
    }

    /** Checkpoints the new start, then deletes the segments below it. Holds both locks. */
    private void moveStart(long newStart, long termBefore) throws IOException {
        new LogStart(newStart, termBefore).write(dir);
        startOffset = newStart;
        termBeforeStart = termBefore;
        dropSegmentsBelow(newStart);
    }

    /**
     * Fsyncs everything appended so far, records the recovery point, and returns the new
     * flushed offset (every offset below it is durable). Appends continue during the fsync.
     *
     * @throws LogException if the fsync fails; the log then refuses writes until reopened
     */
    public long flush() {
        ensureWritable();
        flushLock.lock();
        try {
            ensureWritable();
            LogSegment active = last();
            long target = active.nextOffset(); // published after its bytes were written
            active.flush();
            if (target > flushedOffset) {
                flushedOffset = target;
            }
            recoveryPoint.advance(flushedOffset);
            return flushedOffset;
        } catch (IOException e) {
            throw new LogException("fsync of the log at " + dir + " failed; it refuses writes until reopened",
                    markFailed(e));
        } finally {
            flushLock.unlock();
        }
    }

    /**
     * Closes every segment, writing the active segment's indexes and a clean-shutdown marker so
     * the next open skips recovery; no marker if any write or fsync ever failed. Idempotent.
     */
    @Override
    public void close() throws IOException {
        lock.lock();
        flushLock.lock(); // waits for an fsync in progress, so its outcome is known
        try {
            if (closed) {
                return;
            }
            closed = true;
            IOException error = null;
            for (LogSegment segment : segments) {
                try {
                    segment.close(failure == null && error == null);
                } catch (IOException e) {
                    error = accumulate(error, e);
                }
            }
            try {
                if (failure == null && error == null) {
                    recoveryPoint.advance(endOffset());
                    recoveryPoint.force(); // the marker vouches for it: a salvage after a clean stop reads it as evidence
                    syncDirectory(); // index renames first, then the marker that vouches for them
                    Files.createFile(dir.resolve(CLEAN_SHUTDOWN_FILE));
                    syncDirectory();
                }
            } catch (IOException e) {
                error = accumulate(error, e);
            } finally {
                try {
                    recoveryPoint.close();
                } catch (IOException e) {
                    error = accumulate(error, e);
                }
            }
            if (error != null) {
                throw error;
            }
        } finally {
            flushLock.unlock();
            lock.unlock();
        }
    }

    private static IOException accumulate(IOException first, IOException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    /** The first offset a read may ask for. */
    public long startOffset() {
        return startOffset;
    }

    /** The offset the next appended batch gets: one past the last record. */
    public long endOffset() {
        return last().nextOffset();
    }

    /** The last record's offset, or {@code startOffset - 1} when the log is empty. */
    public long lastOffset() {
        return endOffset() - 1;
    }

    /**
     * The term of the batch holding {@link #lastOffset()}; when the log holds no record, the
     * term of the entry before the start (recorded by {@link #deletePrefix}, {@link #resetTo}
     * and retention; 0 for a new log). Appends never go below it.
     */
    public long lastTerm() {
        LogSegment[] segs = segments;
        if (segs[segs.length - 1].nextOffset() > startOffset) {
            for (int i = segs.length - 1; i >= 0; i--) {
                LogSegment.BatchStart last = segs[i].lastBatch();
                if (last != null) {
                    return last.term();
                }
            }
        }
        return termBeforeStart;
    }

    /** Every offset below this is durable. */
    public long flushedOffset() {
        return flushedOffset;
    }

    /** Counts truncations and resets: a waiter for durability knows its entry may have been replaced. */
    public long truncations() {
        return truncations;
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

    private void syncDirectory() throws IOException {
        LogStart.syncDirectory(dir);
    }

    private IOException markFailed(IOException e) {
        if (failure == null) {
            failure = e;
        }
        return e;
    }

    private void ensureOpen() {
        if (closed) {
            throw new LogClosedException(dir);
        }
    }

    private void ensureWritable() {
        ensureOpen();
        IOException failed = failure;
        if (failed != null) {
            throw new LogException("log at " + dir + " had an I/O failure (" + failed.getMessage()
                    + "); it refuses writes until reopened, which recovers from what reached the disk", failed);
        }
    }

    @Override
    public String toString() {
        return "PartitionLog[" + dir + ", offsets " + startOffset + ".." + lastOffset() + "]";
    }
}
