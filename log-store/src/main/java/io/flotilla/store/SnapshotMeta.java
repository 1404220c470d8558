package io.flotilla.store;

/**
 * Describes the log prefix a state-machine snapshot replaces.
 *
 * @param lastIncludedIndex index of the last log entry reflected in the snapshot, {@code >= 0}
 * @param lastIncludedTerm  term of that entry, {@code >= 0}
 */
public record SnapshotMeta(long lastIncludedIndex, long lastIncludedTerm) {

    public SnapshotMeta {
        Checks.nonNegative("lastIncludedIndex", lastIncludedIndex);
        Checks.nonNegative("lastIncludedTerm", lastIncludedTerm);
    }
}
