package io.flotilla.broker.storage;

import io.flotilla.raft.Membership;
import io.flotilla.store.NodeStore;
import io.flotilla.store.SnapshotMeta;
import io.flotilla.store.StoredSnapshot;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * A group's snapshot as the node store keeps it (column family {@code snapshot}, key: the
 * group id): {@code SnapshotMeta(end - 1, term of that entry)}, and as data, big-endian:
 * <pre>
 * int8   format version, 1
 * int32  length, then the membership in force at the snapshot's end ({@link Membership#encode()})
 * ...    the state machine's bytes, to the end of the value
 * </pre>
 * The membership travels inside the value so that one synced write makes the snapshot and its
 * membership durable together: every move of a group's log start (compaction, retention,
 * install) writes this first, and a reopen that finds it ahead of the log finishes moving the
 * log's start to it. The state is the controller's metadata, or a data partition's producer
 * state ({@code CommittedProducers}).
 */
final class GroupSnapshot {
    private static final byte FORMAT = 1;

    private GroupSnapshot() {
    }

    static void put(NodeStore store, long groupId, LogBase base) {
        if (base.start() < 1) {
            throw new IllegalArgumentException("a snapshot covers at least one entry; its end is " + base.start());
        }
        ByteBuffer membership = base.membership().encode();
        ByteBuffer data = ByteBuffer.allocate(1 + 4 + membership.remaining() + base.state().length);
        data.put(FORMAT).putInt(membership.remaining()).put(membership).put(base.state());
        store.putSnapshot(groupId, new SnapshotMeta(base.start() - 1, base.termBefore()), data.array());
    }

    /** The group's stored snapshot as the base it stands for, or empty if none is stored. */
    static Optional<LogBase> get(NodeStore store, long groupId) {
        Optional<StoredSnapshot> stored = store.snapshot(groupId);
        if (stored.isEmpty()) {
            return Optional.empty();
        }
        ByteBuffer data = ByteBuffer.wrap(stored.get().data());
        try {
            byte format = data.get();
            if (format != FORMAT) {
                throw new IllegalStateException("snapshot format " + format + " is not supported (expected " + FORMAT
                        + ")");
            }
            int length = data.getInt();
            Membership membership = Membership.decode(data.slice(data.position(), length));
            byte[] state = new byte[data.remaining() - length];
            data.get(data.position() + length, state);
            SnapshotMeta meta = stored.get().meta();
            return Optional.of(new LogBase(meta.lastIncludedIndex() + 1, meta.lastIncludedTerm(), membership, state));
        } catch (BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException e) {
            throw new IllegalStateException("the node store's snapshot of group " + groupId + " in " + store.dir()
                    + " is malformed: " + e, e);
        }
    }
}
