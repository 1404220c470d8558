package io.flotilla.broker.storage;

import io.flotilla.log.PartitionLog;
import io.flotilla.store.HardState;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * Everything a node's group storages wait for the disk on: group commit of the logs, group
 * commit of the hard states, and each group's writes that wait for an fsync (truncation,
 * snapshot install, compaction, membership history). {@link LogStorage} hands them over and
 * never waits itself. In a node these run on threads ({@link NodeStorage#NodeStorage(
 * io.flotilla.store.NodeStore, StorageConfig)}); the deterministic simulation supplies its own,
 * which decides when each write completes (and which unsynced writes a crash loses).
 *
 * <p>Futures may complete on any thread; callers hand real work to their own.
 */
public interface DiskWork extends AutoCloseable {
    /** Work on files, which may fail with an {@link IOException}. */
    @FunctionalInterface
    interface IoAction<T> {
        T run() throws IOException;
    }

    /** As {@link io.flotilla.log.GroupCommit#whenDurable}: every offset below {@code offset} of {@code log} is durable. */
    CompletableFuture<Long> whenDurable(PartitionLog log, long offset);

    /** As {@link io.flotilla.log.GroupCommit#release}: the log closes; its waiters fail. */
    void release(PartitionLog log);

    /** Completes once {@code state} is durable in the node store as group {@code groupId}'s hard state. */
    CompletableFuture<Void> writeHardState(long groupId, HardState state);

    /**
     * Runs {@code action} after the group's earlier actions, off the caller's thread; the future
     * completes with its result or what it threw.
     *
     * @throws java.util.concurrent.RejectedExecutionException after {@link #close}
     */
    <T> CompletableFuture<T> run(long groupId, IoAction<T> action);

    /** Finishes the work handed over, then stops; writes still waiting fail. */
    @Override
    void close();
}
