package io.flotilla.store;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.function.Function;

/** Strict decoding of stored bytes: a reader must consume all of them, and every failure becomes one exception type. */
final class Decoding {

    private Decoding() {
    }

    /**
     * Applies {@code reader} to {@code bytes}. Trailing bytes are rejected because they mean the bytes were
     * written in a different layout than the one being read.
     *
     * @throws IllegalArgumentException describing the problem if the bytes are short, long, or rejected by the reader
     */
    static <T> T readFully(byte[] bytes, Function<ByteBuffer, T> reader) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        T decoded;
        try {
            decoded = reader.apply(in);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("too short (" + bytes.length + " bytes)", e);
        }
        if (in.hasRemaining()) {
            throw new IllegalArgumentException(in.remaining() + " unexpected trailing bytes");
        }
        return decoded;
    }
}
