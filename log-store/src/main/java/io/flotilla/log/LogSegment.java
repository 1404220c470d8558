package io.flotilla.log;

import io.flotilla.log.record.MalformedBatchException;
import io.flotilla.log.record.RecordBatch;
import io.flotilla.log.record.RecordCursor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One file of a partition log: batches with contiguous offsets starting at {@link #baseOffset},
 * plus its sparse offset and time indexes. Files are named by base offset, zero-padded to 20
 * digits, so a directory listing is in log order.
 *
 * <p>One writer (the owning {@link PartitionLog}, under its lock) appends and truncates;
 * readers run concurrently and see the prefix up to the volatile {@link #size}.
 */
final class LogSegment {
    static final String LOG_SUFFIX = ".log";
    static final String OFFSET_INDEX_SUFFIX = ".index";
    static final String TIME_INDEX_SUFFIX = ".timeindex";
    static final long NO_TIMESTAMP = Long.MIN_VALUE;

    /** How an existing segment is opened. */
    enum OpenMode {
        /** Trust the bytes: check structure, rebuild missing or damaged indexes with a verifying scan. */
        TRUSTED,
        /** Verify every batch, rebuild the indexes, and cut a torn tail: the active segment after a crash. */
        RECOVER,
        /** Verify every batch and rebuild the indexes; any bad batch is corruption. */
        VERIFY
    }

    final long baseOffset;
    private final Path logFile;
    private final FileChannel channel;
    private final int indexIntervalBytes;
    private final SparseIndex offsetIndex;
    private final SparseIndex timeIndex;

    private volatile int size;
    private volatile long nextOffset;
    private volatile long maxTimestamp = NO_TIMESTAMP;
    private volatile long lastTerm;
    private int bytesSinceIndexEntry;
    private long firstAppendMs = -1;
    private boolean sealed;

    private LogSegment(long baseOffset, Path dir, FileChannel channel, SparseIndex offsetIndex, SparseIndex timeIndex,
                       int indexIntervalBytes) {
        this.baseOffset = baseOffset;
        this.logFile = dir.resolve(fileName(baseOffset, LOG_SUFFIX));
        this.channel = channel;
        this.offsetIndex = offsetIndex;
        this.timeIndex = timeIndex;
        this.indexIntervalBytes = indexIntervalBytes;
        this.nextOffset = baseOffset;
    }

    static String fileName(long baseOffset, String suffix) {
        return String.format("%020d%s", baseOffset, suffix);
    }

    static LogSegment create(Path dir, long baseOffset, LogConfig config) throws IOException {
        FileChannel ch = FileChannel.open(dir.resolve(fileName(baseOffset, LOG_SUFFIX)), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        Files.deleteIfExists(dir.resolve(fileName(baseOffset, OFFSET_INDEX_SUFFIX)));
        Files.deleteIfExists(dir.resolve(fileName(baseOffset, TIME_INDEX_SUFFIX)));
        return new LogSegment(baseOffset, dir, ch, SparseIndex.empty(dir.resolve(fileName(baseOffset,
                OFFSET_INDEX_SUFFIX))), SparseIndex.empty(dir.resolve(fileName(baseOffset, TIME_INDEX_SUFFIX))),
                config.indexIntervalBytes());
    }

    /**
     * Opens an existing segment.
     *
     * @param sealed whether later segments follow (its indexes are then memory-mapped)
     * @return the segment; in {@link OpenMode#RECOVER} a torn tail has been cut off
     * @throws CorruptLogException if a batch fails its checks where no torn write can explain it
     */
    static LogSegment open(Path dir, long baseOffset, LogConfig config, OpenMode mode, boolean sealed)
            throws IOException {
        Path log = dir.resolve(fileName(baseOffset, LOG_SUFFIX));
        FileChannel ch = FileChannel.open(log, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            long fileSize = ch.size();
            if (fileSize > Integer.MAX_VALUE) {
                throw new CorruptLogException(log, 0, "segment of " + fileSize + " bytes exceeds the 2 GiB limit");
            }
            Path offsetPath = dir.resolve(fileName(baseOffset, OFFSET_INDEX_SUFFIX));
            Path timePath = dir.resolve(fileName(baseOffset, TIME_INDEX_SUFFIX));
            SparseIndex offsets = mode == OpenMode.TRUSTED ? SparseIndex.load(offsetPath, fileSize, sealed) : null;
            SparseIndex times = mode == OpenMode.TRUSTED ? SparseIndex.load(timePath, fileSize, sealed) : null;
            boolean rebuild = offsets == null || times == null;
            LogSegment segment = new LogSegment(baseOffset, dir, ch,
                    rebuild ? SparseIndex.empty(offsetPath) : offsets,
                    rebuild ? SparseIndex.empty(timePath) : times, config.indexIntervalBytes());
            segment.size = (int) fileSize;
            segment.sealed = sealed;
            if (rebuild) {
                segment.scan(true, mode == OpenMode.RECOVER);
                if (sealed) {
                    segment.offsetIndex.seal();
                    segment.timeIndex.seal();
                }
            } else {
                segment.restoreTailState();
            }
            return segment;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Walks batches from byte 0 to the end of the file, re-indexing them and checking each
     * one's structure, contiguity and (if {@code verify}) CRC and records.
     *
     * @param allowTornTail whether a bad batch at the very end is a torn write to cut off
     *                      rather than corruption
     */
    private void scan(boolean verify, boolean allowTornTail) throws IOException {
        int end = size;
        int pos = 0;
        ByteBuffer header = ByteBuffer.allocate(RecordBatch.HEADER_BYTES);
        ByteBuffer batchBuf = ByteBuffer.allocate(0);
        RecordBatch batch = new RecordBatch();
        while (pos < end) {
            String problem = null;
            int length = -1;
            if (end - pos < RecordBatch.HEADER_BYTES) {
                problem = "only " + (end - pos) + " bytes remain, less than a batch header";
                length = RecordBatch.HEADER_BYTES; // whatever it was, it reached the end of the file
            } else {
                readFully(header.clear(), pos);
                batch.wrap(header, 0);
                length = batch.sizeInBytes();
                if (batch.magic() != RecordBatch.MAGIC_V1 || length < RecordBatch.HEADER_BYTES
                        || length > LogConfig.MAX_BATCH_BYTES_LIMIT) {
                    problem = "implausible header (magic " + batch.magic() + ", length " + length + ")";
                    length = -1;
                } else if (pos + (long) length > end) {
                    problem = "batch of " + length + " bytes runs past the end of the file (" + (end - pos)
                            + " bytes remain)";
                } else {
                    if (batchBuf.capacity() < length) {
                        batchBuf = ByteBuffer.allocate(Math.max(length, 64 * 1024));
                    }
                    readFully(batchBuf.clear().limit(length), pos);
                    batch.wrap(batchBuf, 0);
                    problem = check(batch, length, verify);
                }
            }
            if (problem != null) {
                if (allowTornTail && isTornTail(pos, length, end)) {
                    truncateFile(pos);
                    return;
                }
                throw new CorruptLogException(logFile, pos, problem);
            }
            onBatchIndexed(batch, pos, length);
            pos += length;
        }
    }

    private String check(RecordBatch batch, int length, boolean verify) {
        try {
            if (verify) {
                batch.validate(length, LogConfig.MAX_BATCH_BYTES_LIMIT);
            } else {
                batch.validateHeader(length, LogConfig.MAX_BATCH_BYTES_LIMIT);
            }
        } catch (MalformedBatchException e) {
            return e.getMessage();
        }
        if (batch.baseOffset() != nextOffset) {
            return "batch base offset " + batch.baseOffset() + " where offset " + nextOffset + " was expected";
        }
        return null;
    }

    /**
     * A write is appended whole or torn at its end, so only the last batch can be torn: a bad
     * batch is a torn write if it reaches (or claims to reach) the end of the file, or if the
     * rest of the file is zeros (the file grew but the data never landed). Anything else is
     * corruption that must not be cut away silently.
     */
    private boolean isTornTail(int pos, int length, int end) throws IOException {
        if (length > 0) {
            return pos + (long) length >= end;
        }
        ByteBuffer rest = ByteBuffer.allocate(Math.min(end - pos, 64 * 1024));
        for (int p = pos; p < end; p += rest.capacity()) {
            readFully(rest.clear().limit(Math.min(rest.capacity(), end - p)), p);
            for (int i = 0; i < rest.limit(); i++) {
                if (rest.get(i) != 0) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Re-derives next offset, max timestamp and last term without reading the whole segment:
     * the time index's last key is the max timestamp of every batch up to the last offset index
     * entry (entries are added together), so only the batches from that entry on are walked.
     */
    private void restoreTailState() throws IOException {
        int entries = offsetIndex.count();
        int from = entries == 0 ? 0 : offsetIndex.position(entries - 1);
        nextOffset = entries == 0 ? baseOffset : offsetIndex.key(entries - 1);
        maxTimestamp = timeIndex.count() == 0 ? NO_TIMESTAMP : timeIndex.lastKey();
        bytesSinceIndexEntry = indexIntervalBytes; // the next appended batch gets an entry
        ByteBuffer header = ByteBuffer.allocate(RecordBatch.HEADER_BYTES);
        int end = size;
        int pos = from;
        while (pos < end) {
            readHeader(header, pos, end);
            long base = header.getLong(RecordBatch.BASE_OFFSET_OFFSET);
            if (base != nextOffset) {
                throw new CorruptLogException(logFile, pos, "batch base offset " + base + " where offset "
                        + nextOffset + " was expected" + (pos == from && entries > 0 ? " (from index "
                        + offsetIndex.file().getFileName() + ")" : ""));
            }
            nextOffset = base + header.getInt(RecordBatch.RECORD_COUNT_OFFSET);
            maxTimestamp = Math.max(maxTimestamp, header.getLong(RecordBatch.MAX_TIMESTAMP_OFFSET));
            lastTerm = header.getLong(RecordBatch.TERM_OFFSET);
            pos += header.getInt(RecordBatch.LENGTH_OFFSET);
        }
    }

    /** Appends a batch already validated by the caller; the bytes are written in place. */
    void append(RecordBatch batch, long nowMs) throws IOException {
        ByteBuffer src = batch.buffer().duplicate();
        int length = batch.sizeInBytes();
        src.limit(batch.start() + length).position(batch.start());
        int pos = size;
        while (src.hasRemaining()) {
            pos += channel.write(src, pos);
        }
        if (firstAppendMs < 0) {
            firstAppendMs = nowMs;
        }
        onBatchIndexed(batch, size, length);
        size = pos;
    }

    private void onBatchIndexed(RecordBatch batch, int position, int length) {
        maxTimestamp = Math.max(maxTimestamp, batch.maxTimestamp());
        if (bytesSinceIndexEntry >= indexIntervalBytes || offsetIndex.count() == 0) {
            offsetIndex.append(batch.baseOffset(), position);
            if (maxTimestamp > timeIndex.lastKey()) {
                timeIndex.append(maxTimestamp, position);
            }
            bytesSinceIndexEntry = 0;
        }
        bytesSinceIndexEntry += length;
        nextOffset = batch.nextOffset();
        lastTerm = batch.term();
    }

    /**
     * Position of the batch holding {@code offset}, or -1 if the offset is at or past this
     * segment's end. Safe to call from reader threads.
     */
    int positionOf(long offset) throws IOException {
        if (offset >= nextOffset) {
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

    /** Reads the header of the batch at {@code pos} into {@code header}, checking its magic and length. */
    private void readHeader(ByteBuffer header, int pos, int end) throws IOException {
        if (end - pos < RecordBatch.HEADER_BYTES) {
            throw new CorruptLogException(logFile, pos, "batch header cut short at the end of the segment");
        }
        readFully(header.clear(), pos);
        int length = header.getInt(RecordBatch.LENGTH_OFFSET);
        if (header.get(RecordBatch.MAGIC_OFFSET) != RecordBatch.MAGIC_V1 || length < RecordBatch.HEADER_BYTES
                || pos + (long) length > end) {
            throw new CorruptLogException(logFile, pos, "batch header is not valid (magic "
                    + header.get(RecordBatch.MAGIC_OFFSET) + ", length " + length + ")");
        }
    }

    /**
     * Whole batches starting at byte {@code from}: as many as fit in {@code maxBytes} (the first
     * always, so a reader makes progress), none reaching {@code endOffset} or beyond.
     */
    LogSlice slice(int from, int maxBytes, long endOffset) throws IOException {
        int end = size;
        int pos = from;
        ByteBuffer header = ByteBuffer.allocate(RecordBatch.HEADER_BYTES);
        while (pos < end) {
            readHeader(header, pos, end);
            int length = header.getInt(RecordBatch.LENGTH_OFFSET);
            long next = header.getLong(RecordBatch.BASE_OFFSET_OFFSET) + header.getInt(RecordBatch.RECORD_COUNT_OFFSET);
            if (next > endOffset || (pos > from && (long) pos - from + length > maxBytes)) {
                break;
            }
            pos += length;
        }
        return new LogSlice(logFile, channel, from, pos - from);
    }

    /** Term and base offset of the batch holding {@code offset}, which the caller knows is in this segment. */
    ByteBuffer headerAt(long offset) throws IOException {
        int pos = positionOf(offset);
        ByteBuffer header = ByteBuffer.allocate(RecordBatch.HEADER_BYTES);
        readHeader(header, pos, size);
        return header;
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
                batch.wrap(header, 0);
            }
            pos += length;
        }
        return -1;
    }

    /** Cuts the segment before the batch starting at {@code offset}; the caller checked it is a batch boundary. */
    void truncateTo(long offset) throws IOException {
        int pos = offset >= nextOffset ? size : positionOf(offset);
        truncateFile(pos);
        channel.force(true);
    }

    private void truncateFile(int pos) throws IOException {
        channel.truncate(pos);
        offsetIndex.truncateFromPosition(pos);
        timeIndex.truncateFromPosition(pos);
        size = pos;
        sealed = false;
        lastTerm = 0;
        restoreTailState();
    }

    /** Whether a batch starts exactly at {@code offset} (or it is this segment's end). */
    boolean isBatchBoundary(long offset) throws IOException {
        if (offset == nextOffset || offset == baseOffset) {
            return true;
        }
        int pos = positionOf(offset);
        return pos >= 0 && headerAt(offset).getLong(RecordBatch.BASE_OFFSET_OFFSET) == offset;
    }

    /** Fsyncs the data and writes the indexes, then maps them: no more appends go here. */
    void seal() throws IOException {
        channel.force(true);
        offsetIndex.seal();
        timeIndex.seal();
        sealed = true;
    }

    void flush() throws IOException {
        channel.force(false);
    }

    /** Writes the indexes so a clean reopen need not rebuild them. */
    void close(boolean writeIndexes) throws IOException {
        try {
            if (writeIndexes && !sealed) {
                channel.force(true);
                offsetIndex.writeFile();
                timeIndex.writeFile();
            }
        } finally {
            channel.close();
        }
    }

    void delete() throws IOException {
        channel.close();
        Files.deleteIfExists(logFile);
        Files.deleteIfExists(offsetIndex.file());
        Files.deleteIfExists(timeIndex.file());
    }

    private void readFully(ByteBuffer dst, long pos) throws IOException {
        long p = pos;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, p);
            if (n < 0) {
                throw new CorruptLogException(logFile, p, "unexpected end of file");
            }
            p += n;
        }
        dst.flip();
    }

    int size() {
        return size;
    }

    long nextOffset() {
        return nextOffset;
    }

    boolean isEmpty() {
        return size == 0;
    }

    long maxTimestamp() {
        return maxTimestamp;
    }

    long lastTerm() {
        return lastTerm;
    }

    long firstAppendMs() {
        return firstAppendMs;
    }

    Path file() {
        return logFile;
    }

    static UncheckedIOException io(String what, Path file, IOException e) {
        return new UncheckedIOException(what + " " + file + ": " + e.getMessage(), e);
    }

    @Override
    public String toString() {
        return "LogSegment[" + logFile.getFileName() + ", offsets " + baseOffset + ".." + (nextOffset - 1) + ", "
                + size + " bytes]";
    }
}
