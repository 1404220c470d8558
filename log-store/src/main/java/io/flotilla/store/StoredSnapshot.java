package io.flotilla.store;

import java.util.Arrays;
import java.util.Objects;

/**
 * The latest state-machine snapshot of one Raft group.
 *
 * <p>{@code data} is not copied, because snapshots can be large; callers must not modify the array.
 * Equality compares the array contents.
 *
 * @param meta the log position the snapshot covers
 * @param data the opaque state-machine bytes
 */
public record StoredSnapshot(SnapshotMeta meta, byte[] data) {

    public StoredSnapshot {
        Objects.requireNonNull(meta, "meta");
        Objects.requireNonNull(data, "data");
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof StoredSnapshot that && meta.equals(that.meta) && Arrays.equals(data, that.data);
    }

    @Override
    public int hashCode() {
        return 31 * meta.hashCode() + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "StoredSnapshot[meta=" + meta + ", data=" + data.length + " bytes]";
    }
}
