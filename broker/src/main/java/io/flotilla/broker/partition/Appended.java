package io.flotilla.broker.partition;

/**
 * Where a produced batch landed.
 *
 * @param baseOffset   offset of its first record
 * @param appendTimeMs the leader's clock when it was appended (for a duplicate answered after a
 *                     failover: the batch's newest record timestamp, which the log keeps)
 * @param duplicate    an idempotent retry of a batch already written: nothing was written now
 */
public record Appended(long baseOffset, long appendTimeMs, boolean duplicate) {
}
