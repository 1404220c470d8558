package io.flotilla.log.record;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The on-disk, on-wire and in-Raft form of a batch of records (format version 1), read and
 * written in place: a flyweight over a {@link ByteBuffer} at an offset. The same bytes go to
 * disk, to followers and to consumers; nothing here copies them or allocates per record.
 *
 * <p>Layout, all integers big-endian (docs/ARCHITECTURE.md has the byte-by-byte table):
 * <pre>
 *  0 int64 baseOffset       offset of the first record; the batch occupies baseOffset..lastOffset
 *  8 int32 length           bytes of the whole batch, header included
 * 12 int8  magic            format version, 1
 * 13 int32 crc              CRC32C of every byte of the batch except these four
 * 17 int16 attributes       bits 0-2 compression codec, bit 4 control entry
 * 19 int64 term             Raft term of the leader that appended the batch
 * 27 int32 recordCount      at least 1; offsets are dense, lastOffset = baseOffset + count - 1
 * 31 int64 firstTimestamp   ms since the epoch; records store deltas from it
 * 39 int64 maxTimestamp     largest record timestamp
 * 47 int64 producerId       -1 when not idempotent
 * 55 int16 producerEpoch    -1 when not idempotent
 * 57 int32 baseSequence     -1 when not idempotent
 * 61 ...   records
 * </pre>
 * The CRC covers the base offset and term too (unlike Kafka's), so a flipped bit anywhere is
 * caught; the cost is recomputing it when a leader stamps offset and term
 * ({@link #assignOffsetAndTerm}), about 6 µs for 64 KiB with the CRC32C intrinsic.
 */
public final class RecordBatch {
    public static final byte MAGIC_V1 = 1;

    public static final int BASE_OFFSET_OFFSET = 0;
    public static final int LENGTH_OFFSET = 8;
    public static final int MAGIC_OFFSET = 12;
    public static final int CRC_OFFSET = 13;
    public static final int ATTRIBUTES_OFFSET = 17;
    public static final int TERM_OFFSET = 19;
    public static final int RECORD_COUNT_OFFSET = 27;
    public static final int FIRST_TIMESTAMP_OFFSET = 31;
    public static final int MAX_TIMESTAMP_OFFSET = 39;
    public static final int PRODUCER_ID_OFFSET = 47;
    public static final int PRODUCER_EPOCH_OFFSET = 55;
    public static final int BASE_SEQUENCE_OFFSET = 57;
    public static final int HEADER_BYTES = 61;

    static final int CODEC_MASK = 0x07;
    static final int CONTROL_FLAG = 0x10;
    private static final int KNOWN_ATTRIBUTE_BITS = CODEC_MASK | CONTROL_FLAG;

    private ByteBuffer buf;
    private int start;

    /** Points this flyweight at the batch starting at {@code start} of {@code buffer}. */
    public RecordBatch wrap(ByteBuffer buffer, int start) {
        this.buf = buffer;
        this.start = start;
        return this;
    }

    public ByteBuffer buffer() {
        return buf;
    }

    public int start() {
        return start;
    }

    public long baseOffset() {
        return buf.getLong(start + BASE_OFFSET_OFFSET);
    }

    public int sizeInBytes() {
        return buf.getInt(start + LENGTH_OFFSET);
    }

    public byte magic() {
        return buf.get(start + MAGIC_OFFSET);
    }

    public int storedCrc() {
        return buf.getInt(start + CRC_OFFSET);
    }

    public short attributes() {
        return buf.getShort(start + ATTRIBUTES_OFFSET);
    }

    public CompressionCodec codec() {
        return CompressionCodec.fromId(attributes() & CODEC_MASK);
    }

    public boolean isControl() {
        return (attributes() & CONTROL_FLAG) != 0;
    }

    public long term() {
        return buf.getLong(start + TERM_OFFSET);
    }

    public int recordCount() {
        return buf.getInt(start + RECORD_COUNT_OFFSET);
    }

    public long lastOffset() {
        return baseOffset() + recordCount() - 1;
    }

    /** The offset after this batch: where the next batch starts. */
    public long nextOffset() {
        return baseOffset() + recordCount();
    }

    public long firstTimestamp() {
        return buf.getLong(start + FIRST_TIMESTAMP_OFFSET);
    }

    public long maxTimestamp() {
        return buf.getLong(start + MAX_TIMESTAMP_OFFSET);
    }

    public long producerId() {
        return buf.getLong(start + PRODUCER_ID_OFFSET);
    }

    public short producerEpoch() {
        return buf.getShort(start + PRODUCER_EPOCH_OFFSET);
    }

    public int baseSequence() {
        return buf.getInt(start + BASE_SEQUENCE_OFFSET);
    }

    /** CRC32C of every byte of the batch except the CRC field itself. */
    public int computeCrc() {
        return computeCrc(buf, start, sizeInBytes());
    }

    static int computeCrc(ByteBuffer buf, int start, int length) {
        CRC32C crc = new CRC32C();
        ByteBuffer view = buf.duplicate();
        view.limit(start + CRC_OFFSET).position(start);
        crc.update(view);
        view.limit(start + length).position(start + ATTRIBUTES_OFFSET);
        crc.update(view);
        return (int) crc.getValue();
    }

    /** False also when the length field itself is damaged: the CRC covers it, so it must not be trusted first. */
    public boolean isCrcValid() {
        int length = sizeInBytes();
        if (length < HEADER_BYTES || length > buf.limit() - start) {
            return false;
        }
        return computeCrc() == storedCrc();
    }

    /**
     * Stamps the offset and term a leader gives the batch when it enters the log, and
     * recomputes the CRC over the stamped bytes.
     */
    public void assignOffsetAndTerm(long baseOffset, long term) {
        buf.putLong(start + BASE_OFFSET_OFFSET, baseOffset);
        buf.putLong(start + TERM_OFFSET, term);
        buf.putInt(start + CRC_OFFSET, computeCrc());
    }

    /**
     * Checks the header of a batch occupying {@code [start, start + available)} of the buffer,
     * without looking at the records: enough to walk a log by lengths.
     *
     * @throws MalformedBatchException naming the field and value that is wrong
     */
    public void validateHeader(int available, int maxBatchBytes) {
        if (available < HEADER_BYTES) {
            throw new MalformedBatchException("batch of " + available + " bytes is shorter than its "
                    + HEADER_BYTES + "-byte header");
        }
        if (magic() != MAGIC_V1) {
            throw new MalformedBatchException("batch format version (magic) is " + magic() + "; this version reads "
                    + MAGIC_V1);
        }
        int length = sizeInBytes();
        if (length < HEADER_BYTES || length > available) {
            throw new MalformedBatchException("batch length field is " + length + " but " + available
                    + " bytes are present (minimum " + HEADER_BYTES + ")");
        }
        if (length > maxBatchBytes) {
            throw new BatchTooLargeException(length, maxBatchBytes);
        }
        int count = recordCount();
        if (count < 1) {
            throw new MalformedBatchException("batch record count is " + count + "; a batch holds at least one record");
        }
        if (baseOffset() < 0 || baseOffset() > Long.MAX_VALUE - count) {
            throw new MalformedBatchException("batch base offset " + baseOffset() + " is out of range");
        }
        int attributes = attributes();
        if ((attributes & ~KNOWN_ATTRIBUTE_BITS) != 0) {
            throw new MalformedBatchException("batch attributes 0x" + Integer.toHexString(attributes & 0xFFFF)
                    + " set bits this version does not know");
        }
        codec();
        if (maxTimestamp() < firstTimestamp()) {
            throw new MalformedBatchException("batch max timestamp " + maxTimestamp() + " is before its first timestamp "
                    + firstTimestamp());
        }
    }

    /**
     * Full validation: header, CRC, and every record's structure (lengths, dense offset deltas,
     * timestamps within the header's range). Allocation-free apart from the CRC view.
     *
     * @throws MalformedBatchException naming the first problem found
     */
    public void validate(int available, int maxBatchBytes) {
        validateHeader(available, maxBatchBytes);
        int stored = storedCrc();
        int computed = computeCrc();
        if (stored != computed) {
            throw new MalformedBatchException(String.format("batch CRC32C mismatch: stored 0x%08x, computed 0x%08x",
                    stored, computed));
        }
        RecordCursor cursor = new RecordCursor().reset(this);
        int expected = 0;
        while (cursor.next()) {
            if (cursor.offsetDelta() != expected) {
                throw new MalformedBatchException("record " + expected + " has offset delta " + cursor.offsetDelta()
                        + "; deltas must be 0,1,2,...");
            }
            if (cursor.timestamp() > maxTimestamp() || cursor.timestamp() < firstTimestamp()) {
                throw new MalformedBatchException("record " + expected + " timestamp " + cursor.timestamp()
                        + " lies outside the batch's [" + firstTimestamp() + ", " + maxTimestamp() + "]");
            }
            expected++;
        }
        if (expected != recordCount()) {
            throw new MalformedBatchException("batch declares " + recordCount() + " records but holds " + expected);
        }
        if (isControl() && recordCount() != 1) {
            throw new MalformedBatchException("a control batch holds exactly one record, not " + recordCount());
        }
    }

    @Override
    public String toString() {
        return "RecordBatch[offsets " + baseOffset() + ".." + lastOffset() + ", term " + term() + ", "
                + sizeInBytes() + " bytes" + (isControl() ? ", control" : "") + "]";
    }
}
