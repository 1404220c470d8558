package io.flotilla.log.record;

import java.nio.ByteBuffer;
import java.util.Objects;

/** An application header of a record: a UTF-8 key and an optional value. */
public record RecordHeader(String key, ByteBuffer value) {
    public RecordHeader {
        Objects.requireNonNull(key, "header key");
    }
}
