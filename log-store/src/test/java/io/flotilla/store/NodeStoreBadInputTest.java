package io.flotilla.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every rejected argument names the offending value (or parameter, for nulls) and leaves the store unchanged. */
class NodeStoreBadInputTest {

    private static final HardState HARD_STATE = new HardState(1, 1, 1, 1);
    private static final SnapshotMeta META = new SnapshotMeta(1, 1);
    private static final CommittedOffset OFFSET = new CommittedOffset(1, "", 1);
    private static final BatchSequence BATCH = new BatchSequence(0, 0, 0);
    private static final ProducerState PRODUCER = new ProducerState((short) 1, List.of(BATCH));
    // 128 characters but 256 UTF-8 bytes: the limit is on bytes.
    private static final String NAME_256_BYTES = "é".repeat(128);

    @TempDir
    Path dir;

    private NodeStore store;

    record BadInput(String name, Class<? extends RuntimeException> type, String expected, Consumer<NodeStore> op) {
        @Override
        public String toString() {
            return name;
        }
    }

    @BeforeEach
    void openAndSeed() {
        store = NodeStore.open(dir);
        store.putHardState(1, HARD_STATE);
        store.putSnapshot(1, META, new byte[] {1});
        store.putCommittedOffset("g", "t", 0, OFFSET);
        store.putProducerState(1, 1, PRODUCER);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void isRejectedPreciselyAndChangesNothing(BadInput input) throws Exception {
        Map<String, Map<String, String>> before = RawStore.contents(dir);

        RuntimeException thrown = assertThrows(input.type(), () -> input.op().accept(store));

        assertTrue(thrown.getMessage() != null && thrown.getMessage().contains(input.expected()),
                () -> "message '" + thrown.getMessage() + "' should contain '" + input.expected() + "'");
        assertEquals(before, RawStore.contents(dir));
    }

    static List<BadInput> badInputs() {
        return List.of(
                illegal("negative group id on put", "group id must be >= 0, got -1",
                        s -> s.putHardState(-1, HARD_STATE)),
                illegal("negative group id on read", "group id must be >= 0, got -7", s -> s.hardState(-7)),
                illegal("negative group id on snapshot put", "group id must be >= 0, got -2",
                        s -> s.putSnapshot(-2, META, new byte[0])),
                illegal("minimum group id on snapshot delete", "got " + Long.MIN_VALUE,
                        s -> s.deleteSnapshot(Long.MIN_VALUE)),
                illegal("negative partition", "partition must be >= 0, got -3",
                        s -> s.putCommittedOffset("g", "t", -3, OFFSET)),
                illegal("empty group", "consumer group name must be 1..255 bytes of UTF-8, got 0 bytes: ''",
                        s -> s.putCommittedOffset("", "t", 0, OFFSET)),
                illegal("empty topic", "topic name must be 1..255 bytes of UTF-8, got 0 bytes: ''",
                        s -> s.committedOffset("g", "", 0)),
                illegal("256-byte group", "got 256 bytes: '" + NAME_256_BYTES + "'",
                        s -> s.putCommittedOffset(NAME_256_BYTES, "t", 0, OFFSET)),
                illegal("256-byte topic", "topic name must be 1..255 bytes of UTF-8, got 256 bytes: '"
                        + "t".repeat(256) + "'", s -> s.putCommittedOffset("g", "t".repeat(256), 0, OFFSET)),
                illegal("256-byte group listed", "got 256 bytes", s -> s.committedOffsets(NAME_256_BYTES)),
                illegal("empty group deleted", "got 0 bytes: ''", s -> s.deleteConsumerGroup("")),
                illegal("unpaired surrogate in group", "consumer group name is not valid Unicode "
                        + "(unpaired surrogate): 'g\uD800'", s -> s.putCommittedOffset("g\uD800", "t", 0, OFFSET)),
                illegal("unpaired surrogate in metadata", "offset metadata is not valid Unicode",
                        s -> s.putCommittedOffset("g", "t", 0, new CommittedOffset(2, "\uDC00", 1))),
                illegal("negative partition group id", "partition group id must be >= 0, got -4",
                        s -> s.putProducerState(-4, 1, PRODUCER)),
                illegal("negative producer id", "producer id must be >= 0, got -1", s -> s.producerState(1, -1)),
                illegal("negative partition group deleted", "partition group id must be >= 0, got -1",
                        s -> s.deleteProducerStates(-1)),
                illegal("six recent batches", "at most 5 recent batches are kept per producer, got 6",
                        s -> s.putProducerState(1, 1, new ProducerState((short) 1, Collections.nCopies(6, BATCH)))),
                illegal("negative producer epoch", "producerEpoch must be >= 0, got -1",
                        s -> s.putProducerState(1, 1, new ProducerState((short) -1, List.of()))),
                illegal("negative first sequence", "firstSequence must be >= 0, got -1",
                        s -> s.putProducerState(1, 1, withBatch(new BatchSequence(-1, 0, 0)))),
                illegal("negative batch offset", "lastOffset must be >= 0, got -9",
                        s -> s.putProducerState(1, 1, withBatch(new BatchSequence(0, 0, -9)))),
                illegal("negative committed offset", "offset must be >= 0, got -1",
                        s -> s.putCommittedOffset("g", "t", 0, new CommittedOffset(-1, "", 1))),
                illegal("negative commit timestamp", "commitTimestampMs must be >= 0, got -5",
                        s -> s.putCommittedOffset("g", "t", 0, new CommittedOffset(1, "", -5))),
                illegal("negative term", "term must be >= 0, got -1",
                        s -> s.putHardState(1, new HardState(-1, 1, 1, 1))),
                illegal("vote below NO_VOTE", "votedForNodeId must be >= 0 or NO_VOTE (-1), got -2",
                        s -> s.putHardState(1, new HardState(1, -2, 1, 1))),
                illegal("negative commit index", "commitIndex must be >= 0, got -3",
                        s -> s.putHardState(1, new HardState(1, 1, 1, -3))),
                illegal("negative snapshot index", "lastIncludedIndex must be >= 0, got -1",
                        s -> s.putSnapshot(1, new SnapshotMeta(-1, 1), new byte[0])),
                illegal("negative snapshot term", "lastIncludedTerm must be >= 0, got -8",
                        s -> s.putSnapshot(1, new SnapshotMeta(1, -8), new byte[0])),
                isNull("null hard state", "state", s -> s.putHardState(1, null)),
                isNull("null snapshot meta", "meta", s -> s.putSnapshot(1, null, new byte[0])),
                isNull("null snapshot data", "data", s -> s.putSnapshot(1, META, null)),
                isNull("null group", "consumer group name", s -> s.committedOffsets(null)),
                isNull("null topic", "topic name", s -> s.putCommittedOffset("g", null, 0, OFFSET)),
                isNull("null committed offset", "offset", s -> s.putCommittedOffset("g", "t", 0, null)),
                isNull("null metadata", "metadata",
                        s -> s.putCommittedOffset("g", "t", 0, new CommittedOffset(1, null, 1))),
                isNull("null producer state", "state", s -> s.putProducerState(1, 1, null)),
                isNull("null recent batches", "recentBatches",
                        s -> s.putProducerState(1, 1, new ProducerState((short) 1, null))),
                isNull("null recent batch element", "recentBatches[1]",
                        s -> s.putProducerState(1, 1, new ProducerState((short) 1, Arrays.asList(BATCH, null)))),
                isNull("null batch operations", "ops", s -> s.write(null)),
                isNull("null checkpoint target", "targetDir", s -> s.checkpoint(null)));
    }

    private static ProducerState withBatch(BatchSequence batch) {
        return new ProducerState((short) 1, List.of(batch));
    }

    private static BadInput illegal(String name, String expected, Consumer<NodeStore> op) {
        return new BadInput(name, IllegalArgumentException.class, expected, op);
    }

    private static BadInput isNull(String name, String expected, Consumer<NodeStore> op) {
        return new BadInput(name, NullPointerException.class, expected, op);
    }
}
