package io.flotilla.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.core.Gen;

/** Values round-trip, and every undecodable value or key is reported with its column family and key. */
class NodeStoreValueCodecTest {

    private static final byte[] GROUP_7 = KeyCodec.groupKey(7);

    @TempDir
    Path dir;

    @Test
    void producerStatesRoundTrip() {
        Gen<BatchSequence> batches = integers().between(0, Integer.MAX_VALUE)
                .zip(integers().between(0, Integer.MAX_VALUE), longs().between(0, Long.MAX_VALUE), BatchSequence::new);
        Gen<ProducerState> states = integers().between(0, Short.MAX_VALUE).zip(
                lists().of(batches).ofSizeBetween(0, ProducerState.MAX_RECENT_BATCHES),
                (epoch, recent) -> new ProducerState(epoch.shortValue(), recent));
        qt().withExamples(200).forAll(states).checkAssert(state -> assertEquals(state,
                decode(Family.PRODUCER_STATE, ValueCodec.encode(state), ValueCodec::readProducerState)));
    }

    @Test
    void committedOffsetsRoundTrip() {
        Gen<CommittedOffset> offsets = longs().between(0, Long.MAX_VALUE).zip(
                strings().betweenCodePoints(0, Character.MAX_CODE_POINT).ofLengthBetween(0, 40)
                        .map(text -> text.replaceAll("\\p{Cs}", "?")),
                longs().between(0, Long.MAX_VALUE), CommittedOffset::new);
        qt().withExamples(200).forAll(offsets).checkAssert(offset -> assertEquals(offset,
                decode(Family.CONSUMER_OFFSET, ValueCodec.encode(offset), ValueCodec::readCommittedOffset)));
    }

    @Test
    void unknownVersionIsNamedWithFamilyAndKey() {
        byte[] value = ValueCodec.encode(new HardState(1, 1, 1, 1));
        value[0] = 2;
        assertCorrupt("corrupt value in column family 'hard-state' for key group 7: "
                + "unknown format version 2 (this build reads version 1)", Family.HARD_STATE, GROUP_7, value);
    }

    @Test
    void shortEmptyAndOverlongValuesAreRejected() {
        byte[] valid = ValueCodec.encode(new HardState(1, 1, 1, 1));
        assertCorrupt("for key group 7: too short (28 bytes)",
                Family.HARD_STATE, GROUP_7, Arrays.copyOf(valid, valid.length - 1));
        assertCorrupt("for key group 7: too short (0 bytes)", Family.HARD_STATE, GROUP_7, new byte[0]);
        assertCorrupt("for key group 7: 2 unexpected trailing bytes",
                Family.HARD_STATE, GROUP_7, Arrays.copyOf(valid, valid.length + 2));
        assertCorrupt("'snapshot' for key group 7: too short (16 bytes)",
                Family.SNAPSHOT, GROUP_7, Arrays.copyOf(ValueCodec.encode(new SnapshotMeta(1, 1), new byte[0]), 16));
    }

    @Test
    void garbledFieldsAreRejected() {
        byte[] offsetKey = KeyCodec.offsetKey("g", "t", 3);
        ByteBuffer hugeMetadata = ByteBuffer.wrap(ValueCodec.encode(new CommittedOffset(1, "", 1)));
        hugeMetadata.putInt(17, 100);
        assertCorrupt("'consumer-offset' for key group 'g' topic 't' partition 3: string length 100 does not fit",
                Family.CONSUMER_OFFSET, offsetKey, hugeMetadata.array());

        byte[] badUtf8 = ValueCodec.encode(new CommittedOffset(1, "ab", 1));
        badUtf8[badUtf8.length - 1] = (byte) 0xFF;
        assertCorrupt("partition 3: string is not valid UTF-8", Family.CONSUMER_OFFSET, offsetKey, badUtf8);

        byte[] sevenBatches = ValueCodec.encode(new ProducerState((short) 1, List.of()));
        sevenBatches[3] = 7;
        assertCorrupt("'producer-state' for key partition group 3 producer 4: recent batch count 7 exceeds 5",
                Family.PRODUCER_STATE, KeyCodec.producerKey(3, 4), sevenBatches);

        byte[] negativeTerm = ValueCodec.encode(new HardState(0, 1, 1, 1));
        ByteBuffer.wrap(negativeTerm).putLong(1, -1);
        assertCorrupt("group 7: term must be >= 0, got -1", Family.HARD_STATE, GROUP_7, negativeTerm);
    }

    @Test
    void garbledKeyInAValueErrorIsShownInHex() {
        assertCorrupt("corrupt value in column family 'consumer-offset' for key 0x01ff: too short (0 bytes)",
                Family.CONSUMER_OFFSET, new byte[] {1, (byte) 0xFF}, new byte[0]);
    }

    @Test
    void storeReportsCorruptValuesAndKeysItReads() throws Exception {
        try (NodeStore store = NodeStore.open(dir)) {
            store.putCommittedOffset("g", "t", 0, new CommittedOffset(1, "", 1));
        }
        RawStore.put(dir, Family.HARD_STATE, GROUP_7, new byte[] {9});
        RawStore.put(dir, Family.CONSUMER_OFFSET, new byte[] {1, 'g', 5}, new byte[] {1});

        try (NodeStore store = NodeStore.open(dir)) {
            NodeStoreException value = assertThrows(NodeStoreException.class, () -> store.hardState(7));
            assertEquals("corrupt value in column family 'hard-state' for key group 7: "
                    + "unknown format version 9 (this build reads version 1)", value.getMessage());

            NodeStoreException key = assertThrows(NodeStoreException.class, () -> store.committedOffsets("g"));
            assertEquals("corrupt key 0x016705 in column family 'consumer-offset': "
                    + "string length 5 does not fit the 0 remaining bytes", key.getMessage());

            assertEquals(Optional.of(new CommittedOffset(1, "", 1)), store.committedOffset("g", "t", 0));
            assertEquals(Optional.empty(), store.hardState(8));
        }
    }

    private static <T> T decode(Family family, byte[] value, Function<ByteBuffer, T> reader) {
        return ValueCodec.decode(family, GROUP_7, value, reader);
    }

    private static void assertCorrupt(String expected, Family family, byte[] key, byte[] value) {
        Function<ByteBuffer, ?> reader = switch (family) {
            case HARD_STATE -> ValueCodec::readHardState;
            case SNAPSHOT -> ValueCodec::readSnapshot;
            case CONSUMER_OFFSET -> ValueCodec::readCommittedOffset;
            case PRODUCER_STATE -> ValueCodec::readProducerState;
        };
        NodeStoreException thrown = assertThrows(NodeStoreException.class,
                () -> ValueCodec.decode(family, key, value, reader));
        assertTrue(thrown.getMessage().contains(expected),
                () -> "message '" + thrown.getMessage() + "' should contain '" + expected + "'");
    }
}
