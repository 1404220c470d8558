package io.flotilla.broker.node;

import io.flotilla.api.internal.v1.ControllerLinkGrpc;
import io.flotilla.api.internal.v1.JoinRequest;
import io.flotilla.api.internal.v1.JoinResponse;
import io.flotilla.api.v1.DescribeTopicsRequest;
import io.flotilla.api.v1.PartitionStatus;
import io.flotilla.api.v1.ReplicaRole;
import io.flotilla.api.v1.TopicDescription;
import io.flotilla.api.v1.TransferLeadershipRequest;
import io.flotilla.broker.controller.ControllerReplica;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.Membership;
import io.grpc.ManagedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node whose data directory is wiped comes back as a new incarnation of itself: it rejoins the
 * controller group, every partition it had a replica of replaces the old incarnation with the
 * new one, the new replicas catch up from the others, and once it leads them it serves every
 * record that was ever acknowledged, while an idempotent producer writes on throughout.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WipedNodeTest {
    private static final int PARTITIONS = 3;
    private static final int RECORDS = 3000;
    private static final int BATCH = 10;

    private TestCluster cluster;
    private PartitionCalls calls;

    @BeforeEach
    void startCluster() throws Exception {
        cluster = new TestCluster(TestCluster.tempRoot(), 3).startAll();
        calls = new PartitionCalls(cluster);
    }

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private TopicDescription describe(String topic) {
        return calls.admin(1).describeTopics(DescribeTopicsRequest.newBuilder().addNames(topic).build()).getTopics(0);
    }

    private static boolean settled(PartitionStatus p) {
        return p.getReplicasCount() == 3 && p.getReplicasList().stream()
                .allMatch(r -> r.getRole() == ReplicaRole.REPLICA_ROLE_VOTER && r.getCaughtUp());
    }

    private Membership controllerMembership(int askedNode) {
        return cluster.nodes.get(askedNode).driver().call(ControllerReplica.GROUP_ID, n -> n.membership()).join();
    }

    private int controllerLeader() {
        TestCluster.await(() -> cluster.nodes.values().stream().anyMatch(n -> n.context().controller().leadsAndReady()),
                10, "a node leads the controller");
        return cluster.nodes.values().stream().filter(n -> n.context().controller().leadsAndReady())
                .findFirst().orElseThrow().nodeId();
    }

    /**
     * The node wiped leads the controller group, which is idle (quiet) meanwhile: its followers
     * must notice that the node that is back is not the leader they knew.
     */
    @Test
    void aWipedNodeRejoinsAsANewIncarnationCatchesUpAndServesEveryAcknowledgedRecord() throws Exception {
        cluster.createTopic("kept", PARTITIONS, 3);
        long[] groups = cluster.nodes.get(1).context().topic("kept").groupIds();
        int wiped = controllerLeader();
        long oldIncarnation = cluster.nodes.get(wiped).context().metadata().nodes().get(wiped).incarnation();
        try (LeaderRouter router = new LeaderRouter("kept", PARTITIONS, cluster.addresses);
             IdempotentProducer producer = IdempotentProducer.start(router)) {
            producer.send(RECORDS, BATCH);
            producer.awaitAcknowledged(RECORDS / 3, 30);

            cluster.stop(wiped);
            wipe(cluster.root.resolve("node-" + wiped));
            producer.awaitAcknowledged(RECORDS / 2, 30);
            cluster.start(wiped);

            TestCluster.await(() -> cluster.nodes.get(wiped).ready(), 60, "the wiped node registered anew and is ready");
            long newIncarnation = cluster.nodes.get(1).context().metadata().nodes().get(wiped).incarnation();
            assertNotEquals(oldIncarnation, newIncarnation);
            MemberId fresh = new MemberId(wiped, newIncarnation);
            TestCluster.await(() -> {
                Membership m = controllerMembership(1);
                return m.isVoter(fresh) && m.members().size() == 3;
            }, 30, () -> "the new incarnation votes in the controller group in place of the old one");

            TestCluster.await(() -> describe("kept").getPartitionsList().stream().allMatch(WipedNodeTest::settled), 60,
                    () -> "every partition replaced the old incarnation and caught up: " + describe("kept"));
            for (long g : groups) {
                assertTrue(cluster.nodes.get(wiped).context().replica(g) != null, "node " + wiped + " hosts group " + g);
            }
            producer.awaitAcknowledged(RECORDS, 60);

            for (int p = 0; p < PARTITIONS; p++) {
                assertTrue(calls.admin(2).transferLeadership(TransferLeadershipRequest.newBuilder().setTopic("kept")
                        .setPartition(p).setTargetNodeId(wiped).setTimeoutMs(10_000).build()).getDone(),
                        "the new incarnation takes over partition " + p);
            }
            for (int p = 0; p < PARTITIONS; p++) {
                assertEquals(wiped, calls.leaderOf("kept", p), "partition " + p + " is read from the wiped node");
            }
            assertEquals(RECORDS, ExactlyOnceCheck.verify(router, producer, 30), "every acknowledged record, once");
        }
    }

    @Test
    void aNewIncarnationIsRefusedWhileTheOldOneRunsAndAStrangerNeverJoins() {
        int leader = controllerLeader();
        ManagedChannel channel = cluster.channel(leader);
        int running = leader % 3 + 1;
        long incarnation = cluster.nodes.get(leader).context().metadata().nodes().get(running).incarnation();

        JoinResponse impostor = join(channel, running, incarnation + 1);
        assertFalse(impostor.getRegistered());
        assertTrue(impostor.getRefusal().contains("node " + running + " is still running as incarnation "
                + Long.toHexString(incarnation) + " at " + cluster.addresses.get(running)
                + "; stop it before starting the node with a new data directory"), impostor.getRefusal());
        JoinResponse stranger = join(channel, 9, 1);
        assertFalse(stranger.getRegistered());
        assertTrue(stranger.getRefusal().contains("node 9 is not one of this cluster's nodes [1, 2, 3]"),
                stranger.getRefusal());
        assertTrue(join(channel, running, incarnation).getRegistered(), "the running incarnation is registered");

        assertEquals(incarnation, cluster.nodes.get(leader).context().metadata().nodes().get(running).incarnation());
        assertEquals(3, cluster.nodes.get(leader).context().metadata().nodes().size(), "nothing changed");
    }

    private static JoinResponse join(ManagedChannel channel, int nodeId, long incarnation) {
        return ControllerLinkGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).join(JoinRequest.newBuilder().setAddress("127.0.0.1:1").setNode(io.flotilla.api.v1.NodeIdentity
                .newBuilder().setNodeId(nodeId).setIncarnation(incarnation)).build());
    }

    private static void wipe(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertTrue(Files.notExists(dir), dir + " is gone");
    }
}
