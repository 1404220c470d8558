package io.flotilla.raft.driver;

import io.flotilla.raft.RaftNode;
import io.flotilla.raft.Ready;

import java.util.concurrent.CompletableFuture;

/**
 * One group on its loop: the node, where its writes and commits go, and the loop's bookkeeping
 * flags. It is also the group's persistence callback, so completing a Ready allocates nothing.
 * Loop thread only, except {@link #persisted} and {@link #failed}.
 */
final class GroupHandle implements PersistCallback {
    final RaftNode node;
    final GroupPersistence persistence;
    final Applier applier;
    private final EventLoop loop;

    /** The Ready handed to persistence and not completed yet, or null. */
    Ready pending;
    /** In the loop's list of groups that may have a Ready. */
    boolean dirty;
    /** In the loop's list of groups it ticks. */
    boolean ticking;
    /**
     * Removed or stopped: takes no more messages, ticks or commands, and its list entries are
     * ignored. It keeps its id on the loop until its write in flight, if any, lands.
     */
    boolean removed;
    /** The {@code removeGroup} waiting for that write, or null. */
    CompletableFuture<Void> removal;
    /** Set by a persistence thread before it hands the handle back to the loop. */
    volatile Throwable failure;

    GroupHandle(RaftNode node, GroupPersistence persistence, Applier applier, EventLoop loop) {
        this.node = node;
        this.persistence = persistence;
        this.applier = applier;
        this.loop = loop;
    }

    @Override
    public void persisted() {
        loop.completed(this);
    }

    @Override
    public void failed(Throwable cause) {
        failure = cause;
        loop.completed(this);
    }
}
