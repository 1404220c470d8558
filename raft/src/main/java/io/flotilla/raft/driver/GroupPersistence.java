package io.flotilla.raft.driver;

import io.flotilla.raft.Ready;

/**
 * Makes one group's writes durable: the write side of the group's
 * {@link io.flotilla.raft.RaftStorage}. The broker implements it over the partition log and the
 * node store with group commit; {@link MemoryPersistence} serves tests and benchmarks.
 */
@FunctionalInterface
public interface GroupPersistence {
    /**
     * Starts persisting {@code ready}: its persistence step as {@link Ready} lists it (snapshot
     * chunk and install, truncation, entries, hard state). Called on the group's loop thread, which serves thousands of groups and so must
     * never wait for a disk: start the writes, return, and call {@code done.persisted(ready)}
     * once they are durable (fsynced), from any thread, or {@code done.failed(ready, cause)} if
     * they cannot be, which stops the group. Exactly one of the two, once. Throwing instead
     * stops the group too, and says that nothing was started.
     *
     * <p>By the time {@code persisted(ready)} is called, the group's storage must return what was
     * written. A group has at most one Ready outstanding: the next call for it comes after
     * this one completed.
     */
    void persist(Ready ready, PersistCallback done);
}
