package io.flotilla.broker.storage;

import io.flotilla.log.CorruptLogException;
import io.flotilla.log.LogConfig;
import io.flotilla.log.LogSlice;
import io.flotilla.log.PartitionLog;
import io.flotilla.log.record.RecordBatch;
import io.flotilla.raft.Entry;
import io.flotilla.raft.HardState;
import io.flotilla.raft.Membership;
import io.flotilla.raft.MembershipEntry;
import io.flotilla.raft.RaftStorage;
import io.flotilla.raft.Ready;
import io.flotilla.raft.Snapshot;
import io.flotilla.raft.SnapshotChunk;
import io.flotilla.store.NodeStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * One Raft group's durable log on this node: {@link RaftStorage} over the group's
 * {@link PartitionLog}, which is at once the partition's message log and its Raft log (one
 * copy per replica), and the node's {@link NodeStore}. {@link LogPersistence} performs a
 * Ready's writes through it.
 *
 * <p>What lives where:
 * <pre>
 * groupDir/log/                the PartitionLog: one record batch per entry ({@link EntryBatches})
 * groupDir/membership          where the log starts and its membership history ({@link MembershipFile})
 * groupDir/incoming-snapshot   a snapshot being received ({@link IncomingSnapshot})
 * node store, key group id     the hard state; the snapshot standing for the entries below
 *                              the start ({@link GroupSnapshot})
 * </pre>
 * The controller's snapshot is its whole state machine; a data partition's log is its records,
 * and its snapshot holds only what the records below its start leave behind when retention
 * deletes them: the producers' idempotence state. A follower behind the leader's log start
 * installs that snapshot, and its log then starts where the leader's does.
 *
 * <p><b>Threads.</b> The group's loop thread reads (every {@link RaftStorage} method), calls
 * {@link #compact} and {@link #applyRetention}, and hands Readies to {@link LogPersistence}.
 * Appends, which only reach the page cache, run there (but for the log's own seal of a full
 * segment, an fsync once per segment); every write that waits for the disk (truncation,
 * snapshot install, membership history, compaction) runs on the group's disk worker, and while
 * one is queued the appends go there too, behind it, so the loop thread never waits for a lock
 * an fsync holds. Reads stay correct meanwhile: Raft never reads the part of the log a Ready
 * in flight writes, and a log start that moves is announced to readers before anything below
 * it is deleted. (A compaction is thus visible before it is durable; its snapshot covers
 * committed entries only, and a crash before the disk worker records it brings back the old
 * start, whose entries are still in the log.) {@link #close} and {@link #delete} come from any
 * thread once the group left its driver.
 *
 * <p><b>Crash consistency.</b> The membership file never misses a membership entry the log
 * holds: it is rewritten before a membership entry is appended, and after a truncation. A
 * move of the log start is recorded before the log changes: in the node store first (the
 * snapshot, with the membership at its end), then in the membership file, and
 * only then is the log's prefix deleted or the log reset; {@link #open} finishes a move a crash
 * interrupted, and drops listed membership entries the log no longer holds ({@link GroupRecovery}).
 */
public final class LogStorage implements RaftStorage, AutoCloseable {
    /** Bytes read from the log per step while collecting entries: whole batches, at least one. */
    private static final int READ_BYTES = 1 << 20;

    private final long groupId;
    private final Path groupDir;
    private final NodeStorage node;
    private final boolean dataPartition;
    private final LongSupplier clockMs;
    private final PartitionLog log;
    private final IncomingSnapshot incoming;
    /** Disk-worker actions of this group not yet finished: appends must queue behind them. */
    private final AtomicInteger diskActions = new AtomicInteger();
    private volatile CompletableFuture<?> lastDiskAction = CompletableFuture.completedFuture(null);

    /** The log start readers see; it moves before the entries below it are deleted. */
    private volatile LogBase base;
    /** The start the node store and the membership file record; disk worker only. */
    private LogBase durableBase;
    /** Membership entries at or after {@code durableBase}'s start, in offset order; written by the disk worker. */
    private volatile List<MembershipEntry> memberships;
    /** A Ready installing a snapshot is in flight: compaction and retention wait for the next call. */
    private volatile boolean installing;
    private volatile HardState hardState;
    /** The hard state the node store holds (or was handed last). */
    private volatile HardState storedHardState;
    /** The group's {@link RecoveryMarker} exists: its member recovers entries the log lost. Loop thread. */
    private boolean recoveryRecorded;
    private boolean closed;

    private LogStorage(long groupId, Path groupDir, NodeStorage node, boolean dataPartition, LongSupplier clockMs,
                       PartitionLog log, LogBase base, List<MembershipEntry> memberships, HardState hardState) {
        this.groupId = groupId;
        this.groupDir = groupDir;
        this.node = node;
        this.dataPartition = dataPartition;
        this.clockMs = clockMs;
        this.log = log;
        this.incoming = new IncomingSnapshot(groupDir);
        this.base = base;
        this.durableBase = base;
        this.memberships = memberships;
        this.hardState = hardState;
        this.storedHardState = hardState;
        this.recoveryRecorded = hardState.recovering();
    }

    /**
     * Opens (or creates) group {@code groupId}'s storage in {@code groupDir}, finishing a move
     * of the log start that a crash interrupted ({@link GroupRecovery}).
     *
     * @param config     the partition log's limits; with {@link LogConfig.VerifyOnOpen#ALL}, every batch
     *                   is checked first (as after a read found damage), and damage no crash explains
     *                   is salvaged either way: see {@link GroupRecovery}
     * @param node       what the node's groups share
     * @param bootstrap  the membership of a new group (an empty or missing directory); ignored otherwise
     * @param dataPartition true for a data partition (the log is its state; retention deletes its
     *                      log's prefix), false for the controller and the consumer-group coordinator
     *                      partitions (their state machines are snapshotted into the node store)
     * @param clockMs    wall clock for segment age, retention and control records' timestamps
     * @throws IllegalStateException if the directory is new but the node store still holds state
     *                               for the group (a deletion was cut short: {@link #deleteGroupData})
     * @throws CorruptLogException   if the directory, the log or the node store disagree in a way
     *                               no crash explains
     */
    public static LogStorage open(long groupId, Path groupDir, LogConfig config, NodeStorage node,
                                  Membership bootstrap, boolean dataPartition, LongSupplier clockMs)
            throws IOException {
        GroupRecovery.Recovered r = GroupRecovery.open(groupId, groupDir, config, node.store(), node.damages(),
                bootstrap, clockMs);
        return new LogStorage(groupId, groupDir, node, dataPartition, clockMs, r.log(), r.base(), r.memberships(),
                r.hardState());
    }

    // ---------------------------------------------------------------- RaftStorage (loop thread)

    @Override
    public HardState hardState() {
        return hardState;
    }

    @Override
    public List<MembershipEntry> membershipHistory() {
        LogBase b = base;
        List<MembershipEntry> history = new ArrayList<>();
        history.add(new MembershipEntry(-1, b.membership()));
        for (MembershipEntry e : memberships) {
            if (e.offset() >= b.start()) {
                history.add(e);
            }
        }
        return history;
    }

    @Override
    public long startOffset() {
        return base.start();
    }

    @Override
    public long endOffset() {
        return log.endOffset();
    }

    @Override
    public long termBeforeStart() {
        return base.termBefore();
    }

    @Override
    public long termAt(long offset) {
        LogBase b = base;
        if (offset == b.start() - 1) {
            return b.termBefore();
        }
        requireHeld(offset, b);
        return unchecked(() -> log.termAt(offset));
    }

    @Override
    public long entryBase(long offset) {
        requireHeld(offset, base);
        return unchecked(() -> log.batchBaseOffset(offset));
    }

    @Override
    public long snapshotSize() {
        return base.state().length;
    }

    @Override
    public Membership snapshotMembership() {
        return base.membership();
    }

    /**
     * Only the current snapshot is kept: a replaced one is gone at once (null), and a leader
     * sending it starts over with the current one.
     */
    @Override
    public ByteBuffer readSnapshot(Snapshot snapshot, long position, int maxBytes) {
        LogBase b = base;
        byte[] state = b.state();
        if (snapshot.end() != b.start() || snapshot.term() != b.termBefore() || snapshot.sizeBytes() != state.length) {
            return null;
        }
        int from = Math.toIntExact(position);
        return ByteBuffer.wrap(state, from, Math.min(maxBytes, state.length - from)).slice().asReadOnlyBuffer();
    }

    @Override
    public List<Entry> entries(long fromOffset, long toOffset, long maxBytes) {
        requireHeld(fromOffset, base);
        List<Entry> out = new ArrayList<>();
        long bytes = 0;
        long next = fromOffset;
        RecordBatch view = new RecordBatch();
        try {
            while (next < toOffset) {
                int want = (int) Math.max(1, Math.min(READ_BYTES, maxBytes - bytes));
                LogSlice slice = log.read(next, want, toOffset);
                if (slice.isEmpty()) {
                    break; // the next entry ends past toOffset
                }
                ByteBuffer batches = slice.readVerified();
                for (int pos = 0; pos < batches.limit(); pos += view.sizeInBytes()) {
                    view.wrap(batches, pos);
                    if (out.isEmpty() && view.baseOffset() != fromOffset) {
                        throw new IllegalArgumentException("no entry starts at offset " + fromOffset
                                + ": it lies inside the entry at " + view.baseOffset() + ".." + view.lastOffset());
                    }
                    Entry entry = EntryBatches.toEntry(view, slice.file(), slice.position() + pos);
                    if (!out.isEmpty() && bytes + entry.sizeInBytes() > maxBytes) {
                        return out;
                    }
                    out.add(entry);
                    bytes += entry.sizeInBytes();
                    next = entry.nextOffset();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** A read of the log, its I/O error unchecked as {@link RaftStorage} reports them. */
    private static <T> T unchecked(DiskWork.IoAction<T> read) {
        try {
            return read.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void requireHeld(long offset, LogBase b) {
        long end = log.endOffset();
        if (offset < b.start() || offset >= end) {
            throw new IllegalArgumentException("offset " + offset + " is not in the log of group " + groupId
                    + " [" + b.start() + ", " + end + ")");
        }
    }

    // ---------------------------------------------------------------- other reads

    /**
     * The snapshot's state, standing for the entries below {@link #startOffset()} (empty before
     * the first move of the start): what the group's applier rebuilds from at start-up and
     * after a snapshot install. Read-only.
     */
    public ByteBuffer snapshotState() {
        return ByteBuffer.wrap(base.state()).asReadOnlyBuffer();
    }

    /**
     * The partition log, for readers (fetch, offset lookups), from any thread. Its writes
     * belong to this storage: never write it directly.
     */
    public PartitionLog log() {
        return log;
    }

    public long groupId() {
        return groupId;
    }

    // ---------------------------------------------------------------- compaction, retention (loop thread)

    /**
     * The controller compacts: {@code state} is its state machine as of {@code newStart} (an
     * entry boundary no later than what it applied). Readers see the new start and snapshot at
     * once; the snapshot is then stored in the node store (synced) and the log's prefix deleted
     * on the disk worker, which the returned future waits for. Only the current snapshot stays
     * readable ({@link #readSnapshot}). A start at or below the current one, or a call while a
     * snapshot install is being persisted (which moves the start past it), changes nothing.
     */
    public CompletableFuture<Void> compact(long newStart, byte[] state) {
        if (installing || newStart <= base.start()) {
            return CompletableFuture.completedFuture(null);
        }
        long end = log.endOffset();
        if (newStart > end) {
            throw new IllegalArgumentException("cannot compact group " + groupId + " to offset " + newStart
                    + ": its log ends at " + end);
        }
        long entryBase = newStart < end ? unchecked(() -> log.batchBaseOffset(newStart)) : newStart;
        if (entryBase != newStart) {
            throw new IllegalArgumentException("cannot compact group " + groupId + " to offset " + newStart
                    + ": it lies inside the entry starting at " + entryBase + "; compaction must fall on an entry"
                    + " boundary");
        }
        return moveStart(newStart, state.clone());
    }

    /**
     * A data partition applies its retention (the log's current {@link LogConfig#retentionMs()}
     * and {@link LogConfig#retentionBytes()}): whole sealed segments go, none holding an offset
     * at or past {@code maxDeletableOffset} (pass what the replica has applied, which is
     * committed). {@code stateAtBound} is asked only if the start moves: the snapshot state that
     * stands for every entry below the bound (so for those below the new start too), which a
     * restart or a follower installing the snapshot rebuilds from. The new start (and the
     * membership in force there) is announced at once; the future completes once the snapshot
     * is stored and the segments are deleted. Nothing happens while a snapshot install is being
     * persisted.
     *
     * @throws IllegalStateException for the controller, whose entries only a snapshot may replace
     */
    public CompletableFuture<Void> applyRetention(long maxDeletableOffset, Supplier<byte[]> stateAtBound) {
        if (!dataPartition) {
            throw new IllegalStateException("group " + groupId + " keeps its state in snapshots: compact it with a"
                    + " snapshot instead of deleting entries by retention");
        }
        long newStart = log.retentionStart(maxDeletableOffset);
        if (installing || newStart <= base.start()) {
            return CompletableFuture.completedFuture(null);
        }
        return moveStart(newStart, stateAtBound.get());
    }

    /** Announces the new start to readers; the disk worker records it and deletes below it. */
    private CompletableFuture<Void> moveStart(long newStart, byte[] state) {
        base = new LogBase(newStart, unchecked(() -> log.termAt(newStart - 1)), membershipAt(newStart), state);
        return onDisk(() -> {
            recordStart();
            return null;
        });
    }

    /** The membership in force at {@code offset}: set by the newest membership entry below it. */
    private Membership membershipAt(long offset) {
        LogBase b = base;
        Membership inForce = b.membership();
        for (MembershipEntry e : memberships) {
            if (e.offset() >= b.start() && e.offset() < offset) {
                inForce = e.membership();
            }
        }
        return inForce;
    }

    /**
     * Disk worker: makes the announced start durable (snapshot, then membership file), then
     * deletes the log's prefix below it. Later moves are folded in: this records the newest.
     */
    private void recordStart() throws IOException {
        LogBase target = base;
        if (target.start() <= durableBase.start()) {
            return;
        }
        GroupSnapshot.put(node.store(), groupId, target);
        List<MembershipEntry> kept = memberships.stream().filter(e -> e.offset() >= target.start()).toList();
        MembershipFile.write(groupDir, target, kept);
        durableBase = target;
        memberships = kept;
        log.deletePrefix(target.start());
    }

    // ---------------------------------------------------------------- writes (LogPersistence)

    /**
     * Starts the log writes of {@code ready} in the order {@link Ready} gives (snapshot chunk
     * and install, truncation, appends); the future completes once they are durable. Loop thread.
     */
    CompletableFuture<Void> write(Ready ready) throws IOException {
        boolean waitsForDisk = ready.snapshotChunk() != null || ready.truncateFrom() >= 0
                || ready.entries().stream().anyMatch(e -> e.type() == Entry.Type.MEMBERSHIP);
        if (!waitsForDisk && diskActions.get() == 0) {
            append(ready.entries()); // page-cache writes; group commit fsyncs them on its own threads
            return whenDurable();
        }
        if (ready.installsSnapshot()) {
            installing = true;
        }
        return onDisk(() -> {
            if (ready.snapshotChunk() != null) {
                receive(ready.snapshotChunk());
            }
            if (ready.truncateFrom() >= 0) {
                truncateFrom(ready.truncateFrom());
            }
            append(ready.entries());
            return null;
        }).thenCompose(written -> whenDurable());
    }

    private CompletableFuture<Void> whenDurable() {
        return node.work().whenDurable(log, log.endOffset()).thenApply(flushed -> null);
    }

    /**
     * Keeps {@code next} as the hard state (null: unchanged) and returns when it is durable.
     * Loop thread. Only a new term or vote is written and waited for: a member must never
     * forget those, or it could vote twice in a term. The commit end alone is a hint (a
     * restarted member takes min(commit end, log end) and learns the real one from the leader;
     * a lower one only delays applying), so a change of it alone is kept in memory and written
     * with the next term or vote, or at {@link #close}. The end of a recovery deletes the
     * group's {@link RecoveryMarker} on the disk worker, without waiting: the member asks only
     * once what it recovered is durable, and a marker a crash leaves behind only makes it
     * recover again.
     */
    CompletableFuture<Void> saveHardState(HardState next) {
        if (next == null) {
            return CompletableFuture.completedFuture(null);
        }
        hardState = next;
        if (recoveryRecorded && !next.recovering()) {
            recoveryRecorded = false;
            long heldTo = log.endOffset();
            onDisk(() -> {
                RecoveryMarker.clear(groupDir);
                node.damages().recovered(groupId, heldTo);
                return null;
            });
        }
        if (!HardStates.termOrVoteChanged(storedHardState, next)) {
            return CompletableFuture.completedFuture(null);
        }
        storedHardState = next;
        return node.work().writeHardState(groupId, HardStates.toStore(next));
    }

    /** Disk worker, or the loop thread when no disk work is queued. */
    private void append(List<Entry> entries) throws IOException {
        List<MembershipEntry> added = new ArrayList<>();
        for (Entry e : entries) {
            if (e.type() == Entry.Type.MEMBERSHIP) {
                added.add(new MembershipEntry(e.baseOffset(), Membership.decode(e.payload())));
            }
        }
        if (!added.isEmpty()) {
            // Recorded before the append: the file may list an entry the log lacks, never the reverse.
            List<MembershipEntry> grown = new ArrayList<>(memberships);
            grown.addAll(added);
            MembershipFile.write(groupDir, durableBase, grown);
            memberships = List.copyOf(grown);
        }
        long now = clockMs.getAsLong();
        for (Entry e : entries) {
            log.append(EntryBatches.toBatch(e, now));
        }
    }

    /** Disk worker: removes every entry at or after {@code offset}, durably, then from the membership file. */
    private void truncateFrom(long offset) throws IOException {
        if (offset < base.start()) {
            throw new IllegalStateException("cannot truncate group " + groupId + "'s log from " + offset
                    + ": it starts at " + base.start());
        }
        log.truncateSuffix(offset);
        List<MembershipEntry> kept = memberships.stream().filter(e -> e.offset() < offset).toList();
        if (kept.size() != memberships.size()) {
            MembershipFile.write(groupDir, durableBase, kept);
            memberships = kept;
        }
    }

    /** Disk worker: writes a snapshot chunk, and installs the snapshot with its last one. */
    private void receive(SnapshotChunk chunk) throws IOException {
        Snapshot snapshot = chunk.snapshot();
        incoming.write(chunk);
        if (chunk.last()) {
            install(new LogBase(snapshot.end(), snapshot.term(), snapshot.membership(), incoming.take()));
        }
    }

    /** Disk worker: the log becomes empty from the snapshot's end, recorded first (see the class comment). */
    private void install(LogBase next) throws IOException {
        GroupSnapshot.put(node.store(), groupId, next);
        MembershipFile.write(groupDir, next, List.of());
        log.resetTo(next.start(), next.termBefore());
        durableBase = next;
        memberships = List.of();
        base = next;
        installing = false;
    }

    /** Runs {@code action} on the group's disk worker, behind its earlier actions. Loop thread. */
    private <T> CompletableFuture<T> onDisk(DiskWork.IoAction<T> action) {
        diskActions.incrementAndGet();
        CompletableFuture<T> result;
        try {
            result = node.work().run(groupId, () -> {
                try {
                    return action.run();
                } finally {
                    diskActions.decrementAndGet();
                }
            });
        } catch (RuntimeException e) {
            diskActions.decrementAndGet();
            throw e;
        }
        lastDiskAction = result;
        return result;
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Waits for the group's disk work, writes a hard state whose commit end alone changed, and
     * closes the log. Call once the group left its driver (its write in flight has landed). Idempotent.
     */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        lastDiskAction.exceptionally(failed -> null).join();
        try {
            HardState latest = hardState;
            if (!latest.equals(storedHardState)) {
                node.store().putHardState(groupId, HardStates.toStore(latest));
                storedHardState = latest;
            }
        } finally {
            node.work().release(log);
            try {
                incoming.discard();
            } finally {
                log.close();
            }
        }
    }

    /** Closes the storage and deletes the group's data (its topic was deleted, or it left the group): see {@link #deleteGroupData}. */
    public void delete() throws IOException {
        close();
        deleteGroupData(groupId, groupDir, node.store());
    }

    /**
     * Deletes group {@code groupId}'s directory and its node-store keys (hard state, snapshot,
     * producer state), for a group that is closed and gone for good. The directory is first
     * renamed aside, atomically, so a crash part-way never leaves something that opens as the
     * group with its hard state missing; calling this again finishes such a deletion.
     */
    public static void deleteGroupData(long groupId, Path groupDir, NodeStore store) throws IOException {
        Path doomed = groupDir.resolveSibling(groupDir.getFileName() + ".deleted");
        if (Files.exists(groupDir)) {
            deleteTree(doomed); // an earlier deletion's, cut short
            Files.move(groupDir, doomed, StandardCopyOption.ATOMIC_MOVE);
            DurableFiles.syncDirectory(groupDir.toAbsolutePath().getParent());
        }
        store.write(keys -> keys.deleteHardState(groupId).deleteSnapshot(groupId).deleteProducerStates(groupId));
        deleteTree(doomed);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    @Override
    public String toString() {
        return "LogStorage[group " + groupId + ", " + groupDir + ", offsets " + base.start() + ".." + log.endOffset()
                + "]";
    }
}
