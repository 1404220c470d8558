package io.flotilla.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/** Key encodings sort like the documented key order, round-trip, and keep each group's keys in its own range. */
class NodeStoreKeyOrderPropertyTest {

    // One- to four-byte UTF-8 sequences; few distinct pieces so generated names often share prefixes.
    private static final List<String> PIECES = List.of("a", "b", "é", "€", "😀");

    private static final Comparator<String> NAME_ORDER = Comparator
            .<String>comparingInt(name -> utf8(name).length)
            .thenComparing((x, y) -> Arrays.compareUnsigned(utf8(x), utf8(y)));

    private static final Comparator<OffsetKey> OFFSET_KEY_ORDER = Comparator
            .comparing(OffsetKey::group, NAME_ORDER)
            .thenComparing(OffsetKey::topic, NAME_ORDER)
            .thenComparingInt(OffsetKey::partition);

    @Test
    void offsetKeysRoundTrip() {
        qt().withExamples(200).forAll(offsetKeys()).checkAssert(key ->
                assertEquals(key, KeyCodec.decodeOffsetKey(encode(key))));
    }

    @Test
    void offsetKeyBytesSortInKeyOrder() {
        qt().withExamples(200).forAll(offsetKeys(), offsetKeys()).checkAssert((x, y) ->
                assertEquals(Integer.signum(OFFSET_KEY_ORDER.compare(x, y)),
                        Integer.signum(Arrays.compareUnsigned(encode(x), encode(y))), x + " vs " + y));
    }

    @Test
    void aGroupsRangeHoldsExactlyItsKeys() {
        qt().withExamples(200).forAll(offsetKeys(), offsetKeys()).checkAssert((x, y) -> {
            byte[] start = KeyCodec.offsetGroupPrefix(x.group());
            byte[] end = KeyCodec.prefixEnd(start);
            byte[] key = encode(y);
            boolean inRange = Arrays.compareUnsigned(start, key) <= 0 && Arrays.compareUnsigned(key, end) < 0;
            assertEquals(x.group().equals(y.group()), inRange, x + " vs " + y);
            assertEquals(inRange, KeyCodec.hasPrefix(key, start), x + " vs " + y);
        });
    }

    @Test
    void producerKeyBytesSortNumericallyAndStayInTheirPartitionGroup() {
        Gen<ProducerKey> producerKeys = ids().zip(ids(), ProducerKey::new);
        qt().withExamples(200).forAll(producerKeys, producerKeys).checkAssert((x, y) -> {
            byte[] xKey = KeyCodec.producerKey(x.partitionGroup(), x.producer());
            byte[] yKey = KeyCodec.producerKey(y.partitionGroup(), y.producer());
            int expected = x.partitionGroup() != y.partitionGroup()
                    ? Long.compare(x.partitionGroup(), y.partitionGroup())
                    : Long.compare(x.producer(), y.producer());
            assertEquals(Integer.signum(expected), Integer.signum(Arrays.compareUnsigned(xKey, yKey)), x + " vs " + y);
            assertEquals(y.producer(), KeyCodec.decodeProducerId(yKey));
            byte[] start = KeyCodec.producerPrefix(x.partitionGroup());
            boolean inRange = Arrays.compareUnsigned(start, yKey) <= 0
                    && Arrays.compareUnsigned(yKey, KeyCodec.prefixEnd(start)) < 0;
            assertEquals(x.partitionGroup() == y.partitionGroup(), inRange, x + " vs " + y);
        });
    }

    @Test
    void theLongestNamesStillHaveARangeEnd() {
        String longest = "😀".repeat(63) + "aaa";
        byte[] prefix = KeyCodec.offsetGroupPrefix(longest);
        assertEquals((byte) 0xFF, prefix[0]);
        assertTrue(Arrays.compareUnsigned(KeyCodec.offsetKey(longest, longest, Integer.MAX_VALUE),
                KeyCodec.prefixEnd(prefix)) < 0);
    }

    private static Gen<OffsetKey> offsetKeys() {
        Gen<Integer> partitions = integers().between(0, 300).mix(integers().between(0, Integer.MAX_VALUE));
        return names().zip(names(), partitions, OffsetKey::new);
    }

    private static Gen<String> names() {
        return lists().of(Generate.pick(PIECES)).ofSizeBetween(1, 4).map(pieces -> String.join("", pieces));
    }

    private static Gen<Long> ids() {
        return longs().between(0, 300).mix(longs().between(0, Long.MAX_VALUE));
    }

    private record ProducerKey(long partitionGroup, long producer) {
    }

    private static byte[] encode(OffsetKey key) {
        return KeyCodec.offsetKey(key.group(), key.topic(), key.partition());
    }

    private static byte[] utf8(String name) {
        return name.getBytes(StandardCharsets.UTF_8);
    }
}
