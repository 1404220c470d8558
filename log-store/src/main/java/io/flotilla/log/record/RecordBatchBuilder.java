package io.flotilla.log.record;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes one batch into a caller-owned buffer, record by record, with no per-record
 * allocation for records without headers. Reusable: {@link #begin} starts the next batch.
 *
 * <p>Back-pressure is a return value: {@link #tryAppend} answers false when the record would
 * not fit, and the caller finishes the batch and starts another.
 */
public final class RecordBatchBuilder {
    private ByteBuffer buf;
    private int start;
    private int position;
    private int count;
    private long firstTimestamp;
    private long maxTimestamp;
    private short attributes;

    /**
     * Starts a batch at the buffer's position. The producer fields default to "not
     * idempotent" (-1).
     */
    public RecordBatchBuilder begin(ByteBuffer buffer, long baseOffset, long term, long firstTimestamp) {
        if (buffer.remaining() < RecordBatch.HEADER_BYTES) {
            throw new IllegalArgumentException("buffer has " + buffer.remaining() + " bytes; a batch header needs "
                    + RecordBatch.HEADER_BYTES);
        }
        this.buf = buffer;
        this.start = buffer.position();
        this.position = start + RecordBatch.HEADER_BYTES;
        this.count = 0;
        this.firstTimestamp = firstTimestamp;
        this.maxTimestamp = firstTimestamp;
        this.attributes = 0;
        buf.putLong(start + RecordBatch.BASE_OFFSET_OFFSET, baseOffset);
        buf.put(start + RecordBatch.MAGIC_OFFSET, RecordBatch.MAGIC_V1);
        buf.putLong(start + RecordBatch.TERM_OFFSET, term);
        buf.putLong(start + RecordBatch.FIRST_TIMESTAMP_OFFSET, firstTimestamp);
        producer(-1L, (short) -1, -1);
        return this;
    }

    /** Marks the batch idempotent: producer id, epoch and the sequence of its first record. */
    public RecordBatchBuilder producer(long producerId, short producerEpoch, int baseSequence) {
        buf.putLong(start + RecordBatch.PRODUCER_ID_OFFSET, producerId);
        buf.putShort(start + RecordBatch.PRODUCER_EPOCH_OFFSET, producerEpoch);
        buf.putInt(start + RecordBatch.BASE_SEQUENCE_OFFSET, baseSequence);
        return this;
    }

    /** Marks the batch a control entry (Raft no-op, membership change): fetch skips it. */
    public RecordBatchBuilder control() {
        attributes |= RecordBatch.CONTROL_FLAG;
        return this;
    }

    public int recordCount() {
        return count;
    }

    /** Bytes the batch occupies so far, header included. */
    public int sizeInBytes() {
        return position - start;
    }

    /** Appends a record without headers; false if it does not fit in the buffer. */
    public boolean tryAppend(long timestamp, ByteBuffer key, ByteBuffer value) {
        return tryAppend(timestamp, key, value, List.of());
    }

    /**
     * Appends a record; false (and nothing written) if it does not fit in the buffer's limit.
     *
     * @throws IllegalArgumentException if the timestamp is before the batch's first timestamp
     */
    public boolean tryAppend(long timestamp, ByteBuffer key, ByteBuffer value, List<RecordHeader> headers) {
        if (timestamp < firstTimestamp) {
            throw new IllegalArgumentException("record timestamp " + timestamp + " is before the batch's first timestamp "
                    + firstTimestamp);
        }
        long timestampDelta = timestamp - firstTimestamp;
        int keyLength = key == null ? -1 : key.remaining();
        int valueLength = value == null ? -1 : value.remaining();
        int body = 1 + Varint.sizeOfLong(timestampDelta) + Varint.sizeOfInt(count)
                + Varint.sizeOfInt(keyLength) + Math.max(keyLength, 0)
                + Varint.sizeOfInt(valueLength) + Math.max(valueLength, 0)
                + Varint.sizeOfInt(headers.size());
        byte[][] headerKeys = headers.isEmpty() ? null : new byte[headers.size()][];
        for (int i = 0; i < headers.size(); i++) {
            headerKeys[i] = headers.get(i).key().getBytes(StandardCharsets.UTF_8);
            ByteBuffer hv = headers.get(i).value();
            int hvLength = hv == null ? -1 : hv.remaining();
            body += Varint.sizeOfInt(headerKeys[i].length) + headerKeys[i].length
                    + Varint.sizeOfInt(hvLength) + Math.max(hvLength, 0);
        }
        if ((long) position + Varint.sizeOfInt(body) + body > buf.limit()) {
            return false;
        }
        int p = Varint.putInt(buf, position, body);
        buf.put(p++, (byte) 0);
        p = Varint.putLong(buf, p, timestampDelta);
        p = Varint.putInt(buf, p, count);
        p = putBytes(p, key);
        p = putBytes(p, value);
        p = Varint.putInt(buf, p, headers.size());
        for (int i = 0; i < headers.size(); i++) {
            p = Varint.putInt(buf, p, headerKeys[i].length);
            buf.put(p, headerKeys[i]);
            p += headerKeys[i].length;
            p = putBytes(p, headers.get(i).value());
        }
        position = p;
        count++;
        maxTimestamp = Math.max(maxTimestamp, timestamp);
        return true;
    }

    private int putBytes(int p, ByteBuffer bytes) {
        if (bytes == null) {
            return Varint.putInt(buf, p, -1);
        }
        int length = bytes.remaining();
        p = Varint.putInt(buf, p, length);
        buf.put(p, bytes, bytes.position(), length);
        return p + length;
    }

    /**
     * Writes the header's remaining fields and the CRC, and moves the buffer's position past
     * the batch.
     *
     * @return the batch's size in bytes
     * @throws IllegalStateException if no record was appended
     */
    public int finish() {
        if (count == 0) {
            throw new IllegalStateException("a batch needs at least one record");
        }
        int length = position - start;
        buf.putInt(start + RecordBatch.LENGTH_OFFSET, length);
        buf.putShort(start + RecordBatch.ATTRIBUTES_OFFSET, attributes);
        buf.putInt(start + RecordBatch.RECORD_COUNT_OFFSET, count);
        buf.putLong(start + RecordBatch.MAX_TIMESTAMP_OFFSET, maxTimestamp);
        buf.putInt(start + RecordBatch.CRC_OFFSET, RecordBatch.computeCrc(buf, start, length));
        buf.position(position);
        return length;
    }
}
