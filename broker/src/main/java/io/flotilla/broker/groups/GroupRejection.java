package io.flotilla.broker.groups;

import io.flotilla.api.v1.ErrorReason;
import io.flotilla.store.TopicPartition;

import java.util.List;
import java.util.Objects;

/**
 * A command refused, with nothing changed: why (an {@link ErrorReason} of errors.proto, which
 * fixes the status code) and a message a person can act on.
 *
 * @param partitions the partitions the refusal is about, by topic, then partition (one
 *                   ErrorDetail each for PARTITION_NOT_OWNED); empty when it is not about
 *                   particular partitions
 */
public record GroupRejection(ErrorReason reason, String message, List<TopicPartition> partitions) implements GroupResult {

    public GroupRejection {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
        partitions = List.copyOf(partitions);
    }

    public GroupRejection(ErrorReason reason, String message) {
        this(reason, message, List.of());
    }
}
