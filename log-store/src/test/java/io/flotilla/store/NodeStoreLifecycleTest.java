package io.flotilla.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class NodeStoreLifecycleTest {

    @TempDir
    Path temp;

    record Operation(String name, Consumer<NodeStore> call) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Operation> everyOperation() {
        HardState hardState = new HardState(1, 1, 1, 1);
        CommittedOffset offset = new CommittedOffset(1, "", 1);
        ProducerState producer = new ProducerState((short) 1, List.of());
        return List.of(
                new Operation("hardState", s -> s.hardState(1)),
                new Operation("putHardState", s -> s.putHardState(1, hardState)),
                new Operation("snapshot", s -> s.snapshot(1)),
                new Operation("putSnapshot", s -> s.putSnapshot(1, new SnapshotMeta(1, 1), new byte[0])),
                new Operation("deleteSnapshot", s -> s.deleteSnapshot(1)),
                new Operation("committedOffset", s -> s.committedOffset("g", "t", 0)),
                new Operation("committedOffsets", s -> s.committedOffsets("g")),
                new Operation("putCommittedOffset", s -> s.putCommittedOffset("g", "t", 0, offset)),
                new Operation("deleteConsumerGroup", s -> s.deleteConsumerGroup("g")),
                new Operation("producerState", s -> s.producerState(1, 1)),
                new Operation("producerStates", s -> s.producerStates(1)),
                new Operation("putProducerState", s -> s.putProducerState(1, 1, producer)),
                new Operation("deleteProducerStates", s -> s.deleteProducerStates(1)),
                new Operation("write", s -> s.write(batch -> batch.putHardState(1, hardState))),
                new Operation("checkpoint", s -> s.checkpoint(s.dir().resolveSibling("checkpoint"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyOperation")
    void operationAfterCloseIsRejected(Operation operation) {
        Path dir = temp.resolve("store");
        NodeStore store = NodeStore.open(dir);
        store.close();

        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> operation.call().accept(store));

        assertEquals("node store at " + dir + " is closed", thrown.getMessage());
        assertTrue(Files.notExists(dir.resolveSibling("checkpoint")));
    }

    @Test
    void closeIsIdempotent() {
        NodeStore store = NodeStore.open(temp);
        store.close();
        store.close();
        assertThrows(IllegalStateException.class, () -> store.hardState(1));
    }

    @Test
    void openCreatesMissingParentsAndExposesTheAbsoluteDir() {
        Path nested = temp.resolve("a").resolve("b");
        try (NodeStore store = NodeStore.open(nested)) {
            assertEquals(nested.toAbsolutePath(), store.dir());
            store.putHardState(1, new HardState(1, 1, 1, 1));
        }
        try (NodeStore reopened = NodeStore.open(nested)) {
            assertEquals(Optional.of(new HardState(1, 1, 1, 1)), reopened.hardState(1));
        }
    }

    @Test
    void secondOpenOfTheSameDirFailsWithTheDirNamed() {
        try (NodeStore store = NodeStore.open(temp)) {
            NodeStoreException thrown = assertThrows(NodeStoreException.class, () -> NodeStore.open(temp));

            assertTrue(thrown.getMessage().startsWith("open failed for node store at " + temp + ": "),
                    thrown.getMessage());
            store.putHardState(1, new HardState(1, 1, 1, 1));
            assertEquals(Optional.of(new HardState(1, 1, 1, 1)), store.hardState(1));
        }
    }

    @Test
    void openOnARegularFileFailsWithThePathNamed() throws Exception {
        Path file = Files.writeString(temp.resolve("not-a-dir"), "x");

        NodeStoreException thrown = assertThrows(NodeStoreException.class, () -> NodeStore.open(file));

        assertTrue(thrown.getMessage().startsWith("creating directory for node store at " + file + " failed"),
                thrown.getMessage());
        assertEquals("x", Files.readString(file));
    }
}
