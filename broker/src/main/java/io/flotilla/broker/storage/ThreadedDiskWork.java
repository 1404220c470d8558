package io.flotilla.broker.storage;

import io.flotilla.log.GroupCommit;
import io.flotilla.log.PartitionLog;
import io.flotilla.store.HardState;
import io.flotilla.store.NodeStore;

import java.util.concurrent.CompletableFuture;

/** A node's {@link DiskWork} on threads: flushers, the hard-state writer and the disk workers. */
final class ThreadedDiskWork implements DiskWork {
    private final GroupCommit groupCommit;
    private final HardStateCommit hardStates;
    private final DiskWorkers disk;

    ThreadedDiskWork(NodeStore store, StorageConfig config) {
        this.groupCommit = GroupCommit.withThreads(config.flushThreads());
        this.hardStates = new HardStateCommit(store);
        this.disk = new DiskWorkers(config.diskThreads());
    }

    @Override
    public CompletableFuture<Long> whenDurable(PartitionLog log, long offset) {
        return groupCommit.whenDurable(log, offset);
    }

    @Override
    public void release(PartitionLog log) {
        groupCommit.release(log);
    }

    @Override
    public CompletableFuture<Void> writeHardState(long groupId, HardState state) {
        return hardStates.write(groupId, state);
    }

    @Override
    public <T> CompletableFuture<T> run(long groupId, IoAction<T> action) {
        return disk.submit(groupId, action);
    }

    @Override
    public void close() {
        disk.close(); // first: its writes wait on group commit and hard-state commit
        hardStates.close();
        groupCommit.close();
    }
}
