package io.flotilla.broker.metadata;

import java.util.Optional;

/**
 * One setting of a topic's configuration: its name in {@code flotilla.v1.TopicConfig}, its
 * default and the values it allows, all as admin.proto states them. Values are longs; the
 * flush policy's is its {@link TopicConfig.FlushPolicy#number()}.
 */
public enum TopicConfigKey {
    RETENTION_MS("retention_ms", 604_800_000L, true, 1_000L, Long.MAX_VALUE),
    RETENTION_BYTES("retention_bytes", -1L, true, 1L << 20, Long.MAX_VALUE),
    MAX_BATCH_BYTES("max_batch_bytes", 1L << 20, false, 1_024L, 8L << 20),
    FLUSH_POLICY("flush_policy", TopicConfig.FlushPolicy.FSYNC.number(), false,
            TopicConfig.FlushPolicy.FSYNC.number(), TopicConfig.FlushPolicy.PAGE_CACHE.number()) {
        @Override
        public String allowed() {
            StringBuilder out = new StringBuilder();
            for (TopicConfig.FlushPolicy p : TopicConfig.FlushPolicy.values()) {
                out.append(out.length() == 0 ? "" : " or ").append(p.number()).append(" (").append(p).append(')');
            }
            return out.toString();
        }
    },
    FLUSH_INTERVAL_MS("flush_interval_ms", 1_000L, false, 10L, 60_000L),
    SEGMENT_BYTES("segment_bytes", 128L << 20, false, 1L << 20, 1L << 30),
    SEGMENT_MS("segment_ms", 604_800_000L, false, 60_000L, Long.MAX_VALUE);

    private final String protoName;
    private final long defaultValue;
    private final boolean minusOneAllowed;
    private final long min;
    private final long max;

    TopicConfigKey(String protoName, long defaultValue, boolean minusOneAllowed, long min, long max) {
        this.protoName = protoName;
        this.defaultValue = defaultValue;
        this.minusOneAllowed = minusOneAllowed;
        this.min = min;
        this.max = max;
    }

    /** The field's name in flotilla.v1.TopicConfig, as AlterTopicConfig's {@code reset} names it. */
    public String protoName() {
        return protoName;
    }

    public long defaultValue() {
        return defaultValue;
    }

    /** The largest value allowed. */
    public long max() {
        return max;
    }

    public boolean allows(long value) {
        return (minusOneAllowed && value == -1) || (value >= min && value <= max);
    }

    /** The allowed values, for a person: "-1 or 1000 .. 2^63-1". */
    public String allowed() {
        String range = min + " .. " + (max == Long.MAX_VALUE ? "2^63-1" : Long.toString(max));
        return minusOneAllowed ? "-1 or " + range : range;
    }

    public static Optional<TopicConfigKey> forProtoName(String name) {
        for (TopicConfigKey key : values()) {
            if (key.protoName.equals(name)) {
                return Optional.of(key);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return protoName;
    }
}
