package io.flotilla.raft.driver;

import io.flotilla.raft.MemoryStorage;
import io.flotilla.raft.Ready;

/**
 * {@link GroupPersistence} over a {@link MemoryStorage}, for tests and benchmarks: memory
 * counts as durable, so each Ready completes at once, on the loop thread. That is also the only
 * safe way to write a MemoryStorage, which is not thread-safe and is read by the same thread.
 */
public final class MemoryPersistence implements GroupPersistence {
    private final MemoryStorage storage;

    public MemoryPersistence(MemoryStorage storage) {
        this.storage = storage;
    }

    @Override
    public void persist(Ready ready, PersistCallback done) {
        storage.persist(ready);
        done.persisted(ready);
    }
}
