package io.flotilla.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Kafka's murmur2 and key partitioning. The expected hashes are the test vectors of Kafka's
 * UtilsTest.testMurmur2 (apache/kafka, clients/src/test/java/org/apache/kafka/common/utils);
 * they were also recomputed with an independent script written from MurmurHash2's definition
 * (seed 0x9747b28c, little-endian 4-byte blocks, tail, final mix), as were the empty key and
 * the partitions below, which are (hash & 0x7fffffff) % count worked out from those hashes.
 */
class Murmur2Test {

    @Test
    void matchesKafkasTestVectors() {
        assertEquals(-973932308, hash("21"));
        assertEquals(-790332482, hash("foobar"));
        assertEquals(-985981536, hash("a-little-bit-long-string"));
        assertEquals(-1486304829, hash("a-little-bit-longer-string"));
        assertEquals(-58897971, hash("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"));
        assertEquals(479470107, Murmur2.hash(new byte[] {'a', 'b', 'c'}));
    }

    @Test
    void coversEveryTailLength() {
        assertEquals(275646681, hash(""));
        assertEquals(-1993445489, hash("1"));
        assertEquals(126087238, hash("12"));
        assertEquals(-267702483, hash("123"));
        assertEquals(-1614185708, hash("1234"));
        assertEquals(-1188365604, hash("12345"));
    }

    @Test
    void partitionsAsKafkasDefaultPartitioner() {
        // -973932308 & 0x7fffffff = 1173551340 = 6 * 195591890 = 7 * 167650191 + 3
        assertEquals(0, partition("21", 6));
        assertEquals(3, partition("21", 7));
        // -1486304829 & 0x7fffffff = 661178819 = 6 * 110196469 + 5 = 7 * 94454117 + 0
        assertEquals(5, partition("a-little-bit-longer-string", 6));
        assertEquals(0, partition("a-little-bit-longer-string", 7));
        // 479470107 = 6 * 79911684 + 3 = 7 * 68495729 + 4
        assertEquals(3, partition("abc", 6));
        assertEquals(4, partition("abc", 7));
    }

    @Test
    void hashesOnlyTheBytesBetweenPositionAndLimitWithoutMovingThem() {
        ByteBuffer framed = ByteBuffer.wrap("xxfoobaryy".getBytes(StandardCharsets.US_ASCII), 2, 6);

        assertEquals(-790332482, Murmur2.hash(framed));
        assertEquals(2, framed.position());
        assertEquals(8, framed.limit());
    }

    private static int hash(String s) {
        return Murmur2.hash(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static int partition(String key, int count) {
        return Murmur2.partition(ByteBuffer.wrap(key.getBytes(StandardCharsets.US_ASCII)), count);
    }
}
