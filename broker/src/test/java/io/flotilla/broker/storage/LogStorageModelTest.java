package io.flotilla.broker.storage;

import io.flotilla.log.LogConfig;
import io.flotilla.raft.Entry;
import io.flotilla.raft.HardState;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.Membership;
import io.flotilla.raft.MemoryStorage;
import io.flotilla.raft.Ready;
import io.flotilla.raft.Snapshot;
import io.flotilla.raft.SnapshotChunk;
import io.flotilla.store.NodeStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A model-based property test: {@link LogStorage} with {@link LogPersistence} and raft's
 * {@link MemoryStorage} (the reference) go through the same random sequence of Readies
 * (appends of data, no-op and membership entries with nondecreasing terms, truncations at
 * entry boundaries, hard states, snapshot installs in chunks, with restarts in the middle of a
 * transfer), compactions (retention, for a data partition), and
 * close + reopen; after every step every {@link io.flotilla.raft.RaftStorage} method must
 * answer as the model does. Prints its seed; a failure names its sequence's seed, to replay alone with
 * {@code -Dflotilla.seed=S -Dflotilla.storage.sequences=1}.
 */
class LogStorageModelTest {
    private static final int SEQUENCES = Integer.getInteger("flotilla.storage.sequences", 200);
    private static final int STEPS = 30;
    /** Small segments and a byte limit, so retention has segments to delete. */
    private static final LogConfig CONFIG = LogConfig.DEFAULTS.withSegmentBytes(1024).withRetention(-1, 1024);

    @TempDir(factory = ScratchDirs.class)
    Path dir;

    @Test
    void logStorageAnswersAsMemoryStorageDoesAfterEveryStepAndEveryReopen() throws Exception {
        long firstSeed = Long.getLong("flotilla.seed", new Random().nextLong());
        System.out.println("LogStorageModelTest: seed " + firstSeed + ", " + SEQUENCES + " sequences (replay:"
                + " -Dflotilla.seed=" + firstSeed + ")");
        Random seeds = new Random(firstSeed); // consecutive seeds would start java.util.Random alike
        int[] counts = new int[Step.values().length];
        try (NodeStore store = NodeStore.open(dir.resolve("node"));
             NodeStorage node = new NodeStorage(store, StorageConfig.DEFAULTS)) {
            for (int i = 0; i < SEQUENCES; i++) {
                long seed = i == 0 ? firstSeed : seeds.nextLong();
                try {
                    new Sequence(seed, node, dir.resolve("group-" + i), i, counts).run();
                } catch (Throwable e) {
                    throw new AssertionError("sequence " + i + " failed; replay it with -Dflotilla.seed=" + seed
                            + " -Dflotilla.storage.sequences=1", e);
                }
            }
        }
        StringBuilder summary = new StringBuilder("LogStorageModelTest: steps");
        for (Step step : Step.values()) {
            summary.append(' ').append(step.name().toLowerCase()).append(' ').append(counts[step.ordinal()]);
        }
        System.out.println(summary);
    }

    private enum Step { APPEND, HARD_STATE, INSTALL, COMPACT, RETENTION, REOPEN }

    private static final class Sequence {
        private final Random random;
        private final NodeStorage node;
        private final Path groupDir;
        private final long groupId;
        private final int[] counts;
        private final boolean dataPartition;
        private final Membership bootstrap;
        private final MemoryStorage model;
        private LogStorage storage;
        private LogPersistence persistence;
        private long term = 1;
        private HardState hardState = HardState.INITIAL;
        /** The controller's snapshot being sent in chunks, and how far; null when none is. */
        private Snapshot transfer;
        private byte[] transferBytes;
        private int transferred;
        private final List<CompletableFuture<Void>> moves = new ArrayList<>();

        Sequence(long seed, NodeStorage node, Path groupDir, long groupId, int[] counts) {
            this.random = new Random(seed);
            this.node = node;
            this.groupDir = groupDir;
            this.groupId = groupId;
            this.counts = counts;
            this.dataPartition = random.nextBoolean();
            this.bootstrap = randomMembership();
            this.model = new MemoryStorage(bootstrap);
        }

        void run() throws Exception {
            open();
            check();
            for (int i = 0; i < STEPS; i++) {
                Step step = pick();
                counts[step.ordinal()]++;
                switch (step) {
                    case APPEND -> append();
                    case HARD_STATE -> persist(new Ready(List.of(), -1, List.of(), nextHardState(), List.of(),
                            List.of()));
                    case INSTALL -> install();
                    case COMPACT -> compact();
                    case RETENTION -> retention();
                    case REOPEN -> reopen();
                }
                check();
            }
            for (CompletableFuture<Void> move : moves) {
                move.get(10, TimeUnit.SECONDS);
            }
            reopen();
            check();
            storage.delete();
        }

        private Step pick() {
            int roll = random.nextInt(100);
            if (roll < 50) {
                return Step.APPEND;
            } else if (roll < 60) {
                return Step.HARD_STATE;
            } else if (roll < 72) {
                return Step.INSTALL;
            } else if (roll < 82) {
                return Step.COMPACT;
            } else if (roll < 90) {
                return dataPartition ? Step.RETENTION : Step.COMPACT;
            }
            return Step.REOPEN;
        }

        private void open() throws Exception {
            storage = LogStorage.open(groupId, groupDir, CONFIG, node, bootstrap, dataPartition,
                    () -> 1_700_000_000_000L);
            persistence = new LogPersistence(storage);
        }

        private void reopen() throws Exception {
            storage.close();
            open();
            transfer = null; // a restarted member starts every snapshot transfer over
        }

        private void persist(Ready ready) throws Exception {
            model.persist(ready);
            Outcome.of(persistence, ready).awaitPersisted();
        }

        private void append() throws Exception {
            long truncateFrom = -1;
            List<Long> bases = entryBoundaries(model.startOffset());
            if (!bases.isEmpty() && random.nextInt(4) == 0) {
                truncateFrom = bases.get(random.nextInt(bases.size()));
            }
            long next = truncateFrom >= 0 ? truncateFrom : model.endOffset();
            if (random.nextInt(5) == 0) {
                term++;
            }
            List<Entry> entries = new ArrayList<>();
            for (int n = random.nextInt(5); n > 0; n--) {
                Entry e = randomEntry(next);
                entries.add(e);
                next = e.nextOffset();
            }
            persist(TestEntries.appending(truncateFrom, entries, random.nextInt(3) == 0 ? nextHardState() : null));
        }

        private Entry randomEntry(long offset) {
            int kind = random.nextInt(10);
            if (kind < 6) {
                List<String> values = new ArrayList<>();
                for (int i = 1 + random.nextInt(3); i > 0; i--) {
                    values.add("v" + Long.toHexString(random.nextLong()).repeat(random.nextInt(4)));
                }
                boolean stamped = random.nextBoolean(); // as from a leader; a proposal's are arbitrary
                ByteBuffer batch = stamped ? TestEntries.batch(offset, term, values)
                        : TestEntries.batch(random.nextInt(1000), random.nextInt(5), values);
                return new Entry(offset, values.size(), term, Entry.Type.DATA, batch);
            }
            return kind < 8 ? TestEntries.noop(offset, term) : TestEntries.membership(offset, term, randomMembership());
        }

        private HardState nextHardState() {
            boolean newTerm = random.nextInt(3) == 0;
            MemberId vote = random.nextBoolean() ? null : TestEntries.member(1 + random.nextInt(5));
            hardState = new HardState(hardState.term() + (newTerm ? 1 : 0), newTerm || random.nextBoolean() ? vote
                    : hardState.votedFor(), random.nextInt((int) model.endOffset() + 1));
            return hardState;
        }

        /** The next chunk of a snapshot transfer, starting one if none is going. */
        private void install() throws Exception {
            if (transfer != null && transfer.end() <= model.startOffset()) {
                transfer = null; // compacted past meanwhile: Raft installs only snapshots beyond its log start
            }
            if (transfer == null) {
                long end = model.startOffset() + 1 + random.nextInt((int) (model.endOffset() - model.startOffset()) + 3);
                term += random.nextInt(2);
                transferBytes = randomBytes(random.nextInt(300));
                transfer = new Snapshot(end, term, randomMembership(), transferBytes.length);
                transferred = 0;
            }
            int length = Math.min(transferBytes.length - transferred, random.nextInt(150));
            SnapshotChunk chunk = new SnapshotChunk(transfer, transferred, ByteBuffer.wrap(transferBytes, transferred,
                    length).slice());
            transferred += length;
            if (chunk.last()) {
                transfer = null;
            }
            persist(new Ready(List.of(), chunk, -1, List.of(), random.nextBoolean() ? nextHardState() : null,
                    List.of(), List.of(), List.of()));
        }

        private void compact() throws Exception {
            List<Long> bases = entryBoundaries(model.startOffset() + 1);
            bases.add(model.endOffset());
            long newStart = bases.get(random.nextInt(bases.size()));
            byte[] state = randomBytes(random.nextInt(200));
            model.compact(newStart, state.clone());
            moves.add(storage.compact(newStart, state));
        }

        /** Retention decides the new start itself; the model compacts to where it went, with the state given. */
        private void retention() {
            long bound = model.startOffset() + random.nextInt((int) (model.endOffset() - model.startOffset()) + 1);
            byte[] state = randomBytes(random.nextInt(200));
            moves.add(storage.applyRetention(bound, state::clone));
            long newStart = storage.startOffset();
            assertTrue(newStart <= bound || newStart == model.startOffset(), "retention moved the start to " + newStart
                    + ", past its bound " + bound);
            model.compact(newStart, state);
        }

        private List<Long> entryBoundaries(long from) {
            List<Long> bases = new ArrayList<>();
            for (Entry e : model.allEntries()) {
                if (e.baseOffset() >= from) {
                    bases.add(e.baseOffset());
                }
            }
            return bases;
        }

        private Membership randomMembership() {
            TreeSet<MemberId> voters = new TreeSet<>();
            TreeSet<MemberId> learners = new TreeSet<>();
            for (int id = 1; id <= 4; id++) {
                int role = random.nextInt(3);
                if (role == 1 || (id == 4 && voters.isEmpty())) {
                    voters.add(TestEntries.member(id));
                } else if (role == 2) {
                    learners.add(TestEntries.member(id));
                }
            }
            return new Membership(voters, learners);
        }

        private byte[] randomBytes(int length) {
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            return bytes;
        }

        private void check() {
            assertEquals(model.hardState(), storage.hardState(), "hard state");
            assertEquals(model.membershipHistory(), storage.membershipHistory(), "membership history");
            assertEquals(model.membership(), storage.membership(), "membership");
            long start = model.startOffset();
            long end = model.endOffset();
            assertEquals(start, storage.startOffset(), "start offset");
            assertEquals(end, storage.endOffset(), "end offset");
            assertEquals(model.termBeforeStart(), storage.termBeforeStart(), "term before start");
            for (long offset = start - 1; offset < end; offset++) {
                assertEquals(model.termAt(offset), storage.termAt(offset), "term at " + offset);
                if (offset >= start) {
                    assertEquals(model.entryBase(offset), storage.entryBase(offset), "entry base of " + offset);
                }
            }
            assertEquals(model.snapshotSize(), storage.snapshotSize(), "snapshot size");
            assertEquals(model.snapshotMembership(), storage.snapshotMembership(), "snapshot membership");
            Snapshot current = new Snapshot(start, model.termBeforeStart(), model.snapshotMembership(),
                    model.snapshotSize());
            int size = (int) current.sizeBytes();
            int position = random.nextInt(size + 1);
            int length = random.nextInt(size + 1);
            assertEquals(model.readSnapshot(current, position, length), storage.readSnapshot(current, position, length),
                    "snapshot bytes [" + position + ", +" + length + ")");
            List<Entry> all = model.allEntries();
            if (!all.isEmpty()) {
                assertEquals(stamped(all), storage.entries(start, Long.MAX_VALUE, Long.MAX_VALUE), "every entry");
                for (int i = 0; i < 3; i++) {
                    long from = all.get(random.nextInt(all.size())).baseOffset();
                    long to = from + random.nextInt((int) (end - from) + 2);
                    long maxBytes = random.nextInt(400);
                    assertEquals(stamped(model.entries(from, to, maxBytes)), storage.entries(from, to, maxBytes),
                            "entries(" + from + ", " + to + ", " + maxBytes + ")");
                }
            }
        }

        private static List<Entry> stamped(List<Entry> entries) {
            return entries.stream().map(TestEntries::stamped).toList();
        }
    }
}
