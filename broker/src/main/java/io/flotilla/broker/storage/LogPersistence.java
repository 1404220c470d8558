package io.flotilla.broker.storage;

import io.flotilla.raft.Ready;
import io.flotilla.raft.driver.GroupPersistence;
import io.flotilla.raft.driver.PersistCallback;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Makes a group's Readies durable in its {@link LogStorage}, with group commit: the log writes
 * in the order {@link Ready} gives them (snapshot chunk and install, truncation, appends),
 * synced by the node's {@link io.flotilla.log.GroupCommit} (the appends of many Readies, one
 * fsync), and a new term or vote synced by the node's hard-state commit (many groups, one
 * RocksDB sync). The two proceed in parallel: Raft allows either to be durable first.
 *
 * <p>{@link #persist} runs on the group's loop thread and never waits for the disk: appends go
 * into the page cache there, everything that waits runs on the group's disk worker. The
 * callback comes from whichever thread completes the last write (a flusher, the disk worker,
 * the hard-state thread), or at once on a failure to start.
 */
public final class LogPersistence implements GroupPersistence {
    private final LogStorage storage;

    public LogPersistence(LogStorage storage) {
        this.storage = storage;
    }

    @Override
    public void persist(Ready ready, PersistCallback done) {
        CompletableFuture<Void> durable;
        try {
            CompletableFuture<Void> hardState = storage.saveHardState(ready.hardState());
            durable = CompletableFuture.allOf(hardState, storage.write(ready));
        } catch (IOException | RuntimeException e) {
            done.failed(ready, e); // writes may have started (a hard state, some appends): report, do not throw
            return;
        }
        durable.whenComplete((ignored, error) -> {
            if (error == null) {
                done.persisted(ready);
            } else {
                done.failed(ready, error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error);
            }
        });
    }
}
