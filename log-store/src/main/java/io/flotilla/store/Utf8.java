package io.flotilla.store;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8 conversion. {@link String#getBytes} silently replaces unpaired surrogates and malformed
 * bytes, which would make two distinct names share a key and hide corrupt values.
 */
final class Utf8 {

    private Utf8() {
    }

    static byte[] encode(String what, String text) {
        try {
            ByteBuffer encoded = StandardCharsets.UTF_8.newEncoder().encode(CharBuffer.wrap(text));
            byte[] bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
            return bytes;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(what + " is not valid Unicode (unpaired surrogate): '" + text + "'", e);
        }
    }

    /** Reads {@code length} bytes from {@code in}; throws IllegalArgumentException if they are missing or malformed. */
    static String read(ByteBuffer in, int length) {
        if (length < 0 || length > in.remaining()) {
            throw new IllegalArgumentException(
                    "string length " + length + " does not fit the " + in.remaining() + " remaining bytes");
        }
        ByteBuffer slice = in.slice().limit(length);
        in.position(in.position() + length);
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(slice).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("string is not valid UTF-8", e);
        }
    }
}
