package io.flotilla.broker.storage;

import io.flotilla.store.NodeStore;

import java.util.Objects;

/**
 * What every Raft group's storage on a node shares: the node store (RocksDB), the
 * {@link DiskWork} (group commit for the logs, group commit for hard states, and the threads
 * that run a group's writes that wait for the disk), and the record of damage found in the
 * logs. One per node; pass it to every {@link LogStorage#open}. No thread or timer per group.
 *
 * <p>{@link #close} stops the disk work, after the group storages are closed; the node store
 * belongs to the caller, who closes it afterwards.
 */
public final class NodeStorage implements AutoCloseable {
    private final NodeStore store;
    private final DiskWork work;
    private final StorageDamages damages = new StorageDamages(System::currentTimeMillis);

    /** A node's storage, its disk work on threads. */
    public NodeStorage(NodeStore store, StorageConfig config) {
        this(store, new ThreadedDiskWork(Objects.requireNonNull(store, "store"), config));
    }

    /** A node's storage whose disk work the caller supplies (the deterministic simulation's). */
    public NodeStorage(NodeStore store, DiskWork work) {
        this.store = Objects.requireNonNull(store, "store");
        this.work = Objects.requireNonNull(work, "work");
    }

    public NodeStore store() {
        return store;
    }

    DiskWork work() {
        return work;
    }

    /** The damage found in this node's group logs, and which groups recovered. */
    public StorageDamages damages() {
        return damages;
    }

    /** Finishes the disk work handed over, then stops it; writes still waiting fail. */
    @Override
    public void close() {
        work.close();
    }
}
