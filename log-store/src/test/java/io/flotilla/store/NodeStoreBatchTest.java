package io.flotilla.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeStoreBatchTest {

    private static final HardState HARD_STATE = new HardState(1, 1, 1, 1);
    private static final CommittedOffset OFFSET = new CommittedOffset(1, "", 1);
    private static final ProducerState PRODUCER = new ProducerState((short) 1, List.of());

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
    void oneBatchWritesEveryKind() {
        store.write(batch -> batch
                .putHardState(1, HARD_STATE)
                .putSnapshot(1, new SnapshotMeta(1, 1), new byte[] {1})
                .putCommittedOffset("g", "t", 0, OFFSET)
                .putProducerState(1, 1, PRODUCER));

        assertEquals(Optional.of(HARD_STATE), store.hardState(1));
        assertTrue(store.snapshot(1).isPresent());
        assertEquals(Optional.of(OFFSET), store.committedOffset("g", "t", 0));
        assertEquals(Optional.of(PRODUCER), store.producerState(1, 1));
    }

    @Test
    void lambdaThrowingMidwayWritesNothing() throws Exception {
        store.putHardState(1, HARD_STATE);
        Map<String, Map<String, String>> before = RawStore.contents(dir);
        RuntimeException failure = new RuntimeException("raft step failed");

        RuntimeException thrown = assertThrows(RuntimeException.class, () -> store.write(batch -> {
            batch.putHardState(1, new HardState(2, 2, 2, 2));
            batch.putCommittedOffset("g", "t", 0, OFFSET);
            batch.deleteProducerStates(1);
            throw failure;
        }));

        assertSame(failure, thrown);
        assertEquals(before, RawStore.contents(dir));
        assertEquals(Optional.of(HARD_STATE), store.hardState(1));
    }

    @Test
    void invalidInputMidwayWritesNothing() throws Exception {
        Map<String, Map<String, String>> before = RawStore.contents(dir);
        List<BatchSequence> six = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            six.add(new BatchSequence(i, i, i));
        }

        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> store.write(batch -> {
            batch.putHardState(1, HARD_STATE);
            batch.putProducerState(1, 1, new ProducerState((short) 0, six));
        }));

        assertTrue(thrown.getMessage().contains("got 6"), thrown.getMessage());
        assertEquals(before, RawStore.contents(dir));
    }

    @Test
    void rejectedOperationStagesNothingButEarlierOperationsStay() {
        store.write(batch -> {
            batch.putHardState(1, HARD_STATE);
            assertThrows(IllegalArgumentException.class, () -> batch.putCommittedOffset("", "t", 0, OFFSET));
            batch.putHardState(2, HARD_STATE);
        });

        assertEquals(Optional.of(HARD_STATE), store.hardState(1));
        assertEquals(Optional.of(HARD_STATE), store.hardState(2));
    }

    @Test
    void operationsApplyInStagingOrder() {
        store.putCommittedOffset("g", "t", 0, OFFSET);
        store.putProducerState(1, 1, PRODUCER);
        CommittedOffset newer = new CommittedOffset(2, "", 2);

        store.write(batch -> batch
                .deleteConsumerGroup("g").putCommittedOffset("g", "t", 1, newer)
                .putProducerState(1, 2, PRODUCER).deleteProducerStates(1));

        assertEquals(Map.of(new TopicPartition("t", 1), newer), store.committedOffsets("g"));
        assertEquals(Map.of(), store.producerStates(1));
    }

    @Test
    void emptyBatchIsANoOp() throws Exception {
        Map<String, Map<String, String>> before = RawStore.contents(dir);
        store.write(batch -> { });
        assertEquals(before, RawStore.contents(dir));
    }

    @Test
    void batchUsedAfterWriteReturnsIsRejected() {
        AtomicReference<StoreBatch> escaped = new AtomicReference<>();
        store.write(escaped::set);

        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> escaped.get().putHardState(1, HARD_STATE));

        assertEquals("store batch used after its NodeStore.write call returned", thrown.getMessage());
        assertEquals(Optional.empty(), store.hardState(1));
    }
}
