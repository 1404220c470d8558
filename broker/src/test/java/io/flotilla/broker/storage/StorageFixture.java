package io.flotilla.broker.storage;

import io.flotilla.log.LogConfig;
import io.flotilla.raft.Membership;
import io.flotilla.store.NodeStore;

import java.io.IOException;
import java.nio.file.Path;

/** A node store and its storage services in a scratch directory, and groups opened over them; closes all. */
final class StorageFixture implements AutoCloseable {
    static final Membership VOTERS = Membership.ofVoters(TestEntries.member(1), TestEntries.member(2),
            TestEntries.member(3));
    static final LogConfig SMALL_SEGMENTS = LogConfig.DEFAULTS.withSegmentBytes(1024);

    final Path dir;
    final NodeStore store;
    final NodeStorage node;

    StorageFixture(Path dir) {
        this.dir = dir;
        this.store = NodeStore.open(dir.resolve("store"));
        this.node = new NodeStorage(store, StorageConfig.DEFAULTS);
    }

    Path groupDir(long groupId) {
        return dir.resolve("group-" + groupId);
    }

    /** Opens (or creates) group {@code groupId} with small segments: a data partition, or the controller. */
    LogStorage open(long groupId, boolean dataPartition) throws IOException {
        return open(groupId, SMALL_SEGMENTS, VOTERS, dataPartition);
    }

    /** Opens (or creates) data partition or controller group {@code groupId} with these limits and members. */
    LogStorage open(long groupId, LogConfig config, Membership members, boolean dataPartition) throws IOException {
        return LogStorage.open(groupId, groupDir(groupId), config, node, members, dataPartition,
                () -> 1_700_000_000_000L);
    }

    @Override
    public void close() {
        try {
            node.close();
        } finally {
            store.close();
        }
    }
}
