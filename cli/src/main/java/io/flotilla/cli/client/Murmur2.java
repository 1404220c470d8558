package io.flotilla.cli.client;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Kafka's key partitioning: the 32-bit MurmurHash2 of the key bytes with seed 0x9747b28c, made
 * non-negative by clearing the sign bit, modulo the partition count (broker.proto,
 * "Partitioning"). A key lands on the partition Kafka's default partitioner would choose.
 */
public final class Murmur2 {

    private static final int SEED = 0x9747b28c;
    private static final int M = 0x5bd1e995;
    private static final int R = 24;

    private Murmur2() {}

    /** The hash of the bytes between the buffer's position and limit; the buffer is not moved. */
    public static int hash(ByteBuffer data) {
        ByteBuffer le = data.slice().order(ByteOrder.LITTLE_ENDIAN);
        int length = le.remaining();
        int h = SEED ^ length;
        int blocks = length & ~3;
        for (int i = 0; i < blocks; i += 4) {
            int k = le.getInt(i);
            k *= M;
            k ^= k >>> R;
            k *= M;
            h *= M;
            h ^= k;
        }
        int tail = length & 3;
        if (tail == 3) {
            h ^= (le.get(blocks + 2) & 0xff) << 16;
        }
        if (tail >= 2) {
            h ^= (le.get(blocks + 1) & 0xff) << 8;
        }
        if (tail >= 1) {
            h ^= le.get(blocks) & 0xff;
            h *= M;
        }
        h ^= h >>> 13;
        h *= M;
        h ^= h >>> 15;
        return h;
    }

    public static int hash(byte[] data) {
        return hash(ByteBuffer.wrap(data));
    }

    /** The partition of a keyed record among {@code partitionCount}. */
    public static int partition(ByteBuffer key, int partitionCount) {
        return (hash(key) & 0x7fffffff) % partitionCount;
    }
}
