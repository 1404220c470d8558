package io.flotilla.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeStoreScanIsolationTest {

    private static final CommittedOffset OFFSET = new CommittedOffset(5, "", 1);
    private static final ProducerState PRODUCER = new ProducerState((short) 0, List.of());
    // 255 bytes: the longest name, whose length prefix is 0xFF, and its 254-byte prefix.
    private static final String LONGEST = "é".repeat(127) + "z";
    private static final String ALMOST_LONGEST = "é".repeat(127);

    @TempDir
    Path dir;

    private NodeStore store;

    @BeforeEach
    void open() {
        store = NodeStore.open(dir);
        // Concatenated without length prefixes, group "a" + topic "bc" and group "ab" + topic "c" would collide.
        store.putCommittedOffset("a", "bc", 0, OFFSET);
        store.putCommittedOffset("ab", "c", 0, OFFSET);
        store.putCommittedOffset("ab", "bc", 1, OFFSET);
        store.putCommittedOffset("b", "x", 0, OFFSET);
        store.putCommittedOffset(LONGEST, "x", 0, OFFSET);
        store.putCommittedOffset(LONGEST, "y", 0, OFFSET);
        store.putCommittedOffset(ALMOST_LONGEST, "x", 0, OFFSET);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void consumerGroupScanSeesOnlyItsOwnGroup() {
        assertEquals(Map.of(new TopicPartition("bc", 0), OFFSET), store.committedOffsets("a"));
        assertEquals(Map.of(new TopicPartition("c", 0), OFFSET, new TopicPartition("bc", 1), OFFSET),
                store.committedOffsets("ab"));
        assertEquals(Map.of(), store.committedOffsets("abc"));
        assertEquals(2, store.committedOffsets(LONGEST).size());
        assertEquals(1, store.committedOffsets(ALMOST_LONGEST).size());
    }

    @Test
    void listingGroupsNamesEachOnceByLengthThenBytes() {
        assertEquals(List.of("a", "b", "ab", ALMOST_LONGEST, LONGEST), store.consumerGroups());
        store.deleteConsumerGroup("ab");
        assertEquals(List.of("a", "b", ALMOST_LONGEST, LONGEST), store.consumerGroups());
    }

    @Test
    void deletingAGroupKeepsGroupsSharingItsPrefix() {
        store.deleteConsumerGroup("a");

        assertEquals(Map.of(), store.committedOffsets("a"));
        assertEquals(2, store.committedOffsets("ab").size());
        assertEquals(1, store.committedOffsets("b").size());
    }

    @Test
    void deletingTheLongestGroupNameKeepsOthers() {
        store.deleteConsumerGroup(LONGEST);

        assertEquals(Map.of(), store.committedOffsets(LONGEST));
        assertEquals(1, store.committedOffsets(ALMOST_LONGEST).size());
        assertEquals(1, store.committedOffsets("a").size());
        assertEquals(2, store.committedOffsets("ab").size());
        assertEquals(1, store.committedOffsets("b").size());
    }

    @Test
    void producerScanSeesOnlyItsPartitionGroup() {
        // 255 ends in 0xFF, so its range end carries into 256's prefix; Long.MAX_VALUE is the last group.
        for (long partitionGroup : new long[] {0, 1, 255, 256, Long.MAX_VALUE}) {
            store.putProducerState(partitionGroup, partitionGroup, PRODUCER);
            store.putProducerState(partitionGroup, Long.MAX_VALUE - partitionGroup, PRODUCER);
        }

        assertEquals(Map.of(255L, PRODUCER, Long.MAX_VALUE - 255, PRODUCER), store.producerStates(255));
        assertEquals(Map.of(0L, PRODUCER, Long.MAX_VALUE, PRODUCER), store.producerStates(0));
        assertEquals(Map.of(), store.producerStates(2));
    }

    @Test
    void deletingAPartitionGroupKeepsItsNeighbours() {
        for (long partitionGroup : new long[] {254, 255, 256, Long.MAX_VALUE - 1, Long.MAX_VALUE}) {
            store.putProducerState(partitionGroup, 1, PRODUCER);
            store.putProducerState(partitionGroup, Long.MAX_VALUE, PRODUCER);
        }

        store.deleteProducerStates(255);
        store.deleteProducerStates(Long.MAX_VALUE);

        assertEquals(Map.of(), store.producerStates(255));
        assertEquals(Map.of(), store.producerStates(Long.MAX_VALUE));
        for (long kept : new long[] {254, 256, Long.MAX_VALUE - 1}) {
            assertEquals(Map.of(1L, PRODUCER, Long.MAX_VALUE, PRODUCER), store.producerStates(kept));
        }
    }
}
