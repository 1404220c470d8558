package io.flotilla.store;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/** The column families of the node store, one per kind of record. */
enum Family {
    HARD_STATE("hard-state", KeyCodec::describeGroupKey),
    SNAPSHOT("snapshot", KeyCodec::describeGroupKey),
    CONSUMER_OFFSET("consumer-offset", KeyCodec::describeOffsetKey),
    PRODUCER_STATE("producer-state", KeyCodec::describeProducerKey);

    private final String cfName;
    private final Function<byte[], String> keyDescriber;

    Family(String cfName, Function<byte[], String> keyDescriber) {
        this.cfName = cfName;
        this.keyDescriber = keyDescriber;
    }

    /** The RocksDB column family name; changing it orphans existing data. */
    byte[] cfName() {
        return cfName.getBytes(StandardCharsets.UTF_8);
    }

    /** Renders a key of this family for error messages, falling back to hex when the key itself is garbled. */
    String describe(byte[] key) {
        try {
            return keyDescriber.apply(key);
        } catch (NodeStoreException garbled) {
            return KeyCodec.hex(key);
        }
    }

    @Override
    public String toString() {
        return cfName;
    }
}
