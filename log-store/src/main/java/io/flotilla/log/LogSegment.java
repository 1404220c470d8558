package io.flotilla.log;

import io.flotilla.log.record.MalformedBatchException;
import io.flotilla.log.record.RecordBatch;
import io.flotilla.log.record.RecordCursor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One file of a partition log: batches with contiguous offsets starting at {@link #baseOffset},
 * plus its sparse offset and time indexes. Files are named by base offset, zero-padded to 20
 * digits, so a directory listing is in log order.
 *
 * <p>One writer (the owning {@link PartitionLog}, under its lock) appends and truncates;
 * readers run concurrently. The writer publishes {@code size}, then the last batch, then
 * {@code nextOffset} (volatile writes in that order), so a reader that sees an offset below
 * {@code nextOffset} finds its bytes; truncation lowers {@code nextOffset} first.
 *
 * <p>Two channels: the writer's (also used for fsync) is touched only by the log's owner and
 * flusher, which are never interrupted; readers get their own, reopened if an interrupted
 * reader closed it, because Java closes a channel when a thread blocked on it is interrupted.
 */
final class LogSegment implements Retention.Segment {
    private static final Logger log = LoggerFactory.getLogger(LogSegment.class);
    static final String LOG_SUFFIX = ".log";
    static final String OFFSET_INDEX_SUFFIX = ".index";
    static final String TIME_INDEX_SUFFIX = ".timeindex";
    static final long NO_TIMESTAMP = Long.MIN_VALUE;

    /** How an existing segment is opened. */
    enum OpenMode {
        /**
         * Trust the bytes: load the indexes and walk only the headers of the batches after the
         * last index entry; a missing or damaged index is rebuilt by a verifying scan.
         */
        TRUSTED,
        /**
         * As {@link #TRUSTED}, but the batches after the last index entry are verified in full:
         * the segment holding the log's last batch, whose term Raft compares when it votes.
         */
        TAIL_VERIFIED,
        /**
         * Verify every batch and rebuild the indexes; a bad batch at or above the recovery point
         * is a torn write and is cut off with everything after it: the active segment after a crash.
         */
        RECOVER,
        /** Verify every batch and rebuild the indexes; any bad batch is corruption. */
        VERIFY
    }

    /** A batch's base offset and term: what Raft asks about most (of the last batch above all). */
    record BatchStart(long baseOffset, long term) {
    }

    /** Where a verifying walk resumes after a bad batch below the log start. */
    private record Resume(int position, long offset) {
    }

    final long baseOffset;
    private final Path logFile;
    private final FileChannel writeChannel;
    private volatile FileChannel readChannel;
    private final int indexIntervalBytes;
    private final SparseIndex offsetIndex;
    private final SparseIndex timeIndex;

    private volatile int size;
    private volatile long nextOffset;
    private volatile long maxTimestamp = NO_TIMESTAMP;
    private volatile BatchStart lastBatch;
    private volatile boolean closed;
    private int bytesSinceIndexEntry;
    private long firstAppendMs = -1;
    private boolean sealed;

    private LogSegment(long baseOffset, Path logFile, FileChannel writeChannel, SparseIndex offsetIndex,
                       SparseIndex timeIndex, int indexIntervalBytes) throws IOException {
        this.baseOffset = baseOffset;
        this.logFile = logFile;
        this.writeChannel = writeChannel;
        this.offsetIndex = offsetIndex;
        this.timeIndex = timeIndex;
        this.indexIntervalBytes = indexIntervalBytes;
        this.nextOffset = baseOffset;
        this.readChannel = FileChannel.open(logFile, StandardOpenOption.READ);
    }

    static String fileName(long baseOffset, String suffix) {
        return String.format("%020d%s", baseOffset, suffix);
    }

    static LogSegment create(Path dir, long baseOffset, LogConfig config) throws IOException {
        Path offsetPath = dir.resolve(fileName(baseOffset, OFFSET_INDEX_SUFFIX));
        Path timePath = dir.resolve(fileName(baseOffset, TIME_INDEX_SUFFIX));
        Files.deleteIfExists(offsetPath);
        Files.deleteIfExists(timePath);
        Path log = dir.resolve(fileName(baseOffset, LOG_SUFFIX));
        FileChannel ch = FileChannel.open(log, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            return new LogSegment(baseOffset, log, ch, SparseIndex.empty(offsetPath), SparseIndex.empty(timePath),
                    config.indexIntervalBytes());
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Opens an existing segment.
     *
     * @param sealed        whether later segments follow (its indexes are then memory-mapped)
     * @param recoveryPoint offsets below this were fsynced; only used by {@link OpenMode#RECOVER}
     * @param logStart      the log's first live offset: damage wholly below it is reported, not
     *                      fatal (see {@link #stepOverDead})
     * @throws CorruptLogException if a batch fails its checks where no torn write can explain it
     */
    static LogSegment open(Path dir, long baseOffset, LogConfig config, OpenMode mode, boolean sealed,
                           long recoveryPoint, long logStart) throws IOException {
        Path log = dir.resolve(fileName(baseOffset, LOG_SUFFIX));
        FileChannel ch = FileChannel.open(log, StandardOpenOption.READ, StandardOpenOption.WRITE);
        LogSegment segment = null;
        try {
            long fileSize = ch.size();
            if (fileSize > Integer.MAX_VALUE) {
                throw new CorruptLogException(log, 0, "segment of " + fileSize + " bytes exceeds the 2 GiB limit");
            }
            Path offsetPath = dir.resolve(fileName(baseOffset, OFFSET_INDEX_SUFFIX));
            Path timePath = dir.resolve(fileName(baseOffset, TIME_INDEX_SUFFIX));
            boolean trusted = mode == OpenMode.TRUSTED || mode == OpenMode.TAIL_VERIFIED;
            SparseIndex offsets = trusted ? SparseIndex.load(offsetPath, fileSize, sealed) : null;
            SparseIndex times = trusted ? SparseIndex.load(timePath, fileSize, sealed) : null;
            boolean rebuild = offsets == null || times == null;
            segment = new LogSegment(baseOffset, log, ch, rebuild ? SparseIndex.empty(offsetPath) : offsets,
                    rebuild ? SparseIndex.empty(timePath) : times, config.indexIntervalBytes());
            segment.size = (int) fileSize;
            segment.sealed = sealed;
            if (rebuild) {
                segment.scan(mode == OpenMode.RECOVER ? recoveryPoint : Long.MAX_VALUE, logStart);
                if (sealed) {
                    segment.offsetIndex.seal();
                    segment.timeIndex.seal();
                }
            } else if (!segment.restoreTailState(mode == OpenMode.TAIL_VERIFIED, logStart)) {
                segment.closeChannels(); // its index leads through damage below the log start: re-index past it
                return open(dir, baseOffset, config, OpenMode.VERIFY, sealed, recoveryPoint, logStart);
            }
            if (segment.size > 0) {
                segment.bytesSinceIndexEntry = config.indexIntervalBytes(); // the next append gets an entry
            }
            return segment;
        } catch (IOException | RuntimeException e) {
            if (segment != null) {
                segment.closeChannels();
            } else {
                ch.close();
            }
            throw e;
        }
    }

    /**
     * Reads every batch from byte 0, checking structure, contiguity, CRC and records, and
     * re-indexing them. At the first bad batch: if its offset is at or above
     * {@code tornFromOffset} it is a torn write, cut off with everything after it (pages of
     * unsynced writes reach the disk in any order, so what follows proves nothing); below it,
     * the bytes were durable and the damage is corruption. A bad batch wholly below
     * {@code logStart} is stepped over if it can be ({@link #stepOverDead}).
     */
    private void scan(long tornFromOffset, long logStart) throws IOException {
        int end = size;
        int pos = 0;
        ByteBuffer header = ByteBuffer.allocate(RecordBatch.HEADER_BYTES);
        ByteBuffer batchBuf = ByteBuffer.allocate(0);
        RecordBatch batch = new RecordBatch();
        while (pos < end) {
            String problem = null;
            int length = 0;
            if (end - pos < RecordBatch.HEADER_BYTES) {
                problem = "only " + (end - pos) + " bytes remain, less than a batch header";
            } else {
                readFully(header.clear(), pos);
                length = header.getInt(RecordBatch.LENGTH_OFFSET);
                if (length < RecordBatch.HEADER_BYTES || length > LogConfig.MAX_BATCH_BYTES_LIMIT) {
                    problem = "implausible batch length " + length;
                } else if (pos + (long) length > end) {
                    problem = "batch of " + length + " bytes runs past the end of the file (" + (end - pos)
                            + " bytes remain)";
                } else {
                    if (batchBuf.capacity() < length) {
                        batchBuf = ByteBuffer.allocate(Math.max(length, 64 * 1024));
                    }
                    readFully(batchBuf.clear().limit(length), pos);
                    problem = check(batch.wrap(batchBuf, 0), length);
                }
            }
            if (problem != null) {
                Resume resume = stepOverDead(pos, nextOffset, logStart, end, problem);
                if (resume != null) {
                    pos = resume.position();
                    nextOffset = resume.offset();
                    bytesSinceIndexEntry = indexIntervalBytes; // lookups of live offsets start past the damage
                    continue;
                }
                if (nextOffset >= tornFromOffset) {
                    truncateFile(pos, nextOffset);
                    return;
                }
                throw new CorruptLogException(logFile, pos, nextOffset, problem + tornDetail(tornFromOffset));
            }
            indexBatch(batch, pos, length);
            publishLastBatch(batch);
            pos += length;
        }
        if (tornFromOffset != Long.MAX_VALUE && nextOffset < tornFromOffset) {
            throw new CorruptLogException(logFile, pos, nextOffset, "the segment ends before offset "
                    + nextOffset + " but the recovery point says offsets below " + tornFromOffset + " were fsynced");
        }
    }

    private static String tornDetail(long tornFromOffset) {
        return tornFromOffset == Long.MAX_VALUE ? ""
                : " (below the recovery point " + tornFromOffset + ": this data was fsynced, so it is not a torn write)";
    }

    private String check(RecordBatch batch, int length) {
        try {
            batch.validate(length, LogConfig.MAX_BATCH_BYTES_LIMIT);
        } catch (MalformedBatchException e) {
            return e.getMessage();
        }
        if (batch.baseOffset() != nextOffset) {
            return "batch base offset " + batch.baseOffset() + " where offset " + nextOffset + " was expected";
        }
        return null;
    }

    /**
     * Re-derives next offset, max timestamp and last batch without reading the whole segment:
     * the time index's last key is the max timestamp of every batch up to the last offset index
     * entry (entries are added together), so only the batches from that entry on are walked,
     * by their headers (magic, length, contiguous offsets). With {@code verify} they are checked
     * in full (a few KiB and the last batch): in the segment holding the log's last batch, whose
     * term Raft compares when it votes and must not come from a damaged header. Computes into
     * locals and publishes once, so readers never see a half-restored state.
     *
     * @return false, changing nothing, if a bad batch lies below {@code logStart}: the segment
     *         must be re-scanned, which steps over it and indexes past it ({@link #scan})
     */
    private boolean restoreTailState(boolean verify, long logStart) throws IOException {
        int entries = offsetIndex.count();
        int pos = entries == 0 ? 0 : offsetIndex.position(entries - 1);
        long next = entries == 0 ? baseOffset : offsetIndex.key(entries - 1);
        long maxTs = timeIndex.count() == 0 ? NO_TIMESTAMP : timeIndex.lastKey();
        BatchStart last = null;
        ByteBuffer header = ByteBuffer.allocate(RecordBatch.HEADER_BYTES);
        ByteBuffer whole = ByteBuffer.allocate(0);
        RecordBatch batch = new RecordBatch();
        int end = size;
        while (pos < end) {
            String problem = headerProblem(header, pos, end);
            long base = header.getLong(RecordBatch.BASE_OFFSET_OFFSET);
            int length = header.getInt(RecordBatch.LENGTH_OFFSET);
            if (problem == null && base != next) {
                problem = "batch base offset " + base + " where offset " + next + " was expected (walking from index "
                        + offsetIndex.file().getFileName() + ")";
            }
            if (problem == null && verify) {
                if (whole.capacity() < length) {
                    whole = ByteBuffer.allocate(length);
                }
                readFully(whole.clear().limit(length), pos);
                try {
                    batch.wrap(whole, 0).validate(length, LogConfig.MAX_BATCH_BYTES_LIMIT);
                } catch (MalformedBatchException e) {
                    problem = e.getMessage();
                }
            }
            if (problem != null) {
                if (next < logStart) {
                    return false;
                }
                throw new CorruptLogException(logFile, pos, next, problem);
            }
            next = base + header.getInt(RecordBatch.RECORD_COUNT_OFFSET);
            maxTs = Math.max(maxTs, header.getLong(RecordBatch.MAX_TIMESTAMP_OFFSET));
            last = new BatchStart(base, header.getLong(RecordBatch.TERM_OFFSET));
            pos += length;
        }
        maxTimestamp = maxTs;
        lastBatch = last;
        nextOffset = next;
        return true;
    }

    /**
     * Batches wholly below the log start are not live: compacted away, and kept only because
     * segments are deleted whole. A bad one ({@code problem}, at byte {@code pos}, where offset
     * {@code offset} was due) is reported and stepped over when its length leads to a header
     * whose base offset lies past {@code offset} and at or below {@code logStart}: the scan
     * resumes there, verifying on. Null when the damage may reach live offsets, or nothing
     * shows where they begin (a damaged length): then it counts as any damage does.
     */
    private Resume stepOverDead(int pos, long offset, long logStart, int end, String problem) throws IOException {
        if (offset >= logStart || end - pos < RecordBatch.HEADER_BYTES) {
            return null;
        }
        ByteBuffer header = ByteBuffer.allocate(RecordBatch.HEADER_BYTES);
        readFully(header, pos);
        long next = pos + (long) header.getInt(RecordBatch.LENGTH_OFFSET);
        if (next < pos + RecordBatch.HEADER_BYTES || next > end - RecordBatch.HEADER_BYTES) {
            return null;
        }
        readFully(header.clear(), next);
        long base = header.getLong(RecordBatch.BASE_OFFSET_OFFSET);
        if (header.get(RecordBatch.MAGIC_OFFSET) != RecordBatch.MAGIC_V1 || base <= offset || base > logStart) {
            return null;
        }
        log.warn("{} is damaged at byte {} (offset {}), below the log start {}: {}. Those offsets are not live:"
                + " nothing is cut or recovered, and the bytes go when the segment is deleted", logFile, pos, offset,
                logStart, problem);
        return new Resume((int) next, base);
    }

    /** Appends a batch already validated by the caller; the bytes are written in place. */
    void append(RecordBatch batch, long nowMs) throws IOException {
        ByteBuffer src = batch.buffer().duplicate();
        int length = batch.sizeInBytes();
        src.limit(batch.start() + length).position(batch.start());
        int pos = size;
        while (src.hasRemaining()) {
            pos += writeChannel.write(src, pos);
        }
        if (firstAppendMs < 0) {
            firstAppendMs = nowMs;
        }
        indexBatch(batch, size, length);
        size = pos;
        publishLastBatch(batch);
    }

    private void publishLastBatch(RecordBatch batch) {
        lastBatch = new BatchStart(batch.baseOffset(), batch.term());
        nextOffset = batch.nextOffset();
    }

    private void indexBatch(RecordBatch batch, int position, int length) {
        maxTimestamp = Math.max(maxTimestamp, batch.maxTimestamp());
        if (bytesSinceIndexEntry >= indexIntervalBytes || offsetIndex.count() == 0) {
            offsetIndex.append(batch.baseOffset(), position);
            if (maxTimestamp > timeIndex.lastKey()) {
                timeIndex.append(maxTimestamp, position);
            }
            bytesSinceIndexEntry = 0;
        }
        bytesSinceIndexEntry += length;
    }

    /**
     * Position of the batch holding {@code offset}, or -1 if the offset is not in this segment.
     * Safe to call from reader threads.
     */
    int positionOf(long offset) throws IOException {
        if (offset >= nextOffset || offset < baseOffset) {
            return -1;
        }
        int entry = offsetIndex.floorByKey(offset);
        int pos = entry < 0 ? 0 : offsetIndex.position(entry);
        int end = size;
        ByteBuffer header = ByteBuffer.allocate(RecordBatch.HEADER_BYTES);
        while (pos < end) {
            readHeader(header, pos, end);
            long base = header.getLong(RecordBatch.BASE_OFFSET_OFFSET);
            if (offset < base) {
                throw new CorruptLogException(logFile, pos, "looking for offset " + offset + " found a batch starting at "
                        + base);
            }
            if (offset < base + header.getInt(RecordBatch.RECORD_COUNT_OFFSET)) {
                return pos;
            }
            pos += header.getInt(RecordBatch.LENGTH_OFFSET);
        }
        return -1;
    }

    /** The header of the batch at {@code pos}, its magic and length checked. */
    ByteBuffer headerAt(int pos) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(RecordBatch.HEADER_BYTES);
        readHeader(header, pos, size);
        return header;
    }

    private void readHeader(ByteBuffer header, int pos, int end) throws IOException {
        String problem = headerProblem(header, pos, end);
        if (problem != null) {
            throw new CorruptLogException(logFile, pos, problem);
        }
    }

    /** Reads the header at {@code pos} into {@code header}; what is wrong with its magic or length, or null. */
    private String headerProblem(ByteBuffer header, int pos, int end) throws IOException {
        header.clear();
        if (end - pos < RecordBatch.HEADER_BYTES) {
            return "batch header cut short at the end of the segment";
        }
        readFully(header, pos);
        int length = header.getInt(RecordBatch.LENGTH_OFFSET);
        if (header.get(RecordBatch.MAGIC_OFFSET) != RecordBatch.MAGIC_V1 || length < RecordBatch.HEADER_BYTES
                || pos + (long) length > end) {
            return "batch header is not valid (magic " + header.get(RecordBatch.MAGIC_OFFSET) + ", length " + length
                    + ")";
        }
        return null;
    }

    /**
     * Whole batches starting at byte {@code from}: as many as fit in {@code maxBytes} (the first
     * always, so a reader makes progress), none reaching {@code endOffset} or beyond.
     */
    LogSlice slice(int from, int maxBytes, long endOffset) throws IOException {
        long bound = Math.min(endOffset, nextOffset);
        int end = size;
        int pos = from;
        ByteBuffer header = ByteBuffer.allocate(RecordBatch.HEADER_BYTES);
        while (pos < end) {
            readHeader(header, pos, end);
            int length = header.getInt(RecordBatch.LENGTH_OFFSET);
            long next = header.getLong(RecordBatch.BASE_OFFSET_OFFSET) + header.getInt(RecordBatch.RECORD_COUNT_OFFSET);
            if (next > bound || (pos > from && (long) pos - from + length > maxBytes)) {
                break;
            }
            pos += length;
        }
        return new LogSlice(this, from, pos - from);
    }

    /** Term of the batch holding {@code offset}, which the caller knows is in this segment. */
    /** Base offset and term of the batch holding {@code offset}. */
    BatchStart batchHolding(long offset) throws IOException {
        BatchStart last = lastBatch;
        if (last != null && offset >= last.baseOffset() && offset < nextOffset) {
            return last;
        }
        int pos = positionOf(offset);
        if (pos < 0) {
            throw new OffsetOutOfRangeException(offset, baseOffset, nextOffset);
        }
        ByteBuffer header = headerAt(pos);
        return new BatchStart(header.getLong(RecordBatch.BASE_OFFSET_OFFSET), header.getLong(RecordBatch.TERM_OFFSET));
    }

    /** Whether a batch starts exactly at {@code offset}, or it is this segment's end. */
    boolean isBatchBoundary(long offset) throws IOException {
        if (offset == nextOffset) {
            return true;
        }
        int pos = positionOf(offset);
        return pos >= 0 && headerAt(pos).getLong(RecordBatch.BASE_OFFSET_OFFSET) == offset;
    }

    /**
     * First offset at or after {@code fromOffset} whose record timestamp is at least
     * {@code timestamp}, or -1 if none in this segment.
     */
    long offsetForTimestamp(long timestamp, long fromOffset) throws IOException {
        if (maxTimestamp < timestamp) {
            return -1;
        }
        // Every batch up to the last entry below the target has its max timestamp below it: skip them.
        int entry = timeIndex.lowerByKey(timestamp);
        int pos = entry < 0 ? 0 : timeIndex.position(entry);
        if (fromOffset > baseOffset) {
            pos = Math.max(pos, positionOf(fromOffset)); // batches below the log start are not live, maybe damaged
        }
        int end = size;
        ByteBuffer header = ByteBuffer.allocate(RecordBatch.HEADER_BYTES);
        ByteBuffer buf = ByteBuffer.allocate(0);
        RecordBatch batch = new RecordBatch();
        RecordCursor cursor = new RecordCursor();
        while (pos < end) {
            readHeader(header, pos, end);
            batch.wrap(header, 0);
            int length = batch.sizeInBytes();
            if (batch.maxTimestamp() >= timestamp && batch.nextOffset() > fromOffset) {
                if (buf.capacity() < length) {
                    buf = ByteBuffer.allocate(length);
                }
                readFully(buf.clear().limit(length), pos);
                batch.wrap(buf, 0);
                if (!batch.isCrcValid()) {
                    throw new CorruptLogException(logFile, pos, "batch CRC32C mismatch");
                }
                cursor.reset(batch);
                while (cursor.next()) {
                    if (cursor.offset() >= fromOffset && cursor.timestamp() >= timestamp) {
                        return cursor.offset();
                    }
                }
            }
            pos += length;
        }
        return -1;
    }

    /** Cuts the segment before the batch starting at {@code offset} (a batch boundary) and fsyncs it. */
    void truncateTo(long offset) throws IOException {
        int pos = offset >= nextOffset ? size : positionOf(offset);
        truncateFile(pos, offset);
        restoreTailState(true, baseOffset); // nothing below the base counts as dead, so it restores or throws
        writeChannel.force(true);
    }

    /**
     * Cuts the file at byte {@code pos}, where the batch at {@code offset} starts; the last
     * batch and max timestamp are the caller's to restore (a scan already holds them).
     */
    private void truncateFile(int pos, long offset) throws IOException {
        nextOffset = offset; // first, so readers stop before the bytes go
        size = pos;
        writeChannel.truncate(pos);
        offsetIndex.truncateFromPosition(pos);
        timeIndex.truncateFromPosition(pos);
        sealed = false;
        if (pos == 0) {
            firstAppendMs = -1;
        }
        bytesSinceIndexEntry = indexIntervalBytes;
    }

    /** Fsyncs the data, writes and fsyncs the indexes, and maps them: no more appends go here. */
    void seal() throws IOException {
        writeChannel.force(true);
        offsetIndex.seal();
        timeIndex.seal();
        sealed = true;
    }

    void flush() throws IOException {
        writeChannel.force(false);
    }

    /** Closes the channels; first fsyncs and writes the indexes if asked (a clean close). */
    void close(boolean writeIndexes) throws IOException {
        try {
            if (writeIndexes && !sealed) {
                writeChannel.force(true);
                offsetIndex.writeFile();
                timeIndex.writeFile();
            }
        } finally {
            closeChannels();
        }
    }

    void delete() throws IOException {
        closeChannels();
        deleteFiles(logFile.getParent(), baseOffset);
    }

    /** Deletes the files of the segment at {@code baseOffset} in {@code dir}, those that exist. */
    static void deleteFiles(Path dir, long baseOffset) throws IOException {
        for (String suffix : new String[] {LOG_SUFFIX, OFFSET_INDEX_SUFFIX, TIME_INDEX_SUFFIX}) {
            Files.deleteIfExists(dir.resolve(fileName(baseOffset, suffix)));
        }
    }

    private void closeChannels() throws IOException {
        closed = true;
        try {
            writeChannel.close();
        } finally {
            readChannel.close();
        }
    }

    /** Positional read through the readers' channel, retried once if another reader's interrupt closed it. */
    void readFully(ByteBuffer dst, long pos) throws IOException {
        int start = dst.position();
        for (int attempt = 0; ; attempt++) {
            try {
                long p = pos + dst.position() - start;
                while (dst.hasRemaining()) {
                    int n = reader().read(dst, p);
                    if (n < 0) {
                        throw new CorruptLogException(logFile, p, "unexpected end of file");
                    }
                    p += n;
                }
                dst.flip();
                return;
            } catch (ClosedByInterruptException e) {
                throw e;
            } catch (AsynchronousCloseException e) {
                if (attempt > 0) {
                    throw e;
                }
            }
        }
    }

    /** Zero-copy transfer of {@code [position, position + count)} to {@code target}. */
    long transferTo(long position, int count, WritableByteChannel target) throws IOException {
        long done = 0;
        while (done < count) {
            long n = reader().transferTo(position + done, count - done, target);
            if (n <= 0) {
                throw new LogException("segment " + logFile + " ended at byte " + (position + done)
                        + " during a transfer of " + count + " bytes from byte " + position
                        + ": it was truncated or deleted after the read");
            }
            done += n;
        }
        return done;
    }

    private FileChannel reader() throws IOException {
        FileChannel ch = readChannel;
        if (ch.isOpen()) {
            return ch;
        }
        synchronized (this) {
            if (closed) {
                throw new ClosedChannelException();
            }
            if (!readChannel.isOpen()) {
                readChannel = FileChannel.open(logFile, StandardOpenOption.READ);
            }
            return readChannel;
        }
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public long nextOffset() {
        return nextOffset;
    }

    boolean isEmpty() {
        return size == 0;
    }

    @Override
    public long maxTimestamp() {
        return maxTimestamp;
    }

    /** The last batch, or null when the segment is empty. */
    BatchStart lastBatch() {
        return lastBatch;
    }

    long firstAppendMs() {
        return firstAppendMs;
    }

    /** Starts the age clock of a non-empty segment found at open: its first append time is not recorded. */
    void startAgeClock(long nowMs) {
        if (size > 0 && firstAppendMs < 0) {
            firstAppendMs = nowMs;
        }
    }

    Path file() {
        return logFile;
    }

    @Override
    public String toString() {
        return "LogSegment[" + logFile.getFileName() + ", offsets " + baseOffset + ".." + (nextOffset - 1) + ", "
                + size + " bytes]";
    }
}
