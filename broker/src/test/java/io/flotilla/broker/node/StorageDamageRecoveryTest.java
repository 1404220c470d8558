package io.flotilla.broker.node;

import com.google.protobuf.ByteString;
import io.flotilla.api.internal.v1.ReadReplicaRequest;
import io.flotilla.api.internal.v1.ReadReplicaResponse;
import io.flotilla.api.internal.v1.ReplicaReadGrpc;
import io.flotilla.api.v1.CreateTopicRequest;
import io.flotilla.api.v1.ErrorDetail;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.FetchRequest;
import io.flotilla.api.v1.FetchedRecord;
import io.flotilla.api.v1.Record;
import io.flotilla.api.v1.TopicConfig;
import io.flotilla.broker.controller.ControllerReplica;
import io.flotilla.broker.storage.StorageDamage;
import io.flotilla.log.LogSlice;
import io.flotilla.log.PartitionLog;
import io.flotilla.log.record.RecordBatch;
import io.grpc.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 7, storage faults: a replica whose segment files were damaged while its node was down
 * (one flipped bit in a committed batch; a segment cut short; a flipped bit in the controller's
 * log) finds the damage, says where, cuts its log before it (keeping the bytes aside), recovers
 * the entries from its peers, and no acknowledged record is lost or altered on any replica. The
 * cluster serves produce throughout.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StorageDamageRecoveryTest {
    private static final String TOPIC = "damaged";
    private static final int MIB = 1 << 20;
    /** Two sealed segments of 1 MiB and an active one. */
    private static final int RECORDS = 25;
    private static final int RECORD_BYTES = 100_000;

    private TestCluster cluster;
    private PartitionCalls calls;
    /** Every acknowledged record's value, by offset. */
    private final TreeMap<Long, ByteString> acknowledged = new TreeMap<>();
    private final Random random = new Random(7);

    @BeforeEach
    void startClusterAndWrite() throws Exception {
        cluster = new TestCluster(TestCluster.tempRoot(), 3).startAll();
        calls = new PartitionCalls(cluster);
        calls.admin(1).createTopic(CreateTopicRequest.newBuilder().setName(TOPIC).setPartitionCount(1)
                .setReplicationFactor(3).setConfig(TopicConfig.newBuilder().setSegmentBytes(MIB)).build());
        cluster.awaitPreferredLeaders(TOPIC);
        produce(RECORDS);
    }

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aFlippedBitInACommittedBatchOfAFollowersSealedSegmentIsFoundCutAndRecoveredFromItsPeers() throws Exception {
        long group = groupId();
        int follower = stopCaughtUpFollower();
        Path logDir = partitionLog(follower, group);

        assertTrue(segments(logDir).size() > 2, "sealed segments: " + segments(logDir));
        Path sealed = segments(logDir).get(1);
        long batchAt = batchStart(sealed, 2);
        long lost = header(sealed, batchAt).getLong(RecordBatch.BASE_OFFSET_OFFSET);
        flipBit(sealed, batchAt + RECORD_BYTES / 2); // inside a record's value: only the CRC tells
        byte[] damagedBytes = Files.readAllBytes(sealed);
        cluster.start(follower);

        StorageDamage damage = awaitRecovered(follower, group);
        assertEquals(sealed, damage.file(), "names the file");
        assertEquals(batchAt, damage.position(), "and the byte where the bad batch starts");
        assertEquals(lost, damage.firstLostOffset(), "and the offset");
        assertTrue(damage.detail().contains("CRC32C"), damage.detail());
        assertArrayEquals(damagedBytes, Files.readAllBytes(damage.quarantine().resolve(sealed.getFileName())),
                "the damaged segment is kept for the operator");
        assertFalse(Files.exists(logDir.getParent().resolve("recovering")), "the recovery is over");

        assertEveryReplicaHoldsTheSameCommittedLog(group);
        produce(5); // the cluster goes on taking records, and the recovered replica takes them too
        assertEveryReplicaHoldsTheSameCommittedLog(group);
    }

    @Test
    void aSegmentCutShortAndAFlippedBitInTheControllersLogAreBothRecoveredAtTheNextStart() throws Exception {
        long group = groupId();
        int follower = stopCaughtUpFollower();
        int other = follower % 3 + 1;
        Path logDir = partitionLog(follower, group);
        Path controllerLog = cluster.root.resolve("node-" + follower).resolve("controller").resolve("log");

        Path sealed = segments(logDir).get(0);
        long cutAt = batchStart(sealed, 3);
        long lost = header(sealed, cutAt).getLong(RecordBatch.BASE_OFFSET_OFFSET);
        truncate(sealed, cutAt + 1000); // the disk lost the end of a segment fsynced long ago
        Path metadata = segments(controllerLog).get(0);
        int batches = batchCount(metadata);
        long metadataAt = batchStart(metadata, batches / 2);
        long metadataLost = header(metadata, metadataAt).getLong(RecordBatch.BASE_OFFSET_OFFSET);
        flipBit(metadata, metadataAt + RecordBatch.HEADER_BYTES + 3);
        cluster.start(follower);

        StorageDamage partitionDamage = awaitRecovered(follower, group);
        assertEquals(sealed, partitionDamage.file());
        assertEquals(lost, partitionDamage.firstLostOffset());
        StorageDamage controllerDamage = awaitRecovered(follower, ControllerReplica.GROUP_ID);
        assertEquals(metadata, controllerDamage.file());
        assertEquals(metadataLost, controllerDamage.firstLostOffset());
        cluster.awaitReady();

        assertEveryReplicaHoldsTheSameCommittedLog(group);
        TestCluster.await(() -> dataBatches(cluster.nodes.get(follower).controllerLog())
                        .equals(dataBatches(cluster.nodes.get(other).controllerLog())), 20,
                "the controller's log on node " + follower + " holds the same commands as on node " + other);
        produce(5);
        assertEveryReplicaHoldsTheSameCommittedLog(group);
    }

    @Test
    void aFetchThatMeetsAFlippedBitOnTheLeaderIsRefusedAndTheLeaderRecoversItsReplicaWhileAnotherLeads()
            throws Exception {
        int leader = calls.leaderOf(TOPIC, 0);
        long group = groupId();
        Path sealed = segments(partitionLog(leader, group)).get(0);
        long batchAt = batchStart(sealed, 4);
        long lost = header(sealed, batchAt).getLong(RecordBatch.BASE_OFFSET_OFFSET);
        flipBit(sealed, batchAt + RECORD_BYTES / 2); // under the running node: bit rot

        ErrorDetail refused = PartitionCalls.refusal(Status.Code.DATA_LOSS, () -> calls.broker(leader)
                .fetch(FetchRequest.newBuilder().setTopic(TOPIC).setPartition(0).setOffset(lost).build()));

        assertEquals(ErrorReason.ERROR_REASON_CORRUPT_DATA, refused.getReason());
        assertTrue(refused.getRetryAfterMs() > 0, refused.toString());
        assertTrue(refused.getMessage().contains(sealed.toString()), refused.getMessage());
        StorageDamage damage = awaitRecovered(leader, group);
        assertEquals(sealed, damage.file());
        assertEquals(lost, damage.firstLostOffset());
        produce(5); // through whichever node leads now
        assertEveryReplicaHoldsTheSameCommittedLog(group);
    }

    // ------------------------------------------------------------------ the cluster

    /** {@code count} records of distinct random bytes, one per produce, each acknowledged. */
    private void produce(int count) {
        for (int i = 0; i < count; i++) {
            byte[] value = new byte[RECORD_BYTES];
            random.nextBytes(value);
            ByteString bytes = ByteString.copyFrom(value);
            long offset = calls.produce(TOPIC, 0, -1, 0, Record.newBuilder().setValue(bytes).build()).getBaseOffset();
            acknowledged.put(offset, bytes);
        }
    }

    private long groupId() {
        return cluster.nodes.get(1).context().topic(TOPIC).groupIds()[0];
    }

    /** Stops a follower of the partition once it holds every acknowledged record as committed; returns it. */
    private int stopCaughtUpFollower() {
        int follower = calls.leaderOf(TOPIC, 0) % 3 + 1;
        long last = acknowledged.lastKey();
        TestCluster.await(() -> calls.replicaOn(follower, TOPIC, 0).getHighWatermark() > last, 10,
                "node " + follower + " holds every acknowledged record as committed");
        cluster.stop(follower);
        return follower;
    }

    private Path partitionLog(int node, long group) {
        return cluster.root.resolve("node-" + node).resolve("partitions").resolve("group-" + group).resolve("log");
    }

    /** The node's report of damage in the group's log, once it says the group recovered. */
    private StorageDamage awaitRecovered(int node, long group) {
        StorageDamage[] found = new StorageDamage[1];
        TestCluster.await(() -> {
            BrokerNode n = cluster.nodes.get(node);
            found[0] = n == null ? null : n.storageDamages().stream().filter(d -> d.groupId() == group).findFirst()
                    .orElse(null);
            return found[0] != null && found[0].recovered();
        }, 30, () -> "node " + node + " found damage in group " + group + " and recovered: " + found[0]);
        return found[0];
    }

    /**
     * Every replica holds the committed log as the others do (the data batches byte for byte;
     * Raft's own entries stamp each replica's clock, so those are compared by offset and term),
     * and every acknowledged record reads back from every replica with its value unaltered.
     */
    private void assertEveryReplicaHoldsTheSameCommittedLog(long group) {
        long end = acknowledged.lastKey() + 1;
        for (int node = 1; node <= 3; node++) {
            int n = node;
            TestCluster.await(() -> calls.replicaOn(n, TOPIC, 0).getHighWatermark() >= end, 20,
                    "node " + n + " committed every acknowledged record");
        }
        List<Object> reference = committedBatches(1, group, end);
        for (int node = 1; node <= 3; node++) {
            assertEquals(reference, committedBatches(node, group, end), "node " + node + "'s log, as node 1's");
            Map<Long, ByteString> read = readReplica(node, end);
            for (Map.Entry<Long, ByteString> e : acknowledged.entrySet()) {
                assertEquals(e.getValue(), read.get(e.getKey()), "node " + node + " reads record " + e.getKey());
            }
        }
    }

    private List<Object> committedBatches(int node, long group, long end) {
        return batches(cluster.nodes.get(node).context().replica(group).log(), end);
    }

    private static List<Object> dataBatches(PartitionLog log) {
        return batches(log, log.endOffset()).stream().filter(b -> b instanceof ByteBuffer).toList();
    }

    /** The batches below {@code end}: data batches as their bytes, control batches as offset and term. */
    private static List<Object> batches(PartitionLog log, long end) {
        List<Object> out = new ArrayList<>();
        RecordBatch batch = new RecordBatch();
        try {
            for (long offset = log.startOffset(); offset < end; ) {
                LogSlice slice = log.read(offset, MIB, end);
                if (slice.isEmpty()) {
                    break;
                }
                ByteBuffer bytes = slice.readVerified();
                for (int pos = 0; pos < bytes.limit(); pos += batch.sizeInBytes()) {
                    batch.wrap(bytes, pos);
                    out.add(batch.isControl() ? "control " + batch.baseOffset() + " term " + batch.term()
                            : bytes.duplicate().position(pos).limit(pos + batch.sizeInBytes()).slice());
                    offset = batch.nextOffset();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Every committed record of the node's own replica below {@code end}, through ReplicaRead. */
    private Map<Long, ByteString> readReplica(int node, long end) {
        Map<Long, ByteString> out = new TreeMap<>();
        ReplicaReadGrpc.ReplicaReadBlockingStub stub = ReplicaReadGrpc.newBlockingStub(cluster.channel(node));
        for (long offset = 0; offset < end; ) {
            ReadReplicaResponse page = stub.withDeadlineAfter(10, TimeUnit.SECONDS).readReplica(ReadReplicaRequest
                    .newBuilder().setTopic(TOPIC).setPartition(0).setOffset(offset).setMaxBytes(MIB).build());
            for (FetchedRecord r : page.getRead().getRecordsList()) {
                out.put(r.getOffset(), r.getValue());
            }
            assertTrue(page.getRead().getNextOffset() > offset, "node " + node + " reads on from " + offset);
            offset = page.getRead().getNextOffset();
        }
        return out;
    }

    // ------------------------------------------------------------------ the files

    private static List<Path> segments(Path logDir) throws IOException {
        try (Stream<Path> files = Files.list(logDir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList();
        }
    }

    private static ByteBuffer header(Path segment, long position) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(RecordBatch.HEADER_BYTES);
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ)) {
            ch.read(header, position);
        }
        return header.flip();
    }

    /** Byte position of the {@code n}th batch (from 0) of a segment. */
    private static long batchStart(Path segment, int n) throws IOException {
        long pos = 0;
        for (int i = 0; i < n; i++) {
            pos += header(segment, pos).getInt(RecordBatch.LENGTH_OFFSET);
        }
        return pos;
    }

    private static int batchCount(Path segment) throws IOException {
        int n = 0;
        for (long pos = 0, size = Files.size(segment); pos < size; n++) {
            pos += header(segment, pos).getInt(RecordBatch.LENGTH_OFFSET);
        }
        return n;
    }

    private static void flipBit(Path file, long position) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, position);
            one.put(0, (byte) (one.get(0) ^ 0x10)).rewind();
            ch.write(one, position);
        }
    }

    private static void truncate(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }
}
