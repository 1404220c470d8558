package io.flotilla.store;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Value layouts. Every value starts with a format-version byte so a later layout can be introduced without
 * misreading old bytes; this build writes and reads only {@link #FORMAT_VERSION}. Numbers are big-endian.
 *
 * <pre>
 * hard-state:      v:u8 term:i64 votedForNodeId:i32 votedForIncarnation:i64 commitIndex:i64
 * snapshot:        v:u8 lastIncludedIndex:i64 lastIncludedTerm:i64 data:rest
 * consumer-offset: v:u8 offset:i64 commitTimestampMs:i64 metadataLen:i32 metadata:utf8
 * producer-state:  v:u8 epoch:i16 count:u8 count*(firstSequence:i32 lastSequence:i32 lastOffset:i64)
 * </pre>
 */
final class ValueCodec {

    static final byte FORMAT_VERSION = 1;

    private static final int BATCH_SEQUENCE_BYTES = 2 * Integer.BYTES + Long.BYTES;

    private ValueCodec() {
    }

    static byte[] encode(HardState state) {
        return start(3 * Long.BYTES + Integer.BYTES)
                .putLong(state.term())
                .putInt(state.votedForNodeId())
                .putLong(state.votedForIncarnation())
                .putLong(state.commitIndex())
                .array();
    }

    static HardState readHardState(ByteBuffer in) {
        return new HardState(in.getLong(), in.getInt(), in.getLong(), in.getLong());
    }

    static byte[] encode(SnapshotMeta meta, byte[] data) {
        return start(2 * Long.BYTES + data.length)
                .putLong(meta.lastIncludedIndex())
                .putLong(meta.lastIncludedTerm())
                .put(data)
                .array();
    }

    static StoredSnapshot readSnapshot(ByteBuffer in) {
        SnapshotMeta meta = new SnapshotMeta(in.getLong(), in.getLong());
        byte[] data = new byte[in.remaining()];
        in.get(data);
        return new StoredSnapshot(meta, data);
    }

    static byte[] encode(CommittedOffset offset) {
        byte[] metadata = Utf8.encode("offset metadata", offset.metadata());
        return start(2 * Long.BYTES + Integer.BYTES + metadata.length)
                .putLong(offset.offset())
                .putLong(offset.commitTimestampMs())
                .putInt(metadata.length)
                .put(metadata)
                .array();
    }

    static CommittedOffset readCommittedOffset(ByteBuffer in) {
        long offset = in.getLong();
        long commitTimestampMs = in.getLong();
        String metadata = Utf8.read(in, in.getInt());
        return new CommittedOffset(offset, metadata, commitTimestampMs);
    }

    static byte[] encode(ProducerState state) {
        List<BatchSequence> batches = state.recentBatches();
        ByteBuffer out = start(Short.BYTES + 1 + batches.size() * BATCH_SEQUENCE_BYTES)
                .putShort(state.producerEpoch())
                .put((byte) batches.size());
        for (BatchSequence batch : batches) {
            out.putInt(batch.firstSequence()).putInt(batch.lastSequence()).putLong(batch.lastOffset());
        }
        return out.array();
    }

    static ProducerState readProducerState(ByteBuffer in) {
        short epoch = in.getShort();
        int count = Byte.toUnsignedInt(in.get());
        // Checked before reading so a garbled count fails on the limit rather than on buffer underflow.
        if (count > ProducerState.MAX_RECENT_BATCHES) {
            throw new IllegalArgumentException("recent batch count " + count + " exceeds "
                    + ProducerState.MAX_RECENT_BATCHES);
        }
        List<BatchSequence> batches = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            batches.add(new BatchSequence(in.getInt(), in.getInt(), in.getLong()));
        }
        return new ProducerState(epoch, batches);
    }

    /**
     * Decodes a stored value with one of the {@code read*} methods.
     *
     * @throws NodeStoreException naming the column family, key and problem if the value is not a valid
     *                            version-{@value #FORMAT_VERSION} value
     */
    static <T> T decode(Family family, byte[] key, byte[] value, Function<ByteBuffer, T> reader) {
        try {
            return Decoding.readFully(value, in -> {
                byte version = in.get();
                if (version != FORMAT_VERSION) {
                    throw new IllegalArgumentException("unknown format version " + version
                            + " (this build reads version " + FORMAT_VERSION + ")");
                }
                return reader.apply(in);
            });
        } catch (IllegalArgumentException e) {
            throw new NodeStoreException("corrupt value in column family '" + family + "' for key "
                    + family.describe(key) + ": " + e.getMessage(), e);
        }
    }

    private static ByteBuffer start(int bodyBytes) {
        return ByteBuffer.allocate(1 + bodyBytes).put(FORMAT_VERSION);
    }
}
