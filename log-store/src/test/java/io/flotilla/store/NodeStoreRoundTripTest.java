package io.flotilla.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeStoreRoundTripTest {

    @TempDir
    Path dir;

    private NodeStore store;

    @BeforeEach
    void open() {
        store = NodeStore.open(dir);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void absentRecordsReadAsEmpty() {
        assertEquals(Optional.empty(), store.hardState(1));
        assertEquals(Optional.empty(), store.snapshot(1));
        assertEquals(Optional.empty(), store.committedOffset("g", "t", 0));
        assertEquals(Map.of(), store.committedOffsets("g"));
        assertEquals(Optional.empty(), store.producerState(1, 1));
        assertEquals(Map.of(), store.producerStates(1));
    }

    @Test
    void hardStateRoundTripsAndIsReplaced() {
        HardState voted = new HardState(3, 2, 17, 40);
        store.putHardState(9, voted);
        assertEquals(Optional.of(voted), store.hardState(9));

        HardState noVote = new HardState(4, HardState.NO_VOTE, 0, 41);
        store.putHardState(9, noVote);
        assertEquals(Optional.of(noVote), store.hardState(9));
        assertEquals(Optional.empty(), store.hardState(8));
    }

    @Test
    void extremeValuesRoundTrip() {
        HardState state = new HardState(Long.MAX_VALUE, Integer.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE);
        store.putHardState(Long.MAX_VALUE, state);
        assertEquals(Optional.of(state), store.hardState(Long.MAX_VALUE));
    }

    @Test
    void onlyTheLatestSnapshotIsKeptAndCanBeDeleted() {
        store.putSnapshot(5, new SnapshotMeta(100, 2), new byte[] {1, 2, 3});
        StoredSnapshot latest = new StoredSnapshot(new SnapshotMeta(200, 3), new byte[] {9, 8});
        store.putSnapshot(5, latest.meta(), latest.data());
        store.putSnapshot(6, new SnapshotMeta(7, 1), new byte[0]);

        assertEquals(Optional.of(latest), store.snapshot(5));
        assertEquals(Optional.of(new StoredSnapshot(new SnapshotMeta(7, 1), new byte[0])), store.snapshot(6));

        store.deleteSnapshot(5);
        assertEquals(Optional.empty(), store.snapshot(5));
        assertTrue(store.snapshot(6).isPresent());
    }

    @Test
    void committedOffsetRoundTripsWithUnicodeMetadata() {
        CommittedOffset offset = new CommittedOffset(42, "ünïcode ✓ 😀", 1_700_000_000_000L);
        store.putCommittedOffset("grp", "orders", 3, offset);
        assertEquals(Optional.of(offset), store.committedOffset("grp", "orders", 3));
        assertEquals(Optional.empty(), store.committedOffset("grp", "orders", 4));
    }

    @Test
    void committedOffsetsListInKeyOrder() {
        CommittedOffset offset = new CommittedOffset(1, "", 0);
        // Partition 10 after 1 catches textual number encoding; "t2" after "t" and "s" shows length-then-bytes order.
        store.putCommittedOffset("g", "t2", 0, offset);
        store.putCommittedOffset("g", "t", 10, offset);
        store.putCommittedOffset("g", "t", 1, offset);
        store.putCommittedOffset("g", "s", 2, offset);

        List<TopicPartition> listed = List.copyOf(store.committedOffsets("g").keySet());
        assertEquals(List.of(new TopicPartition("s", 2), new TopicPartition("t", 1),
                new TopicPartition("t", 10), new TopicPartition("t2", 0)), listed);
    }

    @Test
    void producerStateRoundTripsAndListsByProducerId() {
        ProducerState full = new ProducerState((short) 7, List.of(
                new BatchSequence(0, 9, 100), new BatchSequence(10, 19, 110), new BatchSequence(20, 29, 120),
                new BatchSequence(30, 39, 130), new BatchSequence(Integer.MAX_VALUE - 1, 3, 140)));
        ProducerState empty = new ProducerState((short) 0, List.of());
        store.putProducerState(4, 256, full);
        store.putProducerState(4, 3, empty);
        store.putProducerState(4, 1, full);

        assertEquals(Optional.of(full), store.producerState(4, 256));
        assertEquals(Optional.of(empty), store.producerState(4, 3));
        assertEquals(List.of(1L, 3L, 256L), List.copyOf(store.producerStates(4).keySet()));
        assertEquals(Map.of(1L, full, 3L, empty, 256L, full), store.producerStates(4));
    }

    @Test
    void everyKindSurvivesReopen() {
        HardState hardState = new HardState(2, 1, 1, 5);
        StoredSnapshot snapshot = new StoredSnapshot(new SnapshotMeta(5, 2), new byte[] {4});
        CommittedOffset offset = new CommittedOffset(8, "m", 99);
        ProducerState producer = new ProducerState((short) 1, List.of(new BatchSequence(0, 0, 8)));
        store.putHardState(1, hardState);
        store.putSnapshot(1, snapshot.meta(), snapshot.data());
        store.putCommittedOffset("g", "t", 0, offset);
        store.putProducerState(1, 77, producer);

        store.close();
        store = NodeStore.open(dir);

        assertEquals(Optional.of(hardState), store.hardState(1));
        assertEquals(Optional.of(snapshot), store.snapshot(1));
        assertEquals(Map.of(new TopicPartition("t", 0), offset), store.committedOffsets("g"));
        assertEquals(Optional.of(producer), store.producerState(1, 77));
    }

    @Test
    void batchDeletesSingleRecords() {
        ProducerState producer = new ProducerState((short) 1, List.of());
        CommittedOffset offset = new CommittedOffset(1, "", 1);
        store.write(batch -> batch
                .putHardState(1, new HardState(1, 1, 1, 1)).putHardState(2, new HardState(1, 1, 1, 1))
                .putCommittedOffset("g", "t", 0, offset).putCommittedOffset("g", "t", 1, offset)
                .putProducerState(1, 1, producer).putProducerState(1, 2, producer));

        store.write(batch -> batch.deleteHardState(1).deleteCommittedOffset("g", "t", 0).deleteProducerState(1, 1));

        assertEquals(Optional.empty(), store.hardState(1));
        assertTrue(store.hardState(2).isPresent());
        assertEquals(Map.of(new TopicPartition("t", 1), offset), store.committedOffsets("g"));
        assertEquals(Map.of(2L, producer), store.producerStates(1));
    }
}
