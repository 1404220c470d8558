package io.flotilla.jepsen.brokersim;

import com.google.protobuf.ByteString;

import java.nio.ByteBuffer;

/** A history value as a record's value: eight bytes, big-endian. */
final class Values {
    private Values() {
    }

    static ByteString encode(long value) {
        return ByteString.copyFrom(ByteBuffer.allocate(Long.BYTES).putLong(0, value).array());
    }

    static long decode(ByteString bytes) {
        if (bytes.size() != Long.BYTES) {
            throw new IllegalStateException("a record holds " + bytes.size() + " bytes, not the 8 of a history value");
        }
        return bytes.asReadOnlyByteBuffer().getLong();
    }
}
