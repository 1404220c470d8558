package io.flotilla.jepsen.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.flotilla.api.v1.PartitionMetadata;
import io.flotilla.cli.client.ClientConfig;
import io.flotilla.cli.client.Consumer;
import io.flotilla.cli.client.FlotillaClient;
import io.flotilla.cli.client.GroupConsumerConfig;
import io.flotilla.cli.client.HostPort;
import io.flotilla.cli.client.Producer;
import io.flotilla.cli.client.ProducerConfig;
import io.flotilla.cli.client.TopicPartition;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * At least once through crashes (issue 5): three {@code flotilla server} processes, a topic of 6
 * partitions replicated on all three, three members of one group that process records and
 * commit after each batch, and four rounds of records with unique values. The node coordinating
 * the group is killed with SIGKILL before round 2 and started again after it; one member leaves
 * while round 3 is written and processed (its partitions move to the others); a node leading a
 * partition is killed before round 4 and started again after it.
 *
 * <p>Every acknowledged record must be processed by some member, and every time a member takes
 * a partition up it must start at the group's committed offset of that moment
 * ({@link GroupHistory#check}).
 */
class GroupKillNineTest {
    private static final String TOPIC = "group-kill";
    private static final String GROUP = "kill-nine-members";
    private static final int PARTITIONS = 6;
    private static final int RECORDS_PER_ROUND = 750;
    private static final int WAIT_SECONDS = 60;
    /** Heartbeats every second, so partitions move within a few seconds of a member leaving. */
    private static final GroupConsumerConfig MEMBER = GroupConsumerConfig.DEFAULTS
            .withResetTo(Consumer.StartAt.EARLIEST).withSessionTimeoutMs(5_000);

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everyAcknowledgedRecordIsProcessedAndEachNewOwnerResumesFromTheCommittedOffset() throws Exception {
        GroupHistory history = new GroupHistory();
        Set<String> acknowledged = new TreeSet<>();
        List<GroupMemberRun> members = new ArrayList<>();
        try (ProcessCluster cluster = new ProcessCluster(3).start()) {
            cluster.createTopic(TOPIC, PARTITIONS, 3);
            List<HostPort> bootstrap = cluster.addresses().values().stream().map(HostPort::parse).toList();
            try (FlotillaClient client = new FlotillaClient(ClientConfig.defaults(bootstrap))) {
                for (int m = 1; m <= 3; m++) {
                    members.add(new GroupMemberRun(m, bootstrap, GROUP, TOPIC, MEMBER, history,
                            ByteString::toStringUtf8));
                }
                history.awaitProcessed(writeRound(client, 1, acknowledged), WAIT_SECONDS);

                int coordinator = client.findCoordinator(GROUP).getNodeId();
                kill(cluster, coordinator);
                history.awaitProcessed(writeRound(client, 2, acknowledged), WAIT_SECONDS);
                cluster.restart(coordinator);

                CompletableFuture<Set<String>> third = CompletableFuture.supplyAsync(() -> {
                    try {
                        return writeRound(client, 3, acknowledged);
                    } catch (InterruptedException e) {
                        throw new CompletionException(e);
                    }
                });
                int beforeLeave = history.mark();
                Set<TopicPartition> heldByLeaver = history.lastTakenUpBy(3, beforeLeave);
                members.remove(2).close(); // while round 3 is written and processed
                history.awaitProcessed(third.get(WAIT_SECONDS, TimeUnit.SECONDS), WAIT_SECONDS);
                assertFalse(heldByLeaver.isEmpty(), "member 3 held partitions before it left");
                // Member 3 may have processed all of round 3 on its partitions before it stopped:
                // the others then take them up after the round was processed.
                assertTrue(history.takenUpSince(beforeLeave, heldByLeaver, WAIT_SECONDS).containsAll(heldByLeaver),
                        "member 3's partitions " + heldByLeaver + " were taken up by the others after it left");

                int leader = partitionLeader(client, coordinator);
                kill(cluster, leader);
                history.awaitProcessed(writeRound(client, 4, acknowledged), WAIT_SECONDS);
                cluster.restart(leader);

                for (GroupMemberRun m : members) {
                    assertNull(m.failure(), "member failed; warnings: " + m.warnings());
                }
                GroupHistory.Verdict verdict = history.check(0);
                long rejoins = members.stream().flatMap(m -> m.warnings().stream())
                        .filter(w -> w.startsWith("joining group")).count();
                System.out.printf("group kill -9: %d records acknowledged and processed, 3 members (1 left mid-way), "
                                + "2 kills (coordinator node %d, partition leader node %d), %d partitions taken up again,"
                                + " %d records processed again, %d rejoins%n", acknowledged.size(), coordinator, leader,
                        verdict.reassignments(), verdict.duplicates(), rejoins);
                assertEquals(List.of(), verdict.violations());
                assertTrue(acknowledged.size() >= RECORDS_PER_ROUND * 4 * 9 / 10,
                        "too few records acknowledged to mean anything: " + acknowledged.size());
            } finally {
                for (GroupMemberRun m : members) {
                    m.close();
                }
            }
        }
    }

    /**
     * Writes round {@code round}'s records (unique values, spread over every partition) with a
     * producer of its own, and returns those acknowledged, added to {@code all}.
     */
    private static Set<String> writeRound(FlotillaClient client, int round, Set<String> all)
            throws InterruptedException {
        Set<String> written = ConcurrentHashMap.newKeySet();
        Producer producer = Producer.start(client, TOPIC, ProducerConfig.DEFAULTS, new Producer.Listener() {
            @Override
            public void failed(long recordNumber, String reason) {
            }

            @Override
            public void written(long[] recordNumbers, long nanoTime) {
                for (long n : recordNumbers) {
                    written.add(value(round, n));
                }
            }
        });
        for (int n = 1; n <= RECORDS_PER_ROUND; n++) {
            producer.send(n % PARTITIONS, null, ByteString.copyFrom(value(round, n), StandardCharsets.UTF_8));
        }
        producer.finish();
        all.addAll(written);
        return written;
    }

    private static String value(int round, long recordNumber) {
        return "r" + round + "-" + recordNumber;
    }

    /** The node leading the first partition not led by {@code avoid} (killed before): another node, mostly. */
    private static int partitionLeader(FlotillaClient client, int avoid) {
        List<PartitionMetadata> partitions = client.refreshMetadata(List.of(TOPIC)).getTopics(0).getPartitionsList();
        return partitions.stream().mapToInt(PartitionMetadata::getLeaderNodeId).filter(n -> n != avoid && n != 0)
                .findFirst().orElse(partitions.get(0).getLeaderNodeId());
    }

    private static void kill(ProcessCluster cluster, int node) throws InterruptedException {
        cluster.kill(node);
        assertEquals(137, cluster.exitCode(node), "node " + node + " died of SIGKILL");
    }
}
