package io.flotilla.raft.driver;

import io.flotilla.raft.MemberId;
import io.flotilla.raft.RaftMessage;
import io.flotilla.raft.RaftNode;
import io.flotilla.raft.RaftStorage;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Runs every Raft group of one node on a small fixed set of event loops: no thread, timer or
 * connection per group. Groups are sharded over the loops by id; each loop alone touches its
 * groups' {@link RaftNode}s, so the nodes need no locks. Per loop turn, every message for one
 * destination node travels in one batch; groups with nothing to replicate go quiet and cost no
 * ticks, while one tiny node-level heartbeat per peer and heartbeat interval (only when nothing
 * else went there) keeps liveness known, and wakes the quiet groups a silent node concerns
 * ({@link EventLoop} describes a turn).
 *
 * <p>Two ways to run it: {@link #start()} gives each loop a thread; without it, a test steps
 * every loop on its own thread with {@link #doWork()}, deterministically, with a clock it
 * controls.
 *
 * <p>Every method is thread-safe. Commands run on the group's loop thread and complete their
 * futures there: keep dependent actions short or make them asynchronous. A full command queue
 * is back-pressure: the future is returned already failed with a
 * {@link RejectedExecutionException}.
 *
 * <p>Failures: a {@code RuntimeException} out of one group's calls (its storage, persistence,
 * applier, or a broken invariant) stops that group alone. An {@link Error} (an assertion, out
 * of memory, from a call's action, an applier, a persistence or the transport) fails the whole
 * driver, as a crash would: every loop stops turning, so the node falls silent and its peers
 * elect leaders elsewhere; every group's applier is told; the command that raised it fails
 * with it, and every queued and later command with an {@link IllegalStateException} whose cause
 * it is.
 */
public final class RaftDriver implements AutoCloseable {
    private final MemberId self;
    private final DriverConfig config;
    private final LongSupplier clock;
    private final Peers peers = new Peers();
    private final EventLoop[] loops;
    private volatile LoopRunner[] runners;
    /**
     * Why commands are refused, set once: the driver was closed, or it failed, and then its
     * cause is the Error. Null while the driver runs.
     */
    private final AtomicReference<IllegalStateException> refusal = new AtomicReference<>();

    /**
     * @param self      this node as a group member (node id and incarnation)
     * @param transport how batches reach other nodes; inbound ones come back through {@link #receive}
     * @param nanoClock monotonic nanoseconds ({@code System::nanoTime}; a manual clock in tests)
     */
    public RaftDriver(MemberId self, DriverConfig config, Transport transport, LongSupplier nanoClock) {
        this.self = self;
        this.config = config;
        this.clock = nanoClock;
        this.loops = new EventLoop[config.loops()];
        for (int i = 0; i < loops.length; i++) {
            loops[i] = new EventLoop(i, loops, self, config, transport, peers, nanoClock);
        }
    }

    public MemberId self() {
        return self;
    }

    /** Starts one thread per loop, named {@code flotilla-raft-<node>-<loop>}. */
    public synchronized void start() {
        if (runners != null || refusal.get() != null) {
            throw new IllegalStateException("node " + self.nodeId() + "'s driver is already started or closed");
        }
        LoopRunner[] started = new LoopRunner[loops.length];
        for (int i = 0; i < loops.length; i++) {
            started[i] = new LoopRunner(loops[i], this, "flotilla-raft-" + self.nodeId() + "-" + i);
        }
        runners = started;
        for (LoopRunner runner : started) {
            runner.start();
        }
    }

    /**
     * Stops the driver: commands still queued and any later ones fail with an
     * {@link IllegalStateException}, and the loop threads, if started, end their turns; waits
     * for them. Groups stay where they are: their appliers are not told, as the node is shutting
     * down, not failing. Close a stepped driver on the thread that steps it.
     */
    @Override
    public synchronized void close() throws InterruptedException {
        boolean closing = refusal.compareAndSet(null, new IllegalStateException("node " + self.nodeId()
                + "'s driver is closed"));
        LoopRunner[] started = runners;
        if (started != null) {
            for (LoopRunner runner : started) {
                runner.stop(); // the loop retires on its thread
            }
        } else if (closing) {
            retireEveryLoopHere();
        }
    }

    /**
     * One turn of every loop, on the calling thread: for tests that step the driver instead of
     * starting it. An Error fails the driver, as on a loop thread, and is rethrown; a failed or
     * closed driver does nothing more.
     *
     * @return the work done; 0 means every loop was idle
     */
    public int doWork() {
        if (runners != null) {
            throw new IllegalStateException("node " + self.nodeId() + "'s driver runs its own threads");
        }
        if (refusal.get() != null) {
            return 0;
        }
        int work = 0;
        for (EventLoop loop : loops) {
            try {
                work += loop.doWork();
            } catch (Throwable e) {
                fail(e);
                throw e;
            }
        }
        return work;
    }

    /**
     * Fails the driver (the first Error wins): refuses commands from now on, and ends every
     * loop's turns. Each loop then retires on the thread that turned it: this one, if the
     * driver is stepped.
     */
    void fail(Throwable cause) {
        if (!refusal.compareAndSet(null, new IllegalStateException("node " + self.nodeId() + "'s driver failed",
                cause))) {
            return;
        }
        LoopRunner[] started = runners;
        if (started != null) {
            for (LoopRunner runner : started) {
                runner.halt();
            }
        } else {
            retireEveryLoopHere();
        }
    }

    /** A stepped driver's loops are turned by the caller's thread, so they retire on it. */
    private void retireEveryLoopHere() {
        for (EventLoop loop : loops) {
            retire(loop);
        }
    }

    /** After {@code loop}'s last turn, on the thread that turned it. */
    void retire(EventLoop loop) {
        IllegalStateException refused = refusal.get();
        loop.retire(refused.getCause(), refused);
    }

    /**
     * Takes a batch another node sent (the transport calls this; any thread). An empty batch is
     * a liveness heartbeat. The batch is shared by the loops whose groups it addresses, so it
     * is not copied or split; the driver keeps it, read-only.
     *
     * @return false if a loop's queue was full, in batches or in bytes
     *         ({@link DriverConfig#maxInboundBytes}), and its share of the batch was dropped
     *         (Raft retransmits), or if the driver failed or was closed
     */
    public boolean receive(int fromNode, List<RaftMessage> batch) {
        if (refusal.get() != null) {
            return false;
        }
        long now = clock.getAsLong();
        peers.get(fromNode, now).lastHeardNanos = now;
        long addressed = 0;
        long[] bytes = new long[loops.length];
        for (int i = 0; i < batch.size(); i++) {
            RaftMessage m = batch.get(i);
            int loop = Hashing.loopOf(m.groupId(), loops.length);
            addressed |= 1L << loop;
            bytes[loop] += InboundBatch.bytesOf(m);
        }
        boolean queued = true;
        for (int i = 0; i < loops.length; i++) {
            if ((addressed & (1L << i)) != 0) {
                queued &= loops[i].offerInbound(new InboundBatch(batch, bytes[i]));
            }
        }
        return queued;
    }

    /**
     * Starts hosting this node's member of group {@code groupId}, recovered from
     * {@code storage} as a follower. Fails if the group is already hosted here.
     */
    public CompletableFuture<Void> addGroup(long groupId, RaftStorage storage, GroupPersistence persistence,
                                            Applier applier) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        return submit(new LoopCommand.AddGroup(groupId, storage, persistence, applier, done), done);
    }

    /**
     * Stops hosting group {@code groupId}: its messages are dropped from now on. If a write of
     * the group is in flight, the future completes once it has landed: from then on the
     * group's storage is the caller's again, to delete or to add the group back over (until
     * then, adding it again fails). For a member already removed from the group's membership, or
     * a group being deleted: removing a live member's group looks to its peers like a crash of
     * that member alone, which node liveness cannot see (a quiet group whose leader vanished
     * this way stays quiet until something else wakes it). For a group the driver stopped (a
     * failure), it waits the same way for the write in flight, and fails at once if none was:
     * either way the storage is the caller's again afterwards.
     */
    public CompletableFuture<Void> removeGroup(long groupId) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        return submit(new LoopCommand.RemoveGroup(groupId, done), done);
    }

    /**
     * Runs {@code action} on the group's node, on its loop thread: propose, change membership,
     * transfer leadership, or read its state. The action must not call {@code tick},
     * {@code ready} or {@code advance}: the driver does. Fails with what the action threw (such
     * as {@link io.flotilla.raft.NotLeaderException}) or if the group is not hosted here.
     */
    public <T> CompletableFuture<T> call(long groupId, Function<RaftNode, T> action) {
        CompletableFuture<T> result = new CompletableFuture<>();
        return submit(new LoopCommand.Call<>(groupId, action, result), result);
    }

    private <T> CompletableFuture<T> submit(LoopCommand command, CompletableFuture<T> future) {
        IllegalStateException refused = refusal.get();
        if (refused != null) {
            future.completeExceptionally(refused);
            return future;
        }
        EventLoop loop = loops[Hashing.loopOf(command.groupId(), loops.length)];
        if (!loop.offerCommand(command)) {
            future.completeExceptionally(new RejectedExecutionException("node " + self.nodeId()
                    + ": the loop of group " + command.groupId() + " has " + config.queueCapacity()
                    + " commands queued"));
        } else if (refusal.get() != null) {
            // The loop may have retired between the check above and the offer: then no turn
            // will run the command, and it must be failed here.
            loop.failLateCommands();
        }
        return future;
    }

    /** Loop {@code index}, for tests that turn one loop of a stepped driver and not the others. */
    EventLoop loop(int index) {
        return loops[index];
    }

    /** Counters summed over the loops, as each last published them. */
    public DriverStats stats() {
        DriverStats sum = DriverStats.ZERO;
        for (EventLoop loop : loops) {
            sum = sum.plus(loop.stats());
        }
        return sum;
    }
}
