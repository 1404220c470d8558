package io.flotilla.log;

import io.flotilla.log.record.MalformedBatchException;
import io.flotilla.log.record.RecordBatch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;

/**
 * Whole batches of one segment file, as a byte range: what a read returns. Either hand the
 * range to a socket with {@link #transferTo} (sendfile: no copy through the heap) or bring it
 * into memory with {@link #readVerified}, which checks every batch's CRC first.
 *
 * <p>The zero-copy path does not check CRCs; every batch carries its own CRC32C, which the
 * receiver (a follower appending it, a consumer client) verifies. A slice is a view: use it
 * promptly. Committed data (below the high watermark) is never truncated, so a slice of
 * committed data stays valid until retention deletes its segment.
 */
public final class LogSlice {
    private static final LogSlice EMPTY = new LogSlice(null, 0, 0);

    private final LogSegment segment;
    private final long position;
    private final int sizeInBytes;

    LogSlice(LogSegment segment, long position, int sizeInBytes) {
        this.segment = segment;
        this.position = position;
        this.sizeInBytes = sizeInBytes;
    }

    static LogSlice empty() {
        return EMPTY;
    }

    public int sizeInBytes() {
        return sizeInBytes;
    }

    public boolean isEmpty() {
        return sizeInBytes == 0;
    }

    /** The segment file the bytes live in (null when empty). */
    public Path file() {
        return segment == null ? null : segment.file();
    }

    /** Byte position of the first batch in {@link #file()}. */
    public long position() {
        return position;
    }

    /**
     * Sends the bytes to {@code target} with {@link java.nio.channels.FileChannel#transferTo},
     * which the kernel serves from the page cache without copying into the JVM.
     *
     * @return bytes transferred: always {@link #sizeInBytes()}
     * @throws LogException if the segment shrank since the read (the bytes are gone)
     */
    public long transferTo(WritableByteChannel target) throws IOException {
        return isEmpty() ? 0 : segment.transferTo(position, sizeInBytes, target);
    }

    /**
     * Reads the batches into a new heap buffer, checking each batch's structure and CRC.
     *
     * @throws CorruptLogException naming the file and byte position of the first bad batch
     */
    public ByteBuffer readVerified() throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(sizeInBytes);
        if (isEmpty()) {
            return buf;
        }
        segment.readFully(buf, position);
        RecordBatch batch = new RecordBatch();
        int pos = 0;
        while (pos < sizeInBytes) {
            batch.wrap(buf, pos);
            try {
                batch.validateHeader(sizeInBytes - pos, LogConfig.MAX_BATCH_BYTES_LIMIT);
            } catch (MalformedBatchException e) {
                throw new CorruptLogException(segment.file(), position + pos, e.getMessage());
            }
            if (!batch.isCrcValid()) {
                throw new CorruptLogException(segment.file(), position + pos, batch.baseOffset(), String.format(
                        "batch at offset %d fails its CRC32C (stored 0x%08x, computed 0x%08x)",
                        batch.baseOffset(), batch.storedCrc(), batch.computeCrc()));
            }
            pos += batch.sizeInBytes();
        }
        return buf;
    }
}
