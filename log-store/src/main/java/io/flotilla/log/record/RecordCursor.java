package io.flotilla.log.record;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Walks the records of one batch in place. Reusable: {@link #reset} points it at another
 * batch. The accessors describe the current record as positions in the batch's buffer, so the
 * hot path (validation, fetch filtering) allocates nothing; {@link #key()}, {@link #value()}
 * and {@link #headers()} materialize views for callers off the hot path.
 *
 * <p>Record layout (after the batch header, one after another):
 * <pre>
 * varint  bodyLength       bytes after this varint
 * int8    attributes       0 (reserved)
 * varlong timestampDelta   from the batch's firstTimestamp
 * varint  offsetDelta      0, 1, 2, ... within the batch
 * varint  keyLength        -1 for a null key
 * bytes   key
 * varint  valueLength      -1 for a null value
 * bytes   value
 * varint  headerCount
 *         headerCount x (varint keyLength, UTF-8 key, varint valueLength (-1 null), value)
 * </pre>
 */
public final class RecordCursor {
    private final Varint.Cursor varint = new Varint.Cursor();
    private ByteBuffer buf;
    private int position;
    private int batchEnd;
    private long baseOffset;
    private long firstTimestamp;

    private int offsetDelta;
    private long timestamp;
    private int keyPosition;
    private int keyLength;
    private int valuePosition;
    private int valueLength;
    private int headersPosition;
    private int headerCount;
    private int recordEnd;

    public RecordCursor reset(RecordBatch batch) {
        CompressionCodec codec = batch.codec();
        if (codec != CompressionCodec.NONE) {
            throw new MalformedBatchException("cannot read records compressed with " + codec);
        }
        this.buf = batch.buffer();
        this.position = batch.start() + RecordBatch.HEADER_BYTES;
        this.batchEnd = batch.start() + batch.sizeInBytes();
        this.baseOffset = batch.baseOffset();
        this.firstTimestamp = batch.firstTimestamp();
        return this;
    }

    /**
     * Advances to the next record.
     *
     * @return false when the batch has no more records
     * @throws MalformedBatchException if the record's structure does not fit its length
     */
    public boolean next() {
        if (position >= batchEnd) {
            return false;
        }
        int bodyLength = Varint.getInt(buf, position, batchEnd, varint);
        int bodyStart = varint.position;
        if (bodyLength < 1 || bodyLength > batchEnd - bodyStart) {
            throw new MalformedBatchException("record at byte " + position + " declares " + bodyLength
                    + " bytes but " + (batchEnd - bodyStart) + " remain in the batch");
        }
        recordEnd = bodyStart + bodyLength;
        byte attributes = buf.get(bodyStart);
        if (attributes != 0) {
            throw new MalformedBatchException("record at byte " + position + " has attributes " + attributes
                    + "; the byte is reserved and must be 0");
        }
        int p = bodyStart + 1;
        timestamp = firstTimestamp + Varint.getLong(buf, p, recordEnd, varint);
        offsetDelta = Varint.getInt(buf, varint.position, recordEnd, varint);
        keyLength = Varint.getInt(buf, varint.position, recordEnd, varint);
        keyPosition = varint.position;
        int afterKey = skipBytes(keyPosition, keyLength, "key");
        valueLength = Varint.getInt(buf, afterKey, recordEnd, varint);
        valuePosition = varint.position;
        int afterValue = skipBytes(valuePosition, valueLength, "value");
        headerCount = Varint.getInt(buf, afterValue, recordEnd, varint);
        headersPosition = varint.position;
        if (headerCount < 0) {
            throw new MalformedBatchException("record at offset delta " + offsetDelta + " has header count "
                    + headerCount);
        }
        int q = headersPosition;
        for (int i = 0; i < headerCount; i++) {
            int hk = Varint.getInt(buf, q, recordEnd, varint);
            if (hk < 0) {
                throw new MalformedBatchException("record at offset delta " + offsetDelta + " has a null header key");
            }
            q = skipBytes(varint.position, hk, "header key");
            int hv = Varint.getInt(buf, q, recordEnd, varint);
            q = skipBytes(varint.position, hv, "header value");
        }
        if (q != recordEnd) {
            throw new MalformedBatchException("record at offset delta " + offsetDelta + " has " + (recordEnd - q)
                    + " trailing bytes after its headers");
        }
        position = recordEnd;
        return true;
    }

    private int skipBytes(int from, int length, String what) {
        if (length < -1 || (length > 0 && length > recordEnd - from)) {
            throw new MalformedBatchException("record " + what + " length " + length + " does not fit in the "
                    + (recordEnd - from) + " bytes left of its record");
        }
        return from + Math.max(length, 0);
    }

    public long offset() {
        return baseOffset + offsetDelta;
    }

    public int offsetDelta() {
        return offsetDelta;
    }

    public long timestamp() {
        return timestamp;
    }

    /** Position of the key in the batch's buffer; meaningful when {@link #keyLength()} >= 0. */
    public int keyPosition() {
        return keyPosition;
    }

    /** -1 for a null key. */
    public int keyLength() {
        return keyLength;
    }

    public int valuePosition() {
        return valuePosition;
    }

    /** -1 for a null value. */
    public int valueLength() {
        return valueLength;
    }

    public int headerCount() {
        return headerCount;
    }

    /** A read-only view of the key, or null. */
    public ByteBuffer key() {
        return view(keyPosition, keyLength);
    }

    /** A read-only view of the value, or null. */
    public ByteBuffer value() {
        return view(valuePosition, valueLength);
    }

    /** The headers, decoded (allocates; not for the hot path). */
    public List<RecordHeader> headers() {
        List<RecordHeader> headers = new ArrayList<>(headerCount);
        int q = headersPosition;
        for (int i = 0; i < headerCount; i++) {
            int hk = Varint.getInt(buf, q, recordEnd, varint);
            byte[] key = new byte[hk];
            buf.get(varint.position, key);
            q = varint.position + hk;
            int hv = Varint.getInt(buf, q, recordEnd, varint);
            headers.add(new RecordHeader(new String(key, StandardCharsets.UTF_8), view(varint.position, hv)));
            q = varint.position + Math.max(hv, 0);
        }
        return headers;
    }

    private ByteBuffer view(int pos, int length) {
        if (length < 0) {
            return null;
        }
        return buf.slice(pos, length).asReadOnlyBuffer();
    }
}
