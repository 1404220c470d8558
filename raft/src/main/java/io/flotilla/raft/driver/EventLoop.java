package io.flotilla.raft.driver;

import io.flotilla.raft.MemberId;
import io.flotilla.raft.Membership;
import io.flotilla.raft.RaftMessage;
import io.flotilla.raft.RaftNode;
import io.flotilla.raft.Ready;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.atomic.MpscAtomicArrayQueue;
import org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntPredicate;
import java.util.function.LongSupplier;

/**
 * One event loop: the single writer of a shard of groups. {@link #doWork()} is one turn of its
 * duty cycle (Agrona's Agent model) and returns how much it did, so a {@link LoopRunner} can
 * idle when it returns 0 and a test can step it on its own thread, deterministically. A turn:
 * <ol>
 *   <li>run commands (add or remove a group, run a task on a group's node);</li>
 *   <li>step every inbound message into its group;</li>
 *   <li>if a tick is due: check node liveness (waking quiet groups a silent or returning node
 *   concerns), queue liveness heartbeats (loop 0, while every loop turns), and tick every
 *   awake group, or let a settled leader quiesce instead;</li>
 *   <li>take a Ready from every group touched since the last turn that has one: queue its
 *   {@code sendNow}, hand its writes to the group's persistence (which must not block);</li>
 *   <li>finish every Ready whose persistence completed: queue its {@code sendAfterPersist},
 *   restore the state machine if it installed a snapshot, apply its committed entries, hand
 *   over its read states, advance the node;</li>
 *   <li>send one batch per destination node.</li>
 * </ol>
 * Only groups touched since the last turn are looked at, and only awake groups are ticked: a
 * quiet group costs nothing per turn.
 */
final class EventLoop {
    private static final Logger log = LoggerFactory.getLogger(EventLoop.class);
    /**
     * How long a loop may take over one turn before the loop watching it logs its stack. A turn
     * is meant to take microseconds to milliseconds; one this long means its thread is blocked
     * or looping, and every group of the loop stands still meanwhile.
     */
    private static final long STALL_REPORT_NANOS = 5_000_000_000L;

    private final int index;
    /** The driver's loops, this one included: loop 0 pings for the node only while they all turn. */
    private final EventLoop[] siblings;
    private final MemberId self;
    private final DriverConfig config;
    private final Transport transport;
    private final Peers peers;
    private final LongSupplier clock;

    private final MpscAtomicArrayQueue<InboundBatch> inbound;
    /** Bytes of the batches in {@code inbound}: added by the threads that offer, taken off once stepped. */
    private final AtomicLong inboundBytes = new AtomicLong();
    private final MpscAtomicArrayQueue<LoopCommand> commands;
    /** At most one entry per group (one Ready in flight each, reported once): bounded by the group count. */
    private final MpscUnboundedAtomicArrayQueue<GroupHandle> completions = new MpscUnboundedAtomicArrayQueue<>(256);
    // Method references made once: the queues' drain calls take them every turn.
    private final MessagePassingQueue.Consumer<InboundBatch> deliver = this::deliver;
    private final MessagePassingQueue.Consumer<LoopCommand> run = this::run;
    private final MessagePassingQueue.Consumer<GroupHandle> complete = this::complete;
    private final IntPredicate liveNode = this::isLive;

    private final LongMap<GroupHandle> groups = new LongMap<>();
    private final ArrayList<GroupHandle> awake = new ArrayList<>();
    /** Groups touched this turn, collected at the next; swapped with {@code collecting}, so marking allocates nothing. */
    private ArrayList<GroupHandle> dirty = new ArrayList<>();
    private ArrayList<GroupHandle> collecting = new ArrayList<>();
    private final Outbox outbox;
    /** This loop's view of which peers are silent, indexed like {@link Peers#all()}. */
    private boolean[] silent = new boolean[0];
    private long nextTickAt;
    /** When this loop last resumed from standing still for two ticks or more. */
    private long resumedNanos;
    private long now;

    private volatile Thread thread;
    private volatile boolean parked;
    /** When this loop last finished a turn: read by loop 0 before it vouches for the node. */
    private volatile long lastTurnNanos;
    /** Whether the loop this one watches ({@link #watchNextLoop}) was reported stuck, and not yet turning again. */
    private volatile boolean watchedStuck;
    /** Why commands are failed instead of run, once the loop took its last turn; guarded by this. */
    private IllegalStateException retiredWith;

    // Published once per turn for DriverStats; written by the loop thread only.
    private volatile int groupCount;
    private volatile int awakeCount;
    private volatile long ticks;
    private volatile long batchesSent;
    private volatile long messagesSent;
    private volatile long messagesDropped;
    /** Groups whose write in flight was reported stuck and has not landed. */
    private volatile int stuckWrites;

    /** {@code siblings} holds every loop of the driver by the first turn of any. */
    EventLoop(int index, EventLoop[] siblings, MemberId self, DriverConfig config, Transport transport, Peers peers,
              LongSupplier clock) {
        this.index = index;
        this.siblings = siblings;
        this.self = self;
        this.config = config;
        this.transport = transport;
        this.peers = peers;
        this.clock = clock;
        this.inbound = new MpscAtomicArrayQueue<>(config.queueCapacity());
        this.commands = new MpscAtomicArrayQueue<>(config.queueCapacity());
        this.outbox = new Outbox(peers);
        this.nextTickAt = clock.getAsLong();
        this.resumedNanos = nextTickAt;
        this.lastTurnNanos = nextTickAt;
    }

    // ---------------------------------------------------------------- from other threads

    /**
     * Queues {@code batch} unless that would exceed the queue's count or byte bound; an empty
     * queue takes a batch of any size, so no single message is refused for good.
     */
    boolean offerInbound(InboundBatch batch) {
        long queued;
        do {
            queued = inboundBytes.get();
            if (queued > 0 && queued + batch.bytes() > config.maxInboundBytes()) {
                signal();
                return false;
            }
        } while (!inboundBytes.compareAndSet(queued, queued + batch.bytes()));
        boolean taken = inbound.offer(batch);
        if (!taken) {
            inboundBytes.addAndGet(-batch.bytes());
        }
        signal();
        return taken;
    }

    boolean offerCommand(LoopCommand command) {
        boolean queued = commands.offer(command);
        signal();
        return queued;
    }

    /** A group's persistence completed (or failed); called from any thread. */
    void completed(GroupHandle handle) {
        completions.offer(handle);
        signal();
    }

    private void signal() {
        if (parked) {
            LockSupport.unpark(thread);
        }
    }

    void bind(Thread owner) {
        thread = owner;
    }

    /**
     * Parks the loop thread until its next tick, or until another thread hands it work. The flag
     * is raised before the queues are checked and read by producers after they enqueue, so a
     * producer either sees it and unparks, or its item is seen here: no wake-up is lost.
     */
    void idle() {
        long wait = nextTickAt - clock.getAsLong();
        if (wait <= 0) {
            return;
        }
        parked = true;
        if (inbound.isEmpty() && commands.isEmpty() && completions.isEmpty()) {
            LockSupport.parkNanos(this, wait);
        }
        parked = false;
    }

    // ---------------------------------------------------------------- the duty cycle

    /** One turn; returns the work done (0: nothing happened, the caller may idle). */
    int doWork() {
        now = clock.getAsLong();
        int work = commands.drain(run, config.queueCapacity());
        work += inbound.drain(deliver, config.queueCapacity());
        work += tickIfDue();
        work += collectReadies();
        work += completions.drain(complete);
        work += outbox.flush(transport, now);
        groupCount = groups.size();
        awakeCount = awake.size();
        batchesSent = outbox.batchesSent;
        messagesSent = outbox.messagesSent;
        lastTurnNanos = now;
        return work;
    }

    private void run(LoopCommand command) {
        try {
            dispatch(command);
        } catch (Error e) {
            // An Error fails the whole driver (RaftDriver.fail); the caller whose command raised it gets it first.
            command.done().completeExceptionally(e);
            throw e;
        }
    }

    private void dispatch(LoopCommand command) {
        if (command instanceof LoopCommand.AddGroup add) {
            addGroup(add);
        } else if (command instanceof LoopCommand.RemoveGroup remove) {
            GroupHandle handle = groups.get(remove.groupId());
            if (handle != null && handle.removed && handle.removal == null) {
                handle.removal = remove.done(); // stopped, its last write in flight: done once it lands
            } else if (handle == null || handle.removed) {
                remove.done().completeExceptionally(notHosted(remove.groupId()));
            } else {
                handle.removed = true;
                handle.removal = remove.done();
                release(handle);
            }
        } else if (command instanceof LoopCommand.Call<?> call) {
            runCall(call);
        }
    }

    private void addGroup(LoopCommand.AddGroup add) {
        GroupHandle hosted = groups.get(add.groupId());
        if (hosted != null) {
            add.done().completeExceptionally(new IllegalStateException("node " + self.nodeId()
                    + (hosted.removed ? " is still removing group " + add.groupId() + ": its last write has not landed"
                    : " already hosts group " + add.groupId())));
            return;
        }
        RaftNode node;
        try {
            SplittableRandom random = new SplittableRandom(
                    Hashing.mix64(config.seed() ^ Hashing.mix64(add.groupId()) ^ ((long) self.nodeId() << 32)));
            node = new RaftNode(add.groupId(), self, config.raft(), add.storage(), random);
        } catch (RuntimeException e) {
            add.done().completeExceptionally(e);
            return;
        }
        GroupHandle handle = new GroupHandle(node, add.persistence(), add.applier(), this);
        groups.put(add.groupId(), handle);
        markDirty(handle);
        add.done().complete(null);
    }

    private <T> void runCall(LoopCommand.Call<T> call) {
        GroupHandle handle = groups.get(call.groupId());
        if (handle == null || handle.removed) {
            call.done().completeExceptionally(notHosted(call.groupId()));
            return;
        }
        try {
            call.done().complete(call.action().apply(handle.node));
        } catch (RuntimeException e) {
            call.done().completeExceptionally(e); // e.g. NotLeaderException: the group is fine
        }
        markDirty(handle);
    }

    private IllegalStateException notHosted(long groupId) {
        return new IllegalStateException("node " + self.nodeId() + " hosts no group " + groupId);
    }

    /** Steps this loop's share of an inbound batch (other loops step the rest of the same batch). */
    private void deliver(InboundBatch share) {
        List<RaftMessage> batch = share.messages();
        for (int i = 0; i < batch.size(); i++) {
            RaftMessage m = batch.get(i);
            if (Hashing.loopOf(m.groupId(), siblings.length) != index) {
                continue;
            }
            GroupHandle handle = groups.get(m.groupId());
            if (handle == null || handle.removed || !m.to().equals(self)) {
                messagesDropped++; // a removed group, or an earlier incarnation of this node
                continue;
            }
            try {
                handle.node.step(m);
            } catch (RuntimeException e) {
                stop(handle, e);
                continue;
            }
            markDirty(handle);
        }
        inboundBytes.addAndGet(-share.bytes());
    }

    // ---------------------------------------------------------------- ticks and node liveness

    private int tickIfDue() {
        if (now - nextTickAt < 0) {
            return 0;
        }
        long late = now - nextTickAt;
        if (late >= 2 * config.tickNanos()) {
            // This loop stood still (a GC or VM pause, a turn that took long): what it did not
            // hear meanwhile, it was not listening for, so silences count from now.
            resumedNanos = now;
        }
        // A loop that fell behind ticks once, not once per missed tick: a burst of ticks would
        // time out every group at once.
        nextTickAt = late >= config.tickNanos() ? now + config.tickNanos() : nextTickAt + config.tickNanos();
        int work = checkPeers();
        watchNextLoop();
        if (index == 0 && everyLoopTurnedRecently()) {
            // Half a tick of slack: ticks wake with jitter, and one a little early must not
            // skip the heartbeat until the next interval.
            long due = config.heartbeatNanos() - config.tickNanos() / 2;
            for (Peers.Peer peer : peers.all()) {
                if (now - peer.lastSentNanos >= due) {
                    outbox.ping(peer, now);
                }
            }
        }
        long ticked = 0;
        for (int i = 0; i < awake.size(); ) {
            GroupHandle handle = awake.get(i);
            RaftNode node = handle.node;
            if (handle.removed || node.quiet()) {
                handle.ticking = false;
                GroupHandle lastOne = awake.remove(awake.size() - 1);
                if (i < awake.size()) {
                    awake.set(i, lastOne);
                }
                continue;
            }
            reportIfWriteStuck(handle);
            try {
                if (!config.quiescence() || !node.tryQuiesce(liveNode)) {
                    node.tick();
                    ticked++;
                }
            } catch (RuntimeException e) {
                stop(handle, e); // e.g. the group's storage failed a read (RaftStorage throws unchecked)
                continue; // this slot is looked at again, and the stopped group leaves the list
            }
            markDirty(handle);
            i++;
        }
        ticks += ticked;
        return work + (int) ticked;
    }

    /**
     * Whether every loop of this driver finished a turn within an election timeout. A ping says
     * every group of this node is served: if a loop is stuck (a blocking applier or
     * persistence, an endless loop), its groups' quiet followers elsewhere must see this node
     * fall silent, or they follow a leader that will never speak again. (Turns come at least
     * once per tick, idle or not.)
     */
    private boolean everyLoopTurnedRecently() {
        for (EventLoop loop : siblings) {
            if (loop != this && anElectionTimeoutSince(loop.lastTurnNanos)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Logs, once, a group whose write has been with its persistence for
     * {@link #STALL_REPORT_NANOS}: until it lands the group sends no acknowledgement and takes
     * no further Ready, and nothing else would say so.
     */
    private void reportIfWriteStuck(GroupHandle handle) {
        if (handle.pending != null && !handle.pendingReported && now - handle.pendingSinceNanos >= STALL_REPORT_NANOS) {
            handle.pendingReported = true;
            stuckWrites++;
            log.warn("node {}: group {}: a write handed to its persistence {} ms ago has not landed; the group "
                    + "stands still until it does", self.nodeId(), handle.node.groupId(),
                    (now - handle.pendingSinceNanos) / 1_000_000);
        }
    }

    /**
     * Logs the stack of the next loop (each loop watches the one after it) once it has been in
     * one turn for {@link #STALL_REPORT_NANOS}, and logs again when it turns again: a loop stuck
     * in a turn cannot say so itself, and the stack shows what holds it.
     */
    private void watchNextLoop() {
        if (siblings.length < 2) {
            return;
        }
        EventLoop watched = siblings[(index + 1) % siblings.length];
        long last = watched.lastTurnNanos;
        long stuckFor = now - (last - resumedNanos < 0 ? resumedNanos : last);
        if (stuckFor >= STALL_REPORT_NANOS && !watchedStuck) {
            watchedStuck = true;
            Thread t = watched.thread;
            StringBuilder stack = new StringBuilder();
            for (StackTraceElement e : t == null ? new StackTraceElement[0] : t.getStackTrace()) {
                stack.append("\n\tat ").append(e);
            }
            log.warn("node {}: event loop {} has been in one turn for {} ms; its groups stand still. Its thread {} is at:{}",
                    self.nodeId(), watched.index, stuckFor / 1_000_000, t == null ? "(none)" : t.getName(), stack);
        } else if (stuckFor < STALL_REPORT_NANOS && watchedStuck) {
            watchedStuck = false;
            log.warn("node {}: event loop {} turns again", self.nodeId(), watched.index);
        }
    }

    /**
     * Whether an election timeout has passed since {@code nanos} (a peer last heard, a loop's
     * last turn), counting from this loop's last pause at the earliest: a pause is no one
     * else's silence.
     */
    private boolean anElectionTimeoutSince(long nanos) {
        long from = nanos - resumedNanos < 0 ? resumedNanos : nanos;
        return now - from >= config.electionTimeoutNanos();
    }

    /**
     * Notices peers falling silent for an election timeout, or speaking again, and wakes the
     * quiet groups that concerns. A silent node's followers here must elect a new leader; a
     * leader here with a member there must recount its quorum (and step down if it lost it).
     * When the node speaks again, leaders here with a member there wake to catch it up.
     */
    private int checkPeers() {
        Peers.Peer[] all = peers.all();
        if (silent.length < all.length) {
            silent = Arrays.copyOf(silent, all.length);
        }
        int woken = 0;
        for (int i = 0; i < all.length; i++) {
            long heard = all[i].lastHeardNanos;
            // A peer silent already stays so until heard from: a pause here brought no news of it.
            boolean nowSilent = silent[i]
                    ? now - heard >= config.electionTimeoutNanos()
                    : anElectionTimeoutSince(heard);
            if (nowSilent != silent[i]) {
                silent[i] = nowSilent;
                woken += wakeGroupsConcerning(all[i].nodeId, nowSilent);
            }
        }
        return woken;
    }

    private int wakeGroupsConcerning(int nodeId, boolean wentSilent) {
        int woken = 0;
        for (int slot = 0; slot < groups.slots(); slot++) {
            GroupHandle handle = groups.valueAt(slot);
            if (handle == null || handle.removed || !handle.node.quiet()) {
                continue;
            }
            RaftNode node = handle.node;
            MemberId leader = node.leader();
            if (wentSilent && leader != null && leader.nodeId() == nodeId) {
                node.suspectLeader();
            } else if (self.equals(leader) && hasMemberOn(node.membership(), nodeId)) {
                node.wake();
            } else {
                continue;
            }
            markDirty(handle);
            woken++;
        }
        return woken;
    }

    private static boolean hasMemberOn(Membership membership, int nodeId) {
        for (MemberId m : membership.voters()) {
            if (m.nodeId() == nodeId) {
                return true;
            }
        }
        for (MemberId m : membership.learners()) {
            if (m.nodeId() == nodeId) {
                return true;
            }
        }
        return false;
    }

    /** This loop's view; a node never heard of counts as live, so its members are waited for. */
    private boolean isLive(int nodeId) {
        Peers.Peer[] all = peers.all();
        for (int i = 0; i < all.length && i < silent.length; i++) {
            if (all[i].nodeId == nodeId) {
                return !silent[i];
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- Readies

    private void markDirty(GroupHandle handle) {
        if (!handle.dirty) {
            handle.dirty = true;
            dirty.add(handle);
        }
    }

    private int collectReadies() {
        ArrayList<GroupHandle> batch = dirty;
        dirty = collecting;
        collecting = batch;
        int work = 0;
        for (int i = 0; i < batch.size(); i++) {
            GroupHandle handle = batch.get(i);
            handle.dirty = false;
            if (handle.removed) {
                continue;
            }
            RaftNode node = handle.node;
            if (!handle.ticking && !node.quiet()) {
                handle.ticking = true;
                awake.add(handle);
            }
            try {
                tellLeadership(handle);
                if (handle.pending == null && node.hasReady()) {
                    startReady(handle);
                    work++;
                }
            } catch (RuntimeException e) {
                stop(handle, e); // a storage read building the Ready, or the persistence refusing it
            }
        }
        batch.clear();
        return work;
    }

    private static void tellLeadership(GroupHandle handle) {
        RaftNode node = handle.node;
        MemberId leader = node.leader();
        long term = node.term();
        if (term != handle.toldTerm || !Objects.equals(leader, handle.toldLeader)) {
            handle.toldTerm = term;
            handle.toldLeader = leader;
            handle.applier.leadership(leader, term);
        }
    }

    private void startReady(GroupHandle handle) {
        Ready ready = handle.node.ready();
        outbox.addAll(ready.sendNow(), now);
        if (ready.mustPersist()) {
            handle.handingOver(ready);
            handle.persistence.persist(ready, handle);
            // Only now: a persistence that throws has started nothing. Its completion, even
            // one made inside persist(), is handled later in the turn, on this thread.
            handle.pending = ready;
            handle.pendingSinceNanos = now;
        } else {
            finishReady(handle, ready);
        }
    }

    private void complete(GroupHandle handle) {
        Ready ready = handle.pending;
        if (ready == null) {
            return;
        }
        handle.pending = null;
        if (handle.pendingReported) {
            handle.pendingReported = false;
            stuckWrites--;
            log.warn("node {}: group {}: the write in flight for {} ms landed", self.nodeId(), handle.node.groupId(),
                    (now - handle.pendingSinceNanos) / 1_000_000);
        }
        Throwable failure = handle.failure;
        if (handle.removed) {
            release(handle);
        } else if (failure != null) {
            stop(handle, failure);
        } else {
            finishReady(handle, ready);
        }
    }

    private void finishReady(GroupHandle handle, Ready ready) {
        outbox.addAll(ready.sendAfterPersist(), now);
        try {
            if (ready.installsSnapshot()) {
                handle.applier.restore(ready.snapshotChunk().snapshot());
            }
            if (!ready.committed().isEmpty()) {
                handle.applier.apply(ready.committed());
            }
            if (!ready.readStates().isEmpty()) {
                handle.applier.reads(ready.readStates());
            }
            handle.node.advance(ready);
        } catch (RuntimeException e) {
            stop(handle, e);
            return;
        }
        markDirty(handle);
    }

    /** Fail-stop for one group: its log or its state machine can no longer be trusted. */
    private void stop(GroupHandle handle, Throwable cause) {
        handle.removed = true;
        release(handle);
        log.error("node {} stopped group {}", self.nodeId(), handle.node.groupId(), cause);
        tellStopped(handle, cause);
    }

    /**
     * Frees a removed or stopped group's id, unless its write is in flight: then that lands
     * first (see {@link #complete}). Until then the storage is still being written, so the
     * group cannot be added again over it, and a {@code removeGroup} waits.
     */
    private void release(GroupHandle handle) {
        if (handle.pending != null) {
            return;
        }
        groups.remove(handle.node.groupId());
        if (handle.removal != null) {
            handle.removal.complete(null);
        }
    }

    private void tellStopped(GroupHandle handle, Throwable cause) {
        try {
            handle.applier.stopped(cause);
        } catch (RuntimeException e) {
            log.error("the applier of group {} failed on being stopped", handle.node.groupId(), e);
        }
    }

    // ---------------------------------------------------------------- after the last turn

    /**
     * Called once the loop has taken its last turn, on the thread that turned it. The commands
     * still queued fail with {@code refusal}, and so do any that land later
     * ({@link #failLateCommands}): from here on the queue's consumer is whoever holds this
     * loop's lock. A {@code removeGroup} still waiting for a write fails too, as the loop will
     * not see it land. If the driver failed, every group's applier is told, since nothing more
     * will be applied.
     */
    synchronized void retire(Throwable failure, IllegalStateException refusal) {
        retiredWith = refusal;
        failLateCommands();
        for (int slot = 0; slot < groups.slots(); slot++) {
            GroupHandle handle = groups.valueAt(slot);
            if (handle == null) {
                continue;
            }
            if (handle.removal != null) {
                handle.removal.completeExceptionally(refusal);
            } else if (failure != null && !handle.removed) {
                tellStopped(handle, failure);
            }
        }
    }

    /** Fails the commands queued since this loop retired (none if it has not: its turns will run them). */
    synchronized void failLateCommands() {
        if (retiredWith == null) {
            return;
        }
        for (LoopCommand command = commands.poll(); command != null; command = commands.poll()) {
            command.done().completeExceptionally(retiredWith);
        }
    }

    // ---------------------------------------------------------------- stats

    DriverStats stats() {
        return new DriverStats(groupCount, awakeCount, ticks, batchesSent, messagesSent, messagesDropped,
                inboundBytes.get(), watchedStuck ? 1 : 0, stuckWrites);
    }
}
