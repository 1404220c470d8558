package io.flotilla.broker.metadata;

import java.util.Objects;

/**
 * A topic's configuration in force: every setting of {@code flotilla.v1.TopicConfig}
 * (admin.proto, which documents each one), overrides applied over {@link #DEFAULTS}. What a
 * topic stores is only its overrides ({@link TopicConfigOverrides}), so a topic follows the
 * defaults of the version running.
 *
 * @param retentionMs     delete records older than this; -1 keeps them (7 days)
 * @param retentionBytes  delete the oldest segments while a replica holds more; -1 no limit (-1)
 * @param maxBatchBytes   the largest record batch a partition accepts (1 MiB)
 * @param flushPolicy     when an acknowledged write is on disk ({@link FlushPolicy#FSYNC})
 * @param flushIntervalMs with {@link FlushPolicy#PAGE_CACHE}, fsync at least this often (1,000)
 * @param segmentBytes    roll the active segment before it passes this (128 MiB)
 * @param segmentMs       roll the active segment once its first record is this old (7 days)
 */
public record TopicConfig(long retentionMs, long retentionBytes, int maxBatchBytes, FlushPolicy flushPolicy,
                          int flushIntervalMs, int segmentBytes, long segmentMs) {

    public static final TopicConfig DEFAULTS = TopicConfigOverrides.EMPTY.effective();

    /** When a replica's appended records are fsynced (admin.proto, FlushPolicy). */
    public enum FlushPolicy {
        /** Before acknowledging: an acknowledged record survives power loss. */
        FSYNC(1),
        /** Every flush interval: faster, and loses the last interval's records on power loss. */
        PAGE_CACHE(2);

        private final int number;

        FlushPolicy(int number) {
            this.number = number;
        }

        /** Its number in flotilla.v1.FlushPolicy, which is how overrides hold it. */
        public int number() {
            return number;
        }

        static FlushPolicy ofNumber(long number) {
            for (FlushPolicy p : values()) {
                if (p.number == number) {
                    return p;
                }
            }
            throw new IllegalArgumentException("no flush policy numbered " + number);
        }
    }

    public TopicConfig {
        Objects.requireNonNull(flushPolicy, "flushPolicy");
    }
}
