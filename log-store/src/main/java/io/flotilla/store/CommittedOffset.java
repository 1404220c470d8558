package io.flotilla.store;

import java.util.Objects;

/**
 * A consumer group's committed position in one partition.
 *
 * @param offset            the next offset the group will consume, {@code >= 0}
 * @param metadata          opaque client metadata, possibly empty, never null
 * @param commitTimestampMs broker wall-clock time of the commit in epoch milliseconds, {@code >= 0}
 */
public record CommittedOffset(long offset, String metadata, long commitTimestampMs) {

    public CommittedOffset {
        Checks.nonNegative("offset", offset);
        Objects.requireNonNull(metadata, "metadata");
        Checks.nonNegative("commitTimestampMs", commitTimestampMs);
    }
}
