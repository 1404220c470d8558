package io.flotilla.log;

import io.flotilla.log.record.MalformedBatchException;
import io.flotilla.log.record.RecordBatch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;

/**
 * Whole batches of one segment file, as a byte range: what a read returns. Either hand the
 * range to a socket with {@link #transferTo} (sendfile: no copy through the heap) or bring it
 * into memory with {@link #readVerified}, which checks every batch's CRC first.
 *
 * <p>The zero-copy path does not check CRCs; every batch carries its own CRC32C, which the
 * receiver (a follower appending it, a consumer client) verifies.
 */
public final class LogSlice {
    private static final LogSlice EMPTY = new LogSlice(null, null, 0, 0);

    private final Path file;
    private final FileChannel channel;
    private final long position;
    private final int sizeInBytes;

    LogSlice(Path file, FileChannel channel, long position, int sizeInBytes) {
        this.file = file;
        this.channel = channel;
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
        return file;
    }

    /** Byte position of the first batch in {@link #file()}. */
    public long position() {
        return position;
    }

    /**
     * Sends the bytes to {@code target} with {@link FileChannel#transferTo}, which the kernel
     * serves from the page cache without copying into the JVM.
     *
     * @return bytes transferred
     */
    public long transferTo(WritableByteChannel target) throws IOException {
        long done = 0;
        while (done < sizeInBytes) {
            long n = channel.transferTo(position + done, sizeInBytes - done, target);
            if (n <= 0) {
                break;
            }
            done += n;
        }
        return done;
    }

    /**
     * Reads the batches into a new heap buffer, checking each batch's structure and CRC.
     *
     * @throws CorruptLogException naming the file and byte position of the first bad batch
     */
    public ByteBuffer readVerified() throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(sizeInBytes);
        while (buf.hasRemaining()) {
            int n = channel.read(buf, position + buf.position());
            if (n < 0) {
                throw new CorruptLogException(file, position + buf.position(), "segment ended inside a read");
            }
        }
        buf.flip();
        RecordBatch batch = new RecordBatch();
        int pos = 0;
        while (pos < sizeInBytes) {
            batch.wrap(buf, pos);
            try {
                batch.validateHeader(sizeInBytes - pos, LogConfig.MAX_BATCH_BYTES_LIMIT);
            } catch (MalformedBatchException e) {
                throw new CorruptLogException(file, position + pos, e.getMessage());
            }
            if (!batch.isCrcValid()) {
                throw new CorruptLogException(file, position + pos, String.format(
                        "batch at offset %d fails its CRC32C (stored 0x%08x, computed 0x%08x)",
                        batch.baseOffset(), batch.storedCrc(), batch.computeCrc()));
            }
            pos += batch.sizeInBytes();
        }
        return buf;
    }
}
