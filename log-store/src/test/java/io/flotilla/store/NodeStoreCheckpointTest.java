package io.flotilla.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeStoreCheckpointTest {

    @TempDir
    Path temp;

    private NodeStore store;

    @BeforeEach
    void open() {
        store = NodeStore.open(temp.resolve("live"));
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void checkpointHoldsDataAsOfTheCheckpointOnly() {
        HardState before = new HardState(1, 1, 1, 1);
        CommittedOffset offset = new CommittedOffset(10, "", 1);
        ProducerState producer = new ProducerState((short) 0, List.of(new BatchSequence(0, 1, 2)));
        store.putHardState(1, before);
        store.putSnapshot(1, new SnapshotMeta(1, 1), new byte[] {1});
        store.putCommittedOffset("g", "t", 0, offset);
        store.putProducerState(1, 1, producer);
        Path copy = temp.resolve("checkpoint");

        store.checkpoint(copy);
        store.putHardState(1, new HardState(2, 2, 2, 2));
        store.putHardState(2, before);
        store.deleteSnapshot(1);
        store.deleteConsumerGroup("g");
        store.putProducerState(1, 2, producer);

        try (NodeStore restored = NodeStore.open(copy)) {
            assertEquals(Optional.of(before), restored.hardState(1));
            assertEquals(Optional.empty(), restored.hardState(2));
            assertEquals(Optional.of(new StoredSnapshot(new SnapshotMeta(1, 1), new byte[] {1})),
                    restored.snapshot(1));
            assertEquals(Map.of(new TopicPartition("t", 0), offset), restored.committedOffsets("g"));
            assertEquals(Map.of(1L, producer), restored.producerStates(1));
        }
        assertEquals(Optional.of(new HardState(2, 2, 2, 2)), store.hardState(1));
        assertEquals(Optional.empty(), store.snapshot(1));
    }

    @Test
    void existingTargetIsRejectedAndLeftAlone() throws Exception {
        Path target = Files.createDirectory(temp.resolve("taken"));
        Files.writeString(target.resolve("keep.txt"), "mine");

        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                () -> store.checkpoint(target));

        assertEquals("checkpoint target " + target + " already exists", thrown.getMessage());
        try (var files = Files.list(target)) {
            assertEquals(List.of(target.resolve("keep.txt")), files.toList());
        }
    }

    @Test
    void missingParentFailsWithTheTargetNamed() {
        Path target = temp.resolve("no-such-parent").resolve("checkpoint");

        NodeStoreException thrown = assertThrows(NodeStoreException.class, () -> store.checkpoint(target));

        assertTrue(thrown.getMessage().startsWith("checkpoint to " + target + " failed for node store at "
                + temp.resolve("live")), thrown.getMessage());
    }
}
