package io.flotilla.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The offset below which everything in the log was fsynced, kept in a 12-byte file (int64
 * offset, int32 CRC32C of it) rewritten in place after every flush.
 *
 * <p>It decides, after a crash, whether a bad batch is a torn write or corruption: below the
 * recovery point the bytes were durable, so damage there is corruption and is reported; above
 * it they may never have reached the disk, in any order, so everything from the first bad batch
 * on is cut. It only has to be a lower bound, so it is written after the data's fsync without
 * an fsync of its own: a lost or torn write of it leaves an older value, or one the CRC rejects,
 * and then the start of the active segment (sealed segments are fsynced) serves instead.
 * Lowering it (truncation, reset) is the exception: that write is fsynced before the data moves,
 * or a crash could leave it above the log's end. A clean close fsyncs it too (once per log), since
 * after a clean stop it is the evidence of how far the log reached should a salvage find the
 * log damaged ({@link LogSalvage}).
 *
 * <p>The cost of no fsync on the append path: acknowledgements go out once the data's fsync
 * returned, so after a power loss that dropped this file's last writes, damage to acknowledged
 * batches above the older value left is taken for a torn write and cut, unreported. That needs
 * two faults at once (the lost write and damage in that tail); either alone is told apart.
 */
final class RecoveryPoint implements AutoCloseable {
    static final String FILE = "recovery-point";
    private static final int BYTES = 12;

    private final FileChannel channel;
    private final ByteBuffer buf = ByteBuffer.allocate(BYTES);
    private long value;

    private RecoveryPoint(FileChannel channel, long value) {
        this.channel = channel;
        this.value = value;
    }

    /** Opens the file; a missing, short or damaged one reads as -1 (unknown). */
    static RecoveryPoint open(Path dir) throws IOException {
        FileChannel ch = FileChannel.open(dir.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        ByteBuffer in = ByteBuffer.allocate(BYTES);
        while (in.hasRemaining() && ch.read(in, in.position()) > 0) {
            // read what is there
        }
        long stored = -1;
        if (!in.hasRemaining() && in.getInt(8) == crc(in.getLong(0))) {
            stored = in.getLong(0);
        }
        return new RecoveryPoint(ch, stored);
    }

    /** The stored offset, or -1 if unknown. */
    long value() {
        return value;
    }

    /** Records a higher durable offset; no fsync (see the class comment). */
    void advance(long offset) throws IOException {
        if (offset > value) {
            write(offset);
        }
    }

    /** Records a lower offset, durably, before the data below the old value changes. */
    void lower(long offset) throws IOException {
        if (offset < value) {
            write(offset);
            channel.force(true);
        }
    }

    /** Makes the stored value durable: once per clean close, never on the append path. */
    void force() throws IOException {
        channel.force(true);
    }

    private void write(long offset) throws IOException {
        buf.clear().putLong(0, offset).putInt(8, crc(offset));
        while (buf.hasRemaining()) {
            channel.write(buf, buf.position());
        }
        value = offset;
    }

    private static int crc(long offset) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(8).putLong(0, offset));
        return (int) crc.getValue();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
