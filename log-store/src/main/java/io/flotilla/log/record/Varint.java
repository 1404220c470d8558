package io.flotilla.log.record;

import java.nio.ByteBuffer;

/**
 * Zig-zag variable-length integers (the protobuf and Kafka encoding), read and written at
 * absolute positions so callers can walk a buffer without moving its position.
 */
final class Varint {
    private Varint() {
    }

    /** Zig-zag of an int equals zig-zag of the same value as a long, so one size rule serves. */
    static int sizeOfInt(int value) {
        return sizeOfLong(value);
    }

    static int sizeOfLong(long value) {
        return sizeOfUnsigned((value << 1) ^ (value >> 63));
    }

    private static int sizeOfUnsigned(long v) {
        int bytes = 1;
        while ((v & ~0x7FL) != 0) {
            bytes++;
            v >>>= 7;
        }
        return bytes;
    }

    /** Writes at {@code pos}; returns the position after the varint. */
    static int putInt(ByteBuffer buf, int pos, int value) {
        return putLong(buf, pos, value);
    }

    /** Writes at {@code pos}; returns the position after the varint. */
    static int putLong(ByteBuffer buf, int pos, long value) {
        long v = (value << 1) ^ (value >> 63);
        while ((v & ~0x7FL) != 0) {
            buf.put(pos++, (byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        buf.put(pos++, (byte) v);
        return pos;
    }

    /**
     * Reads a varint at {@code pos} not extending past {@code limit}. Packs the value and the
     * next position into the caller's {@link Cursor} to avoid allocating a pair per call.
     *
     * @throws MalformedBatchException if the varint runs past {@code limit} or over 10 bytes
     */
    static long getLong(ByteBuffer buf, int pos, int limit, Cursor out) {
        long raw = 0;
        int shift = 0;
        int p = pos;
        while (true) {
            if (p >= limit) {
                throw new MalformedBatchException("varint at byte " + pos + " runs past the end of its record");
            }
            byte b = buf.get(p++);
            if (shift == 63 && (b & 0x7E) != 0) {
                throw new MalformedBatchException("varint at byte " + pos + " overflows 64 bits");
            }
            raw |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
            shift += 7;
            if (shift > 63) {
                throw new MalformedBatchException("varint at byte " + pos + " is longer than 10 bytes");
            }
        }
        out.position = p;
        return (raw >>> 1) ^ -(raw & 1);
    }

    static int getInt(ByteBuffer buf, int pos, int limit, Cursor out) {
        long v = getLong(buf, pos, limit, out);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new MalformedBatchException("varint at byte " + pos + " does not fit in 32 bits: " + v);
        }
        return (int) v;
    }

    /** Mutable read position threaded through varint reads. */
    static final class Cursor {
        int position;
    }
}
