package io.flotilla.broker.metadata;

import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The settings a topic has explicitly (at creation or by AlterTopicConfig); every other setting
 * takes its default. Immutable. Values are not checked here: {@link TopicRules#checkConfig}
 * does, so a request's values can be held and refused with a message rather than an exception.
 */
public final class TopicConfigOverrides {

    public static final TopicConfigOverrides EMPTY = new TopicConfigOverrides(new EnumMap<>(TopicConfigKey.class));

    private final Map<TopicConfigKey, Long> values;

    private TopicConfigOverrides(EnumMap<TopicConfigKey, Long> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    public static TopicConfigOverrides of(Map<TopicConfigKey, Long> values) {
        return values.isEmpty() ? EMPTY : new TopicConfigOverrides(new EnumMap<>(values));
    }

    /** These overrides with {@code key} set to {@code value}. */
    public TopicConfigOverrides with(TopicConfigKey key, long value) {
        EnumMap<TopicConfigKey, Long> next = copy();
        next.put(key, value);
        return new TopicConfigOverrides(next);
    }

    /** These overrides with {@code set}'s over them and {@code reset}'s removed. */
    public TopicConfigOverrides alter(TopicConfigOverrides set, Collection<TopicConfigKey> reset) {
        EnumMap<TopicConfigKey, Long> next = copy();
        next.putAll(set.values);
        next.keySet().removeAll(reset);
        return new TopicConfigOverrides(next);
    }

    /** The explicitly set settings, in {@link TopicConfigKey} order. */
    public Map<TopicConfigKey, Long> values() {
        return values;
    }

    public OptionalLong get(TopicConfigKey key) {
        Long value = values.get(key);
        return value == null ? OptionalLong.empty() : OptionalLong.of(value);
    }

    /**
     * The configuration in force. Only for overrides {@link TopicRules#checkConfig} accepts (a
     * topic's always are): int settings are cast, and the flush policy must be a known one.
     */
    public TopicConfig effective() {
        return new TopicConfig(
                value(TopicConfigKey.RETENTION_MS),
                value(TopicConfigKey.RETENTION_BYTES),
                Math.toIntExact(value(TopicConfigKey.MAX_BATCH_BYTES)),
                TopicConfig.FlushPolicy.ofNumber(value(TopicConfigKey.FLUSH_POLICY)),
                Math.toIntExact(value(TopicConfigKey.FLUSH_INTERVAL_MS)),
                Math.toIntExact(value(TopicConfigKey.SEGMENT_BYTES)),
                value(TopicConfigKey.SEGMENT_MS));
    }

    private long value(TopicConfigKey key) {
        return values.getOrDefault(key, key.defaultValue());
    }

    private EnumMap<TopicConfigKey, Long> copy() {
        return values.isEmpty() ? new EnumMap<>(TopicConfigKey.class) : new EnumMap<>(values);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TopicConfigOverrides other && values.equals(other.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
