package io.flotilla.broker.storage;

import io.flotilla.log.GroupCommit;
import io.flotilla.store.NodeStore;

import java.util.Objects;

/**
 * What every Raft group's storage on a node shares: the node store (RocksDB), group commit for
 * the logs, group commit for hard states, the threads that run a group's writes that wait
 * for the disk, and the record of damage found in the logs. One per node; pass it to every {@link LogStorage#open}. No thread or timer per
 * group.
 *
 * <p>{@link #close} stops the threads, after the group storages are closed; the node store
 * belongs to the caller, who closes it afterwards.
 */
public final class NodeStorage implements AutoCloseable {
    private final NodeStore store;
    private final GroupCommit groupCommit;
    private final HardStateCommit hardStates;
    private final DiskWorkers disk;
    private final StorageDamages damages = new StorageDamages(System::currentTimeMillis);

    public NodeStorage(NodeStore store, StorageConfig config) {
        this.store = Objects.requireNonNull(store, "store");
        this.groupCommit = GroupCommit.withThreads(config.flushThreads());
        this.hardStates = new HardStateCommit(store);
        this.disk = new DiskWorkers(config.diskThreads());
    }

    public NodeStore store() {
        return store;
    }

    GroupCommit groupCommit() {
        return groupCommit;
    }

    HardStateCommit hardStates() {
        return hardStates;
    }

    DiskWorkers disk() {
        return disk;
    }

    /** The damage found in this node's group logs, and which groups recovered. */
    public StorageDamages damages() {
        return damages;
    }

    /** Finishes the disk work handed over, then stops every thread; writes still waiting fail. */
    @Override
    public void close() {
        disk.close(); // first: its writes wait on group commit and hard-state commit
        hardStates.close();
        groupCommit.close();
    }
}
