package io.flotilla.raft.driver;

import io.flotilla.raft.MemoryStorage;
import io.flotilla.raft.Ready;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link GroupPersistence} over a {@link MemoryStorage} that, while {@link #hold} is set,
 * keeps each write in flight until the test lands it: a slow disk under the test's control.
 * Otherwise it writes at once, like {@link MemoryPersistence}.
 */
final class HeldWrites implements GroupPersistence {
    private record Write(Ready ready, PersistCallback done) {
    }

    private final MemoryStorage storage;
    private final List<Write> held = new ArrayList<>();
    boolean hold;

    HeldWrites(MemoryStorage storage) {
        this.storage = storage;
    }

    @Override
    public void persist(Ready ready, PersistCallback done) {
        if (hold) {
            held.add(new Write(ready, done));
        } else {
            storage.persist(ready);
            done.persisted(ready);
        }
    }

    /** How many writes were held, landed ones included. */
    int heldCount() {
        return held.size();
    }

    /** The Ready of the write held {@code i}-th (from 0). */
    Ready held(int i) {
        return held.get(i).ready();
    }

    /** Lands the write held {@code i}-th: makes it durable and says so. */
    void land(int i) {
        storage.persist(held(i));
        sayLanded(i);
    }

    /** Says that the write held {@code i}-th is durable; again, if it landed, as a persistence that retries might. */
    void sayLanded(int i) {
        held.get(i).done().persisted(held(i));
    }
}
