package io.flotilla.store;

import java.util.List;
import java.util.Objects;

/**
 * Idempotence state of one producer in one partition group.
 *
 * @param producerEpoch the producer's current epoch, {@code >= 0}
 * @param recentBatches the producer's most recent batches, oldest first, at most {@link #MAX_RECENT_BATCHES};
 *                      copied into an unmodifiable list
 */
public record ProducerState(short producerEpoch, List<BatchSequence> recentBatches) {

    /** How many recent batches are remembered per producer, matching Kafka's max in-flight requests. */
    public static final int MAX_RECENT_BATCHES = 5;

    public ProducerState {
        Checks.nonNegative("producerEpoch", producerEpoch);
        Objects.requireNonNull(recentBatches, "recentBatches");
        if (recentBatches.size() > MAX_RECENT_BATCHES) {
            throw new IllegalArgumentException("at most " + MAX_RECENT_BATCHES
                    + " recent batches are kept per producer, got " + recentBatches.size());
        }
        for (int i = 0; i < recentBatches.size(); i++) {
            Objects.requireNonNull(recentBatches.get(i), "recentBatches[" + i + "]");
        }
        recentBatches = List.copyOf(recentBatches);
    }
}
