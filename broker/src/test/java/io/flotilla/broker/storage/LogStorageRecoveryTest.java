package io.flotilla.broker.storage;

import io.flotilla.log.CorruptLogException;
import io.flotilla.log.LogConfig;
import io.flotilla.log.record.RecordBatch;
import io.flotilla.raft.Entry;
import io.flotilla.raft.HardState;
import io.flotilla.raft.Membership;
import io.flotilla.raft.MembershipEntry;
import io.flotilla.raft.RaftConfig;
import io.flotilla.raft.RaftNode;
import io.flotilla.raft.Ready;
import io.flotilla.raft.Role;
import io.flotilla.raft.Snapshot;
import io.flotilla.raft.SnapshotChunk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static io.flotilla.broker.storage.TestEntries.appending;
import static io.flotilla.broker.storage.TestEntries.data;
import static io.flotilla.broker.storage.TestEntries.member;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a reopen finds after a crash between the steps of a write (the files are put in the
 * state the crash would leave), or after the disk damaged the log (the promise to recover is
 * recorded before the log is cut and survives restarts until the member recovered; a group
 * with no other member to recover from stays without a leader, its damaged bytes kept, until an
 * operator accepts the loss), and the lifecycle: creation, deletion, refusals.
 */
class LogStorageRecoveryTest {
    private static final long GROUP = 5;
    private static final Membership GROWN = StorageFixture.VOTERS.addLearner(member(4));
    private static final LogConfig VERIFY_ALL = StorageFixture.SMALL_SEGMENTS
            .withVerifyOnOpen(LogConfig.VerifyOnOpen.ALL);
    private static final int DAMAGED_ENTRIES = 40;

    @TempDir(factory = ScratchDirs.class)
    Path dir;

    private StorageFixture fixture;

    @BeforeEach
    void open() {
        fixture = new StorageFixture(dir);
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    /** Entries 0..9 of term 2, the one at 3 a membership change to {@link #GROWN}; closed. */
    private void writeTenEntries(boolean dataPartition) throws Exception {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            entries.add(i == 3 ? TestEntries.membership(i, 2, GROWN) : data(i, 2, List.of("value " + i)));
        }
        try (LogStorage storage = fixture.open(GROUP, dataPartition)) {
            Outcome.of(new LogPersistence(storage), appending(-1, entries, null)).awaitPersisted();
        }
    }

    @Test
    void aStartMoveRecordedButNotDoneIsFinishedKeepingTheEntriesAfterIt() throws Exception {
        writeTenEntries(true);
        // a retention to 5 that crashed after recording the move, before deleting
        LogBase moved = new LogBase(5, 2, GROWN, new byte[] {7, 7});
        GroupSnapshot.put(fixture.store, GROUP, moved);
        MembershipFile.write(fixture.groupDir(GROUP), moved, List.of());

        try (LogStorage storage = fixture.open(GROUP, true)) {
            assertEquals(5, storage.startOffset());
            assertEquals(5, storage.log().startOffset(), "the prefix is gone");
            assertEquals(10, storage.endOffset(), "the entries after the start stay");
            assertEquals(2, storage.termAt(4));
            assertEquals(GROWN, storage.snapshotMembership());
            assertEquals(List.of(new MembershipEntry(-1, GROWN)), storage.membershipHistory());
            assertEquals(ByteBuffer.wrap(new byte[] {7, 7}), storage.snapshotState(), "the state stored with it");
        }
    }

    @Test
    void anInstallRecordedButNotDoneIsFinishedWithAnEmptyLog() throws Exception {
        writeTenEntries(true);
        GroupSnapshot.put(fixture.store, GROUP, new LogBase(20, 3, StorageFixture.VOTERS, LogBase.NO_STATE));

        try (LogStorage storage = fixture.open(GROUP, true)) {
            assertEquals(20, storage.startOffset());
            assertEquals(20, storage.endOffset());
            assertEquals(3, storage.termBeforeStart());
            assertEquals(3, storage.termAt(19));
        }
    }

    @Test
    void aGroupSnapshotStoredBeforeACrashMovesTheStartAtOpen() throws Exception {
        writeTenEntries(false);
        byte[] state = {1, 2, 3, 4};
        // a compaction to 6 that crashed after storing its snapshot, before the membership file
        GroupSnapshot.put(fixture.store, GROUP, new LogBase(6, 2, GROWN, state));

        try (LogStorage storage = fixture.open(GROUP, false)) {
            assertEquals(6, storage.startOffset());
            assertEquals(6, storage.log().startOffset());
            assertEquals(GROWN, storage.snapshotMembership());
            assertEquals(ByteBuffer.wrap(state), storage.snapshotState());
            assertEquals(ByteBuffer.wrap(state), storage.readSnapshot(new Snapshot(6, 2, GROWN, 4), 0, 100));
        }
        assertEquals(6, MembershipFile.read(fixture.groupDir(GROUP)).orElseThrow().base().start(),
                "the membership file caught up");
    }

    @Test
    void membershipEntriesTheLogDoesNotHoldAreDroppedAtOpen() throws Exception {
        writeTenEntries(true);
        // recorded before an append that the crash lost
        MembershipFile.write(fixture.groupDir(GROUP), LogBase.initial(StorageFixture.VOTERS),
                List.of(new MembershipEntry(3, GROWN), new MembershipEntry(12, StorageFixture.VOTERS)));

        try (LogStorage storage = fixture.open(GROUP, true)) {
            assertEquals(List.of(new MembershipEntry(-1, StorageFixture.VOTERS), new MembershipEntry(3, GROWN)),
                    storage.membershipHistory());
        }
    }

    @ParameterizedTest(name = "data partition: {0}")
    @ValueSource(booleans = {false, true})
    void aTransferCutByARestartStartsOverAndInstallsWhole(boolean dataPartition) throws Exception {
        byte[] state = new byte[300];
        for (int i = 0; i < state.length; i++) {
            state[i] = (byte) i;
        }
        Snapshot snapshot = new Snapshot(40, 4, GROWN, state.length);
        try (LogStorage storage = fixture.open(GROUP, dataPartition)) {
            receive(storage, snapshot, state, 0, 100);
            assertTrue(Files.exists(fixture.groupDir(GROUP).resolve(IncomingSnapshot.NAME)));
        }
        assertFalse(Files.exists(fixture.groupDir(GROUP).resolve(IncomingSnapshot.NAME)), "a restart forgets it");
        try (LogStorage storage = fixture.open(GROUP, dataPartition)) {
            assertEquals(0, storage.startOffset(), "nothing was installed");
            receive(storage, snapshot, state, 0, 200);
            receive(storage, snapshot, state, 200, 100);
            assertEquals(40, storage.startOffset());
        }
        try (LogStorage storage = fixture.open(GROUP, dataPartition)) {
            assertEquals(40, storage.startOffset());
            assertEquals(4, storage.termBeforeStart());
            assertEquals(GROWN, storage.snapshotMembership());
            byte[] read = new byte[state.length];
            storage.snapshotState().get(read);
            assertArrayEquals(state, read);
        }
    }

    private static void receive(LogStorage storage, Snapshot snapshot, byte[] state, int position, int length)
            throws Exception {
        SnapshotChunk chunk = new SnapshotChunk(snapshot, position, ByteBuffer.wrap(state, position, length).slice());
        Ready ready = new Ready(List.of(), chunk, -1, List.of(), null, List.of(), List.of(), List.of());
        Outcome.of(new LogPersistence(storage), ready).awaitPersisted();
    }

    @Test
    void deleteRemovesTheDirectoryAndTheGroupsNodeStoreKeys() throws Exception {
        writeTenEntries(false);
        LogStorage storage = fixture.open(GROUP, false);
        Outcome.of(new LogPersistence(storage), appending(-1, List.of(), new HardState(3, member(1), 5)))
                .awaitPersisted();
        storage.compact(4, new byte[] {9}).get();

        storage.delete();

        assertFalse(Files.exists(fixture.groupDir(GROUP)));
        assertFalse(Files.exists(fixture.dir.resolve("group-" + GROUP + ".deleted")));
        assertTrue(fixture.store.hardState(GROUP).isEmpty());
        assertTrue(fixture.store.snapshot(GROUP).isEmpty());
        try (LogStorage fresh = fixture.open(GROUP, false)) {
            assertEquals(0, fresh.endOffset(), "the group can be created again, empty");
            assertEquals(HardState.INITIAL, fresh.hardState());
        }
    }

    @Test
    void aNewDirectoryIsRefusedWhileTheNodeStoreHoldsTheGroupsStateUntilTheDeletionIsFinished() throws Exception {
        fixture.store.putHardState(GROUP, HardStates.toStore(new HardState(4, member(2), 0)));

        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> fixture.open(GROUP, true));
        assertTrue(refused.getMessage().contains("deleteGroupData"), refused.getMessage());

        LogStorage.deleteGroupData(GROUP, fixture.groupDir(GROUP), fixture.store);
        try (LogStorage storage = fixture.open(GROUP, true)) {
            assertEquals(HardState.INITIAL, storage.hardState());
        }
    }

    @Test
    void aDirectoryWithFilesButNoMembershipHistoryIsRefused() throws IOException {
        Files.createDirectories(fixture.groupDir(GROUP).resolve("log"));

        assertThrows(CorruptLogException.class, () -> fixture.open(GROUP, true));
    }

    /** A damaged segment file and the first offset of the damaged batch. */
    private record Damaged(Path file, long offset) {
    }

    /** Entries 0..39 of term 2, all committed, closed; then a bit flipped in the first batch of a sealed segment. */
    private Damaged writeAndDamage(Membership members) throws Exception {
        return writeAndDamage(VERIFY_ALL, members);
    }

    private Damaged writeAndDamage(LogConfig config, Membership members) throws Exception {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < DAMAGED_ENTRIES; i++) {
            entries.add(data(i, 2, List.of("value " + i + " ".repeat(60))));
        }
        try (LogStorage storage = fixture.open(GROUP, config, members, true)) {
            Outcome.of(new LogPersistence(storage), appending(-1, entries, new HardState(2, null, DAMAGED_ENTRIES)))
                    .awaitPersisted();
        }
        Path sealed = segments().get(1);
        ByteBuffer header = ByteBuffer.allocate(RecordBatch.HEADER_BYTES);
        try (FileChannel ch = FileChannel.open(sealed, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.read(header, 0);
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, RecordBatch.HEADER_BYTES + 10);
            ch.write(one.put(0, (byte) (one.get(0) ^ 0x04)).rewind(), RecordBatch.HEADER_BYTES + 10);
        }
        return new Damaged(sealed, header.getLong(RecordBatch.BASE_OFFSET_OFFSET));
    }

    @Test
    void theLogIsCutBeforeTheDamageAndTheMemberRecoversToItsOldEndAcrossRestarts() throws Exception {
        Damaged damaged = writeAndDamage(StorageFixture.VOTERS);
        long lost = damaged.offset();

        try (LogStorage storage = fixture.open(GROUP, VERIFY_ALL, StorageFixture.VOTERS, true)) {
            assertEquals(lost, storage.endOffset(), "cut before the first bad batch");
            assertEquals(DAMAGED_ENTRIES, storage.hardState().recoveringTo(), "must hold its old end again");
            assertEquals(2, storage.hardState().term(), "the rest of the hard state is as it was");
            assertTrue(Files.readString(RecoveryMarker.path(fixture.groupDir(GROUP))).startsWith("recovering-to " + DAMAGED_ENTRIES + "\n"));
            List<StorageDamage> found = fixture.node.damages().all();
            assertEquals(1, found.size());
            assertEquals(damaged.file(), found.get(0).file());
            assertEquals(lost, found.get(0).firstLostOffset());
            assertTrue(Files.isDirectory(found.get(0).quarantine()));
        }

        try (LogStorage storage = fixture.open(GROUP, VERIFY_ALL, StorageFixture.VOTERS, true)) {
            assertEquals(DAMAGED_ENTRIES, storage.hardState().recoveringTo(), "a restart does not end the recovery");
            assertEquals(1, fixture.node.damages().all().size(), "and finds nothing new");

            List<Entry> again = new ArrayList<>();
            for (long i = lost; i < DAMAGED_ENTRIES; i++) {
                again.add(data(i, 2, List.of("value " + i)));
            }
            Outcome.of(new LogPersistence(storage), appending(-1, again, new HardState(2, null, DAMAGED_ENTRIES)))
                    .awaitPersisted(); // the member recovered: its next hard state says so
        }
        assertFalse(Files.exists(RecoveryMarker.path(fixture.groupDir(GROUP))), "the promise is kept and gone");
        assertTrue(fixture.node.damages().all().get(0).recovered());
        try (LogStorage storage = fixture.open(GROUP, VERIFY_ALL, StorageFixture.VOTERS, true)) {
            assertFalse(storage.hardState().recovering());
        }
    }

    @Test
    void aGroupWithNoOtherMemberStaysLeaderlessWithItsDamagedBytesKeptUntilTheOperatorAcceptsTheLoss()
            throws Exception {
        Membership alone = Membership.ofVoters(member(1));
        Damaged damaged = writeAndDamage(alone);

        try (LogStorage storage = fixture.open(GROUP, VERIFY_ALL, alone, true)) {
            RaftNode node = new RaftNode(GROUP, member(1), RaftConfig.DEFAULTS, storage, new SplittableRandom(1));
            for (int i = 0; i < 100; i++) {
                node.tick();
            }
            assertEquals(Role.FOLLOWER, node.role(), "it will not lead without what it lost");
            assertNull(node.leader());
            Path kept = fixture.node.damages().all().get(0).quarantine().resolve(damaged.file().getFileName());
            assertTrue(Files.size(kept) > 0, "the damaged segment is kept: " + kept);
        }

        Files.delete(RecoveryMarker.path(fixture.groupDir(GROUP))); // the operator accepts the loss
        try (LogStorage storage = fixture.open(GROUP, VERIFY_ALL, alone, true)) {
            RaftNode node = new RaftNode(GROUP, member(1), RaftConfig.DEFAULTS, storage, new SplittableRandom(1));
            for (int i = 0; i < 100 && node.role() != Role.LEADER; i++) {
                node.tick();
            }
            assertEquals(Role.LEADER, node.role());
            assertEquals(damaged.offset() + 1, node.logEnd(), "it leads with what it held, and its no-op");
        }
    }

    @Test
    void aRecoveryACrashInterruptedMidCutVerifiesEveryBatchAtTheNextOpen() throws Exception {
        // Every batch indexed: an open that trusts the indexes reads only each segment's last batch.
        LogConfig indexed = StorageFixture.SMALL_SEGMENTS.withIndexIntervalBytes(1);
        Damaged damaged = writeAndDamage(indexed, StorageFixture.VOTERS);
        // The cut got as far as recording the promise and deleting the clean-shutdown marker.
        Files.writeString(RecoveryMarker.path(fixture.groupDir(GROUP)), "recovering-to " + DAMAGED_ENTRIES + "\n");
        Files.delete(fixture.groupDir(GROUP).resolve("log").resolve(".clean-shutdown"));

        try (LogStorage storage = fixture.open(GROUP, indexed, StorageFixture.VOTERS, true)) {
            assertEquals(damaged.offset(), storage.endOffset(), "the damage in the sealed segment was found and cut");
            assertEquals(DAMAGED_ENTRIES, storage.hardState().recoveringTo());
            assertEquals(damaged.file(), fixture.node.damages().all().get(0).file());
        }
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(fixture.groupDir(GROUP).resolve("log"))) {
            List<Path> segments = files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList();
            assertTrue(segments.size() > 2, "sealed segments: " + segments);
            return segments;
        }
    }
}
