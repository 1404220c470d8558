package io.flotilla.raft.driver;

import io.flotilla.raft.MemberId;
import io.flotilla.raft.RaftNode;
import io.flotilla.raft.Ready;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;

/**
 * One group on its loop: the node, where its writes and commits go, and the loop's bookkeeping
 * flags. It is also the group's persistence callback, so completing a Ready allocates nothing.
 * Loop thread only, except {@link #persisted}, {@link #failed} and what they touch.
 */
final class GroupHandle implements PersistCallback {
    private static final VarHandle IN_FLIGHT;

    static {
        try {
            IN_FLIGHT = MethodHandles.lookup().findVarHandle(GroupHandle.class, "inFlight", Ready.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final RaftNode node;
    final GroupPersistence persistence;
    final Applier applier;
    private final EventLoop loop;

    /** The Ready handed to persistence and not completed yet, or null. */
    Ready pending;
    /** When {@code pending} was handed over, and whether it was reported as stuck (loop thread). */
    long pendingSinceNanos;
    boolean pendingReported;
    /**
     * The same Ready from just before it is handed over until its persistence reports on it:
     * the one report that takes it from here (a compare-and-set) is heeded; a late or
     * repeated one finds another Ready, or none, and is ignored.
     */
    private volatile Ready inFlight;
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
    /** The leadership last told to the applier ({@link Applier#leadership}). */
    MemberId toldLeader;
    long toldTerm = -1;
    /** Set by the persistence thread that reports a failure, before it hands the handle back to the loop. */
    volatile Throwable failure;

    GroupHandle(RaftNode node, GroupPersistence persistence, Applier applier, EventLoop loop) {
        this.node = node;
        this.persistence = persistence;
        this.applier = applier;
        this.loop = loop;
    }

    /** On the loop thread, just before {@code ready} is handed to the persistence. */
    void handingOver(Ready ready) {
        inFlight = ready;
    }

    @Override
    public void persisted(Ready ready) {
        if (IN_FLIGHT.compareAndSet(this, ready, null)) {
            loop.completed(this);
        }
    }

    @Override
    public void failed(Ready ready, Throwable cause) {
        if (IN_FLIGHT.compareAndSet(this, ready, null)) {
            failure = cause;
            loop.completed(this);
        }
    }
}
