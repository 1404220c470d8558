package io.flotilla.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.rocksdb.Checkpoint;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable per-node store: Raft hard state and snapshots per Raft group, consumer offsets, and producer
 * idempotence state, in one RocksDB database with a column family per kind.
 *
 * <p>Every write goes through {@link #write}, is atomic, and is synced to the write-ahead log before the call
 * returns, so a Raft vote may be sent as soon as the hard state recording it has been put. Invalid arguments
 * are rejected with {@link IllegalArgumentException} or {@link NullPointerException} before anything is
 * written. RocksDB failures and undecodable stored bytes surface as {@link NodeStoreException}.
 *
 * <p>Thread-safe. Any call after {@link #close()} throws {@link IllegalStateException}.
 */
public final class NodeStore implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeStore.class);

    private final Path dir;
    private final RocksResources rocks;
    // Native handles are freed on close; the lock keeps close from freeing them under a running operation.
    private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed;

    private NodeStore(Path dir, RocksResources rocks) {
        this.dir = dir;
        this.rocks = rocks;
    }

    /**
     * Opens the store in {@code dir}, creating the directory (and parents), the database and any missing column
     * families. Only one open store per directory is allowed; a second open fails with {@link NodeStoreException}.
     */
    public static NodeStore open(Path dir) {
        Path absolute = Objects.requireNonNull(dir, "dir").toAbsolutePath();
        try {
            Files.createDirectories(absolute);
        } catch (IOException e) {
            throw new NodeStoreException("creating directory for node store at " + absolute + " failed: " + e, e);
        }
        try {
            NodeStore store = new NodeStore(absolute, RocksResources.open(absolute));
            log.info("Opened node store at {}", absolute);
            return store;
        } catch (RocksDBException e) {
            throw NodeStoreException.rocks("open", absolute, e);
        }
    }

    /** The absolute directory holding the database. */
    public Path dir() {
        return dir;
    }

    /** The hard state of Raft group {@code groupId} ({@code >= 0}), or empty if none was put. */
    public Optional<HardState> hardState(long groupId) {
        return get(Family.HARD_STATE, KeyCodec.groupKey(groupId), ValueCodec::readHardState);
    }

    /** Durably replaces the hard state of Raft group {@code groupId}. */
    public void putHardState(long groupId, HardState state) {
        write(batch -> batch.putHardState(groupId, state));
    }

    /** The latest snapshot of Raft group {@code groupId}, or empty if none is stored. */
    public Optional<StoredSnapshot> snapshot(long groupId) {
        return get(Family.SNAPSHOT, KeyCodec.groupKey(groupId), ValueCodec::readSnapshot);
    }

    /**
     * Durably replaces the snapshot of Raft group {@code groupId}. The whole snapshot is one RocksDB value, so it
     * must fit in memory and in a Java array together with a 17-byte header. {@code data} is not retained.
     */
    public void putSnapshot(long groupId, SnapshotMeta meta, byte[] data) {
        write(batch -> batch.putSnapshot(groupId, meta, data));
    }

    /** Removes the snapshot of Raft group {@code groupId}, if any. */
    public void deleteSnapshot(long groupId) {
        write(batch -> batch.deleteSnapshot(groupId));
    }

    /**
     * The offset consumer {@code group} committed for {@code topic}/{@code partition}, or empty if none.
     * Names must be 1..255 bytes of UTF-8.
     */
    public Optional<CommittedOffset> committedOffset(String group, String topic, int partition) {
        return get(Family.CONSUMER_OFFSET, KeyCodec.offsetKey(group, topic, partition),
                ValueCodec::readCommittedOffset);
    }

    /**
     * Every offset committed by consumer {@code group}, in key order: topics by UTF-8 length and then bytewise,
     * partitions ascending within a topic. The returned map is unmodifiable and iterates in that order.
     */
    public Map<TopicPartition, CommittedOffset> committedOffsets(String group) {
        return scan(Family.CONSUMER_OFFSET, KeyCodec.offsetGroupPrefix(group),
                key -> KeyCodec.decodeOffsetKey(key).topicPartition(), ValueCodec::readCommittedOffset);
    }

    /**
     * Every consumer group with at least one committed offset, each once, in key order: by UTF-8 length, then
     * bytewise. Reads one key per group.
     */
    public List<String> consumerGroups() {
        return guarded(() -> "list the groups in " + Family.CONSUMER_OFFSET, () -> {
            List<String> groups = new ArrayList<>();
            try (RocksIterator it = rocks.db.newIterator(rocks.families.get(Family.CONSUMER_OFFSET))) {
                for (it.seekToFirst(); it.isValid(); ) {
                    String group = KeyCodec.decodeOffsetKey(it.key()).group();
                    groups.add(group);
                    it.seek(KeyCodec.prefixEnd(KeyCodec.offsetGroupPrefix(group))); // past the group's other keys
                }
                it.status();
            }
            return List.copyOf(groups);
        });
    }

    /** Durably replaces the offset consumer {@code group} committed for {@code topic}/{@code partition}. */
    public void putCommittedOffset(String group, String topic, int partition, CommittedOffset offset) {
        write(batch -> batch.putCommittedOffset(group, topic, partition, offset));
    }

    /** Removes every committed offset of consumer {@code group}; groups whose names merely share a prefix stay. */
    public void deleteConsumerGroup(String group) {
        write(batch -> batch.deleteConsumerGroup(group));
    }

    /** The idempotence state of {@code producerId} in partition group {@code partitionGroupId}, or empty. */
    public Optional<ProducerState> producerState(long partitionGroupId, long producerId) {
        return get(Family.PRODUCER_STATE, KeyCodec.producerKey(partitionGroupId, producerId),
                ValueCodec::readProducerState);
    }

    /** Every producer's state in partition group {@code partitionGroupId}, unmodifiable, by ascending producer id. */
    public Map<Long, ProducerState> producerStates(long partitionGroupId) {
        return scan(Family.PRODUCER_STATE, KeyCodec.producerPrefix(partitionGroupId),
                KeyCodec::decodeProducerId, ValueCodec::readProducerState);
    }

    /** Durably replaces the idempotence state of {@code producerId} in partition group {@code partitionGroupId}. */
    public void putProducerState(long partitionGroupId, long producerId, ProducerState state) {
        write(batch -> batch.putProducerState(partitionGroupId, producerId, state));
    }

    /** Removes the idempotence state of every producer in partition group {@code partitionGroupId}. */
    public void deleteProducerStates(long partitionGroupId) {
        write(batch -> batch.deleteProducerStates(partitionGroupId));
    }

    /**
     * Runs {@code ops} to stage writes, then applies them atomically and durably (synced WAL). If {@code ops}
     * throws, nothing is written and the exception propagates. {@link StoreBatch} also offers the single-record
     * deletes that have no shortcut here. {@code ops} runs while close is held off, so it must not call
     * {@link #close()}, which would wait forever.
     */
    public void write(Consumer<StoreBatch> ops) {
        Objects.requireNonNull(ops, "ops");
        guarded(() -> "write batch", () -> {
            try (WriteBatch batch = new WriteBatch()) {
                StoreBatch staged = new StoreBatch(dir, batch, rocks.families);
                try {
                    ops.accept(staged);
                } finally {
                    staged.seal();
                }
                if (batch.count() > 0) {
                    rocks.db.write(rocks.syncWrites, batch);
                }
            }
            return null;
        });
    }

    /**
     * Writes a consistent copy of the whole store to {@code targetDir}, hard-linking immutable files where the
     * file system allows, for shipping to another node. The copy reflects every write that returned before this
     * call. {@code targetDir} must not exist; its parent must.
     *
     * @throws IllegalArgumentException if {@code targetDir} already exists
     */
    public void checkpoint(Path targetDir) {
        Path target = Objects.requireNonNull(targetDir, "targetDir").toAbsolutePath();
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("checkpoint target " + target + " already exists");
        }
        guarded(() -> "checkpoint to " + target, () -> {
            try (Checkpoint checkpoint = Checkpoint.create(rocks.db)) {
                checkpoint.createCheckpoint(target.toString());
            }
            return null;
        });
        log.info("Checkpointed node store at {} to {}", dir, target);
    }

    /** Releases every native resource. Idempotent; waits for running operations to finish. */
    @Override
    public void close() {
        Lock lock = lifecycle.writeLock();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            try {
                rocks.close();
            } catch (RocksDBException e) {
                throw NodeStoreException.rocks("close", dir, e);
            }
            log.info("Closed node store at {}", dir);
        } finally {
            lock.unlock();
        }
    }

    private <T> Optional<T> get(Family family, byte[] key, Function<ByteBuffer, T> reader) {
        byte[] value = guarded(() -> "read " + family + " " + family.describe(key),
                () -> rocks.db.get(rocks.families.get(family), key));
        return Optional.ofNullable(value).map(bytes -> ValueCodec.decode(family, key, bytes, reader));
    }

    private <K, V> Map<K, V> scan(Family family, byte[] prefix, Function<byte[], K> keyReader,
                                  Function<ByteBuffer, V> valueReader) {
        return guarded(() -> "scan " + family + " prefix " + KeyCodec.hex(prefix), () -> {
            Map<K, V> found = new LinkedHashMap<>();
            try (RocksIterator it = rocks.db.newIterator(rocks.families.get(family))) {
                for (it.seek(prefix); it.isValid() && KeyCodec.hasPrefix(it.key(), prefix); it.next()) {
                    byte[] key = it.key();
                    found.put(keyReader.apply(key), ValueCodec.decode(family, key, it.value(), valueReader));
                }
                // An I/O error also ends iteration; without this check it would look like the end of the prefix.
                it.status();
            }
            return Collections.unmodifiableMap(found);
        });
    }

    private <T> T guarded(Supplier<String> operation, RocksCall<T> call) {
        Lock lock = lifecycle.readLock();
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("node store at " + dir + " is closed");
            }
            return call.run();
        } catch (RocksDBException e) {
            throw NodeStoreException.rocks(operation.get(), dir, e);
        } finally {
            lock.unlock();
        }
    }

    @FunctionalInterface
    private interface RocksCall<T> {
        T run() throws RocksDBException;
    }
}
