package io.flotilla.broker.node;

import io.flotilla.api.v1.CommitOffsetsRequest;
import io.flotilla.api.v1.FetchOffsetsRequest;
import io.flotilla.api.v1.FetchOffsetsResponse;
import io.flotilla.api.v1.ListOffsetsRequest;
import io.flotilla.api.v1.OffsetCommit;
import io.flotilla.api.v1.OffsetSpec;
import io.flotilla.broker.coordinator.CoordinatorConfig;
import io.flotilla.broker.coordinator.CoordinatorTopic;
import io.flotilla.store.CommittedOffset;
import io.flotilla.store.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Committed offsets survive the coordinator leader's node stopping and every node restarting
 * (issue 5, Done 2), with coordinator partitions that snapshot every 20 offsets: a node that
 * missed the entries a snapshot replaced installs the snapshot, and every replica's RocksDB copy
 * of the offsets ends up equal to the coordinator's answer, whatever it held before a start.
 */
class CommittedOffsetsDurabilityTest {
    private static final String GROUP = "ledger-readers";
    private static final String TOPIC = "ledger";
    private static final int PARTITIONS = 3;
    private static final int COMMITS = 50;
    private static final int EARLY_COMMITS = 10;
    private static final int SNAPSHOT_OFFSETS = 20;
    private static final int COORDINATOR_PARTITIONS = CoordinatorConfig.DEFAULTS.partitions();

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void offsetsSurviveAStopOfTheCoordinatorLeaderAndAFullRestartAndEveryReplicaKeepsThemInRocksDb() throws Exception {
        try (TestCluster cluster = new TestCluster(TestCluster.tempRoot(), 3,
                c -> c.withGroups(CoordinatorConfig.DEFAULTS.withSnapshotOffsets(SNAPSHOT_OFFSETS))).startAll()) {
            cluster.createTopic(TOPIC, PARTITIONS, 3);
            GroupClient client = new GroupClient(cluster);
            TestMember member = new TestMember("m", GROUP, List.of(TOPIC), 60_000, client, new ArrayList<>());
            while (member.owned.size() < PARTITIONS) {
                member.heartbeat();
            }

            // A follower misses every commit: the leader snapshots past its log meanwhile.
            int follower = cluster.nodes.keySet().stream().filter(n -> n != client.coordinatorOf(GROUP)).findFirst()
                    .orElseThrow();
            cluster.stop(follower);
            // Partitions 1 and 2 are committed early only, so their offsets reach the follower
            // through the snapshot alone; partition 0's keep changing after the last snapshot.
            for (int i = 1; i <= COMMITS; i++) {
                CommitOffsetsRequest.Builder commit = CommitOffsetsRequest.newBuilder().setGroupId(GROUP)
                        .setMemberId(member.id).setMemberEpoch(member.epoch);
                for (int p = 0; p < (i <= EARLY_COMMITS ? PARTITIONS : 1); p++) {
                    commit.addOffsets(OffsetCommit.newBuilder().setTopic(TOPIC).setPartition(p).setOffset(i * 10L + p)
                            .setMetadata("commit " + i));
                }
                client.call(GROUP, stub -> stub.commitOffsets(commit.build()));
            }
            member.leave();
            client.call(GROUP, stub -> stub.commitOffsets(CommitOffsetsRequest.newBuilder().setGroupId(GROUP)
                    .addOffsets(OffsetCommit.newBuilder().setTopic(TOPIC).setPartition(0).setOffset(7)
                            .setMetadata("set by a tool")).build()));
            FetchOffsetsResponse committed = fetch(client);
            assertEquals(PARTITIONS, committed.getOffsetsCount(), committed.toString());
            assertEquals(7, committed.getOffsets(0).getOffset());
            assertEquals(EARLY_COMMITS * 10L + 2, committed.getOffsets(2).getOffset());
            assertTrue(coordinatorLogStart(cluster, client) > COMMITS - SNAPSHOT_OFFSETS,
                    "the coordinator partition snapshotted and dropped the log before the snapshot");

            cluster.start(follower);
            cluster.awaitReady();
            awaitStoredOffsets(cluster, follower, committed);

            int leader = client.coordinatorOf(GROUP);
            cluster.stop(leader);
            assertEquals(committed, fetch(client), "the new coordinator has every committed offset");
            cluster.start(leader);
            cluster.awaitReady();

            // A copy no state machine backs (as when a deletion's write was lost in a crash) goes at the next start.
            cluster.nodes.get(follower).store().putCommittedOffset("ghost", TOPIC, 0, new CommittedOffset(1, "", 1));
            List<Integer> nodes = List.copyOf(cluster.addresses.keySet());
            nodes.forEach(cluster::stop);
            for (int id : nodes) {
                cluster.start(id);
            }
            cluster.awaitReady();
            assertEquals(committed, fetch(client), "every committed offset survives a restart of every node");
            for (int id : nodes) {
                awaitStoredOffsets(cluster, id, committed);
            }
            TestCluster.await(() -> cluster.nodes.get(follower).store().committedOffsets("ghost").isEmpty(), 20,
                    "the copy of a group no coordinator has is gone");

            TestMember next = new TestMember("n", GROUP, List.of(TOPIC), 60_000, client, new ArrayList<>());
            List<io.flotilla.api.v1.CommittedOffset> starts = new ArrayList<>();
            while (next.owned.size() < PARTITIONS) {
                starts.addAll(next.heartbeat().getStartOffsetsList());
            }
            starts.sort(java.util.Comparator.comparingInt(io.flotilla.api.v1.CommittedOffset::getPartition));
            assertEquals(committed.getOffsetsList(), starts,
                    "a member joining after the restart is told where to resume each partition, without FetchOffsets");
        }
    }

    private static FetchOffsetsResponse fetch(GroupClient client) {
        return client.call(GROUP, stub -> stub.fetchOffsets(FetchOffsetsRequest.newBuilder().setGroupId(GROUP).build()));
    }

    private static long coordinatorLogStart(TestCluster cluster, GroupClient client) {
        return cluster.broker(client.coordinatorOf(GROUP)).listOffsets(ListOffsetsRequest.newBuilder()
                .setTopic(CoordinatorTopic.NAME).setPartition(CoordinatorTopic.partitionOf(GROUP, COORDINATOR_PARTITIONS))
                .setSpec(OffsetSpec.newBuilder().setEarliest(true)).build()).getOffset();
    }

    /** The node's RocksDB copy of the group's offsets comes to equal the coordinator's answer. */
    private static void awaitStoredOffsets(TestCluster cluster, int node, FetchOffsetsResponse committed) {
        Map<TopicPartition, CommittedOffset> expected = new HashMap<>();
        committed.getOffsetsList().forEach(o -> expected.put(new TopicPartition(o.getTopic(), o.getPartition()),
                new CommittedOffset(o.getOffset(), o.getMetadata(), o.getCommitTimeMs())));
        TestCluster.await(() -> expected.equals(cluster.nodes.get(node).store().committedOffsets(GROUP)), 20,
                () -> "node " + node + " stores " + cluster.nodes.get(node).store().committedOffsets(GROUP)
                        + ", not " + expected);
    }
}
