package io.flotilla.store;

/**
 * The sequence range and final offset of one batch appended by an idempotent producer, kept so a
 * retried batch can be answered with its original offset instead of being appended twice.
 *
 * <p>{@code lastSequence} may be smaller than {@code firstSequence}: producer sequences wrap from
 * {@link Integer#MAX_VALUE} back to 0.
 *
 * @param firstSequence sequence number of the first record in the batch, {@code >= 0}
 * @param lastSequence  sequence number of the last record in the batch, {@code >= 0}
 * @param lastOffset    log offset assigned to the last record, {@code >= 0}
 */
public record BatchSequence(int firstSequence, int lastSequence, long lastOffset) {

    public BatchSequence {
        Checks.nonNegative("firstSequence", firstSequence);
        Checks.nonNegative("lastSequence", lastSequence);
        Checks.nonNegative("lastOffset", lastOffset);
    }
}
