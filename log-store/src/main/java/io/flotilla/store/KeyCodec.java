package io.flotilla.store;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.function.Function;

/**
 * Key layouts. Numbers are fixed-width big-endian and are never negative, so unsigned byte order (RocksDB's
 * default comparator) equals numeric order. Names carry a one-byte length prefix, so a key's group can never
 * be confused with a longer group sharing its bytes ("a" vs "ab") and a group's keys form one contiguous range.
 * The price is that names sort by UTF-8 length first, then bytewise.
 *
 * <pre>
 * hard-state, snapshot: groupId:i64
 * consumer-offset:      groupLen:u8 group:utf8 topicLen:u8 topic:utf8 partition:i32
 * producer-state:       partitionGroupId:i64 producerId:i64
 * </pre>
 */
final class KeyCodec {

    /** Longest group or topic name, in UTF-8 bytes; the limit of the one-byte length prefix. */
    static final int MAX_NAME_BYTES = 255;

    private KeyCodec() {
    }

    static byte[] groupKey(long groupId) {
        return id("group id", groupId);
    }

    static byte[] offsetKey(String group, String topic, int partition) {
        byte[] groupPrefix = offsetGroupPrefix(group);
        byte[] topicBytes = name("topic name", topic);
        Checks.nonNegative("partition", partition);
        return ByteBuffer.allocate(groupPrefix.length + 1 + topicBytes.length + Integer.BYTES)
                .put(groupPrefix)
                .put((byte) topicBytes.length).put(topicBytes)
                .putInt(partition)
                .array();
    }

    static byte[] offsetGroupPrefix(String group) {
        byte[] groupBytes = name("consumer group name", group);
        return ByteBuffer.allocate(1 + groupBytes.length).put((byte) groupBytes.length).put(groupBytes).array();
    }

    static byte[] producerKey(long partitionGroupId, long producerId) {
        byte[] partitionGroupPrefix = producerPrefix(partitionGroupId);
        Checks.nonNegative("producer id", producerId);
        return ByteBuffer.allocate(2 * Long.BYTES).put(partitionGroupPrefix).putLong(producerId).array();
    }

    static byte[] producerPrefix(long partitionGroupId) {
        return id("partition group id", partitionGroupId);
    }

    static OffsetKey decodeOffsetKey(byte[] key) {
        return decode(Family.CONSUMER_OFFSET, key, in -> {
            String group = readName(in);
            String topic = readName(in);
            return new OffsetKey(group, topic, (int) Checks.nonNegative("partition", in.getInt()));
        });
    }

    static long decodeProducerId(byte[] key) {
        return decode(Family.PRODUCER_STATE, key, in -> {
            in.getLong();
            return in.getLong();
        });
    }

    /**
     * The smallest key greater than every key starting with {@code prefix}, as the exclusive end of a range
     * delete. It always exists for our prefixes: they start with a non-negative long or a name length, and a
     * name length of 255 is followed by UTF-8 bytes, which are never 0xFF.
     */
    static byte[] prefixEnd(byte[] prefix) {
        for (int i = prefix.length - 1; i >= 0; i--) {
            if (prefix[i] != (byte) 0xFF) {
                byte[] end = Arrays.copyOf(prefix, i + 1);
                end[i]++;
                return end;
            }
        }
        throw new IllegalArgumentException("prefix " + hex(prefix) + " has no upper bound");
    }

    static boolean hasPrefix(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    static String describeGroupKey(byte[] key) {
        return "group " + decode(Family.HARD_STATE, key, ByteBuffer::getLong);
    }

    static String describeOffsetKey(byte[] key) {
        return decodeOffsetKey(key).toString();
    }

    static String describeProducerKey(byte[] key) {
        return decode(Family.PRODUCER_STATE, key,
                in -> "partition group " + in.getLong() + " producer " + in.getLong());
    }

    static String hex(byte[] bytes) {
        return "0x" + HexFormat.of().formatHex(bytes);
    }

    private static byte[] id(String what, long id) {
        Checks.nonNegative(what, id);
        return ByteBuffer.allocate(Long.BYTES).putLong(id).array();
    }

    private static byte[] name(String what, String name) {
        Objects.requireNonNull(name, what);
        byte[] bytes = Utf8.encode(what, name);
        if (bytes.length == 0 || bytes.length > MAX_NAME_BYTES) {
            throw new IllegalArgumentException(what + " must be 1.." + MAX_NAME_BYTES
                    + " bytes of UTF-8, got " + bytes.length + " bytes: '" + name + "'");
        }
        return bytes;
    }

    private static String readName(ByteBuffer in) {
        int length = Byte.toUnsignedInt(in.get());
        if (length == 0) {
            throw new IllegalArgumentException("empty name");
        }
        return Utf8.read(in, length);
    }

    private static <T> T decode(Family family, byte[] key, Function<ByteBuffer, T> reader) {
        try {
            return Decoding.readFully(key, reader);
        } catch (IllegalArgumentException e) {
            throw new NodeStoreException(
                    "corrupt key " + hex(key) + " in column family '" + family + "': " + e.getMessage(), e);
        }
    }
}
