package io.flotilla.store;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Writes staged inside {@link NodeStore#write}; they reach the store together, or not at all.
 *
 * <p>Operations apply in the order they are staged, so a put staged after a delete covering the same key wins.
 * Arguments are validated when an operation is staged; an operation that throws stages nothing. A batch is
 * only usable inside the {@code write} call that created it, and only from that thread.
 */
public final class StoreBatch {

    private final Path dir;
    private final WriteBatch batch;
    private final Map<Family, ColumnFamilyHandle> families;
    private boolean sealed;

    StoreBatch(Path dir, WriteBatch batch, Map<Family, ColumnFamilyHandle> families) {
        this.dir = dir;
        this.batch = batch;
        this.families = families;
    }

    /** Stages replacing the hard state of Raft group {@code groupId} ({@code >= 0}). */
    public StoreBatch putHardState(long groupId, HardState state) {
        Objects.requireNonNull(state, "state");
        return put(Family.HARD_STATE, KeyCodec.groupKey(groupId), ValueCodec.encode(state));
    }

    /** Stages removing the hard state of Raft group {@code groupId}, if any. */
    public StoreBatch deleteHardState(long groupId) {
        return delete(Family.HARD_STATE, KeyCodec.groupKey(groupId));
    }

    /** Stages replacing the snapshot of Raft group {@code groupId}; only the latest snapshot is kept. */
    public StoreBatch putSnapshot(long groupId, SnapshotMeta meta, byte[] data) {
        Objects.requireNonNull(meta, "meta");
        Objects.requireNonNull(data, "data");
        return put(Family.SNAPSHOT, KeyCodec.groupKey(groupId), ValueCodec.encode(meta, data));
    }

    /** Stages removing the snapshot of Raft group {@code groupId}, if any. */
    public StoreBatch deleteSnapshot(long groupId) {
        return delete(Family.SNAPSHOT, KeyCodec.groupKey(groupId));
    }

    /**
     * Stages replacing a consumer group's committed offset for one partition. {@code group} and {@code topic}
     * must be 1..255 bytes of UTF-8; {@code partition} must be {@code >= 0}.
     */
    public StoreBatch putCommittedOffset(String group, String topic, int partition, CommittedOffset offset) {
        Objects.requireNonNull(offset, "offset");
        return put(Family.CONSUMER_OFFSET, KeyCodec.offsetKey(group, topic, partition), ValueCodec.encode(offset));
    }

    /** Stages removing a consumer group's committed offset for one partition, if any. */
    public StoreBatch deleteCommittedOffset(String group, String topic, int partition) {
        return delete(Family.CONSUMER_OFFSET, KeyCodec.offsetKey(group, topic, partition));
    }

    /** Stages removing every committed offset of consumer {@code group}, leaving other groups untouched. */
    public StoreBatch deleteConsumerGroup(String group) {
        return deletePrefix(Family.CONSUMER_OFFSET, KeyCodec.offsetGroupPrefix(group));
    }

    /** Stages replacing the idempotence state of one producer in partition group {@code partitionGroupId}. */
    public StoreBatch putProducerState(long partitionGroupId, long producerId, ProducerState state) {
        Objects.requireNonNull(state, "state");
        return put(Family.PRODUCER_STATE, KeyCodec.producerKey(partitionGroupId, producerId),
                ValueCodec.encode(state));
    }

    /** Stages removing the idempotence state of one producer in partition group {@code partitionGroupId}. */
    public StoreBatch deleteProducerState(long partitionGroupId, long producerId) {
        return delete(Family.PRODUCER_STATE, KeyCodec.producerKey(partitionGroupId, producerId));
    }

    /** Stages removing the idempotence state of every producer in partition group {@code partitionGroupId}. */
    public StoreBatch deleteProducerStates(long partitionGroupId) {
        return deletePrefix(Family.PRODUCER_STATE, KeyCodec.producerPrefix(partitionGroupId));
    }

    /** Ends staging; the underlying WriteBatch is freed once {@code write} returns. */
    void seal() {
        sealed = true;
    }

    private StoreBatch put(Family family, byte[] key, byte[] value) {
        return stage("stage put in " + family, () -> batch.put(handle(family), key, value));
    }

    private StoreBatch delete(Family family, byte[] key) {
        return stage("stage delete in " + family, () -> batch.delete(handle(family), key));
    }

    private StoreBatch deletePrefix(Family family, byte[] prefix) {
        return stage("stage range delete in " + family,
                () -> batch.deleteRange(handle(family), prefix, KeyCodec.prefixEnd(prefix)));
    }

    private ColumnFamilyHandle handle(Family family) {
        return families.get(family);
    }

    private StoreBatch stage(String operation, BatchOp op) {
        if (sealed) {
            throw new IllegalStateException("store batch used after its NodeStore.write call returned");
        }
        try {
            op.apply();
        } catch (RocksDBException e) {
            throw NodeStoreException.rocks(operation, dir, e);
        }
        return this;
    }

    @FunctionalInterface
    private interface BatchOp {
        void apply() throws RocksDBException;
    }
}
