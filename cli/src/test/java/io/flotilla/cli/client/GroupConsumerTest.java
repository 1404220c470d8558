package io.flotilla.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.flotilla.api.v1.AdminGrpc;
import io.flotilla.api.v1.ConsumerGroupsGrpc;
import io.flotilla.api.v1.CreateTopicRequest;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.FetchedRecord;
import io.flotilla.api.v1.HeartbeatRequest;
import io.flotilla.api.v1.ListGroupsRequest;
import io.flotilla.broker.BrokerConfig;
import io.flotilla.broker.node.BrokerNode;
import io.grpc.Status;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Group members against a real one-node cluster in this JVM: how partitions move between members
 * and where each new owner starts. Each test uses its own topic and group.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GroupConsumerTest {

    /** A short session: heartbeats every 400 ms, so assignments move within a second or two. */
    private static final GroupConsumerConfig FAST = GroupConsumerConfig.DEFAULTS
            .withResetTo(Consumer.StartAt.EARLIEST).withSessionTimeoutMs(2_000);

    private static Path dir;
    private static BrokerNode node;
    private static FlotillaClient client;

    @BeforeAll
    static void startNode() throws Exception {
        dir = Files.createTempDirectory("flotilla-group-consumer");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String address = "127.0.0.1:" + port;
        node = BrokerNode.start(BrokerConfig.of(1, dir.resolve("node-1"), address, Map.of(1, address)));
        client = new FlotillaClient(ClientConfig.defaults(List.of(HostPort.parse(address))));
        awaitTrue(() -> {
            try {
                return client.callAnyNode(ch -> ConsumerGroupsGrpc.newBlockingStub(ch)
                        .listGroups(ListGroupsRequest.getDefaultInstance())).getComplete();
            } catch (ClientException notYet) {
                return false;
            }
        }, "every coordinator partition led and loaded");
    }

    @AfterAll
    static void stopNode() throws IOException {
        if (client != null) {
            client.close();
        }
        if (node != null) {
            node.close();
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void aJoiningMemberTakesPartitionsFromTheOtherAndEachNewOwnerStartsAtTheOffsetItsPredecessorCommitted()
            throws Exception {
        produce("shared", 4, 40);
        Member a = new Member("shared-group", "shared");
        // A alone: every partition, each from the oldest record (nothing committed yet); its
        // application processes and commits the first three records of each, and no more.
        a.pollUntil(() -> a.committed.size() == 4, 3);
        assertEquals(4, a.assigned.size(), a.assigned.toString());
        Map<TopicPartition, Long> committedByA = new TreeMap<>(a.committed);
        assertEquals(4, committedByA.size());

        Member b = new Member("shared-group", "shared");
        pollBoth(a, b, () -> b.assigned.size() == 2 && a.revoked.size() == 2);
        assertEquals(a.revoked, b.assigned.keySet(), "B took what A released");
        for (TopicPartition p : b.assigned.keySet()) {
            assertEquals(committedByA.get(p), b.assigned.get(p), "B starts " + p + " where A committed");
        }

        a.consumer.close();
        pollBoth(null, b, () -> b.assigned.size() == 4);
        for (TopicPartition p : a.revoked) {
            assertEquals(a.committed.get(p), b.assigned.get(p), "B starts " + p + " where A committed");
        }
        pollBoth(null, b, () -> b.processedValues().size() == 28);
        Set<String> all = new TreeSet<>(a.processedValues());
        all.addAll(b.processedValues());
        assertEquals(40, all.size(), "every record processed by one member or the other");
        assertEquals(40, a.processedValues().size() + b.processedValues().size(), "and none twice");
        b.consumer.close();
    }

    @Test
    void aFencedMemberDropsItsPartitionsWithoutCommittingAndJoinsAgainFromTheCommittedOffsets() throws Exception {
        produce("fenced", 2, 20);
        Member a = new Member("fenced-group", "fenced");
        a.pollUntil(() -> a.committed.size() == 2, 3);
        Map<TopicPartition, Long> committed = new TreeMap<>(a.committed);

        // Another process joins with A's member id: the coordinator replaces A, whose next
        // heartbeat carries an epoch it no longer accepts.
        FlotillaClient.await(client.callCoordinator("fenced-group", ch -> ConsumerGroupsGrpc.newFutureStub(ch)
                .heartbeat(HeartbeatRequest.newBuilder().setGroupId("fenced-group").setMemberId(a.consumer.memberId())
                        .addSubscribedTopics("fenced").build())));
        a.pollUntil(() -> a.revokedTimes == 2 && a.assignedTimes == 4, 3);

        assertTrue(a.warnings.stream().anyMatch(w -> w.startsWith("joining group 'fenced-group' again: ")
                && w.contains("STALE_MEMBER_EPOCH")), a.warnings.toString());
        assertEquals(committed, a.assigned, "taken up again where the group's offsets stood");
        a.consumer.close();
    }

    @Test
    void aCommitBelowWhereTheMemberStartedIsLeftOutAndSoIsAPartitionItDoesNotOwn() throws Exception {
        produce("floor", 1, 5);
        Member a = new Member("floor-group", "floor");
        a.pollUntil(() -> a.committed.size() == 1, 3);
        TopicPartition p = new TopicPartition("floor", 0);
        long at = a.committed.get(p);

        assertEquals(Map.of(), a.consumer.commit(Map.of(p, at - 1)), "below the last commit");
        assertEquals(Map.of(), a.consumer.commit(Map.of(new TopicPartition("floor", 7), 1L)), "not owned");
        assertEquals(Map.of(p, at + 1), a.consumer.commit(Map.of(p, at + 1)));
        a.consumer.close();
    }

    @Test
    void anInvalidGroupIdIsRefusedWhenJoining() {
        ClientException e = assertThrows(ClientException.class, () -> GroupConsumer.start(client, "no spaces",
                List.of("t"), FAST, new GroupConsumer.Listener() {}));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.code());
        assertEquals(ErrorReason.ERROR_REASON_INVALID_GROUP_ID, e.reason());
        assertTrue(e.getMessage().contains("'no spaces'"), e.getMessage());
    }

    /**
     * A member whose application processes records up to a limit per partition, and commits
     * after each batch it processed.
     */
    private static final class Member implements GroupConsumer.Listener {
        final Map<TopicPartition, Long> assigned = new ConcurrentHashMap<>();
        final Set<TopicPartition> revoked = ConcurrentHashMap.newKeySet();
        final List<String> warnings = new CopyOnWriteArrayList<>();
        final Map<TopicPartition, Integer> processedOf = new TreeMap<>();
        final Map<TopicPartition, Long> committed = new TreeMap<>();
        final List<String> processed = new ArrayList<>();
        volatile int assignedTimes;
        volatile int revokedTimes;
        final GroupConsumer consumer;

        Member(String group, String topic) {
            consumer = GroupConsumer.start(client, group, List.of(topic), FAST, this);
        }

        @Override
        public void assigned(TopicPartition partition, long offset) {
            assigned.put(partition, offset);
            revoked.remove(partition);
            assignedTimes++;
        }

        @Override
        public void revoked(TopicPartition partition) {
            assigned.remove(partition);
            revoked.add(partition);
            revokedTimes++;
        }

        @Override
        public void warn(String message) {
            warnings.add(message);
        }

        /** Polls and processes at most {@code perPartition} records of each partition until {@code done}. */
        void pollUntil(BooleanSupplier done, int perPartition) throws InterruptedException {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!done.getAsBoolean()) {
                assertTrue(System.nanoTime() < until, "timed out: " + this);
                pollOnce(perPartition);
            }
        }

        void pollOnce(int perPartition) throws InterruptedException {
            Consumer.Records polled = consumer.poll(100);
            if (polled.records().isEmpty()) {
                return;
            }
            TopicPartition p = new TopicPartition(polled.topic(), polled.partition());
            int room = perPartition - processedOf.getOrDefault(p, 0);
            if (room <= 0) {
                return;
            }
            List<FetchedRecord> records = polled.records().subList(0, Math.min(room, polled.records().size()));
            processedOf.merge(p, records.size(), Integer::sum);
            records.forEach(r -> processed.add(r.getValue().toStringUtf8()));
            long next = records.get(records.size() - 1).getOffset() + 1;
            committed.putAll(consumer.commit(Map.of(p, next)));
        }

        Set<String> processedValues() {
            return new TreeSet<>(processed);
        }

        @Override
        public String toString() {
            return "assigned " + assigned + ", revoked " + revoked + ", committed " + committed + ", processed "
                    + processed.size() + ", warnings " + warnings;
        }
    }

    /** Polls both members in turn (a null one not) until {@code done}. */
    private static void pollBoth(Member a, Member b, BooleanSupplier done) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < until, "timed out: A " + a + "; B " + b);
            if (a != null) {
                a.pollOnce(3);
            }
            b.pollOnce(Integer.MAX_VALUE);
        }
    }

    /** Creates the topic and writes "v0".."v{n-1}" round-robin over its partitions. */
    private static void produce(String topic, int partitions, int records) throws InterruptedException {
        client.callAnyNode(ch -> AdminGrpc.newBlockingStub(ch).createTopic(CreateTopicRequest.newBuilder()
                .setName(topic).setPartitionCount(partitions).setReplicationFactor(1).build()));
        List<String> failed = new CopyOnWriteArrayList<>();
        Producer producer = Producer.start(client, topic, ProducerConfig.DEFAULTS, (n, why) -> failed.add(why));
        for (int i = 0; i < records; i++) {
            producer.send(i % partitions, null, ByteString.copyFrom("v" + i, StandardCharsets.UTF_8));
        }
        assertEquals(records, producer.finish().written(), failed.toString());
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < until, "timed out waiting for: " + what);
            Thread.sleep(20); // polling an outcome with a bound, not ordering threads
        }
    }
}
