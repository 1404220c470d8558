package io.flotilla.broker.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.api.v1.ErrorReason;
import io.flotilla.broker.metadata.CommandResult.NodeRegistered;
import io.flotilla.broker.metadata.CommandResult.PartitionsCreated;
import io.flotilla.broker.metadata.CommandResult.PreferredLeadersSet;
import io.flotilla.broker.metadata.CommandResult.ProducerIdsAllocated;
import io.flotilla.broker.metadata.CommandResult.ReplicationFactorAltered;
import io.flotilla.broker.metadata.CommandResult.TopicConfigAltered;
import io.flotilla.broker.metadata.CommandResult.TopicCreated;
import io.flotilla.broker.metadata.CommandResult.TopicDeleted;
import io.flotilla.broker.metadata.MetadataCommand.AllocateProducerIds;
import io.flotilla.broker.metadata.MetadataCommand.AlterReplicationFactor;
import io.flotilla.broker.metadata.MetadataCommand.AlterTopicConfig;
import io.flotilla.broker.metadata.MetadataCommand.CreatePartitions;
import io.flotilla.broker.metadata.MetadataCommand.CreateTopic;
import io.flotilla.broker.metadata.MetadataCommand.DeleteTopic;
import io.flotilla.broker.metadata.MetadataCommand.PreferredLeader;
import io.flotilla.broker.metadata.MetadataCommand.RegisterNode;
import io.flotilla.broker.metadata.MetadataCommand.ReplicasLeft;
import io.flotilla.broker.metadata.MetadataCommand.SetPreferredLeaders;
import io.flotilla.raft.MemberId;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CommandApplierTest {

    private ClusterMetadata state = ClusterMetadata.EMPTY;
    private long offset;

    @Test
    void registeringNodesRecordsIncarnationAddressAndOffset() {
        NodeRegistered result = (NodeRegistered) apply(register(1, 0xA1));
        assertEquals(new NodeRegistered(new MemberId(1, 0xA1), false), result);
        assertEquals(new NodeRegistration(1, 0xA1, "node1:9092", 1), state.nodes().get(1));
        assertEquals(1, state.version());

        apply(new RegisterNode(1, 0xA1, "[::1]:9093"));
        assertEquals(new NodeRegistration(1, 0xA1, "[::1]:9093", 1), state.nodes().get(1),
                "a new address under the same incarnation keeps its registration offset");
        assertEquals(2, state.version());
    }

    @Test
    void topicReplicasAreTheNodesRegisteredIncarnationsAndGroupIdsCountFromOne() {
        registerNodes(3);
        TopicCreated created = (TopicCreated) apply(create("orders", List.of(1, 2, 3), List.of(2, 3, 1)));

        assertEquals(new TopicCreated(4, List.of(1L, 2L)), created, "topic id is the creation's offset");
        Topic topic = state.topic("orders").orElseThrow();
        assertEquals(List.of(new Partition(1, List.of(member(1), member(2), member(3))),
                new Partition(2, List.of(member(2), member(3), member(1)))), topic.partitions());
        assertEquals(3, topic.replicationFactor());
        assertEquals(TopicConfig.DEFAULTS, topic.effectiveConfig());
        assertEquals(3, state.nextGroupId());
        assertEquals(4, state.version());
    }

    @Test
    void aWipedNodeRegistersAnewAndItsPartitionsWantTheNewIncarnationInTheOldOnesPlace() {
        registerNodes(3);
        apply(create("before", List.of(1, 2), List.of(2, 3), List.of(1, 3)));
        NodeRegistered again = (NodeRegistered) apply(register(2, 0xB2));
        assertEquals(new NodeRegistered(new MemberId(2, 0xB2), true), again);
        assertEquals(5, state.nodes().get(2).registeredAt());
        apply(create("after", List.of(2, 1)));

        List<Partition> before = state.topic("before").orElseThrow().partitions();
        MemberId fresh = new MemberId(2, 0xB2);
        assertEquals(new Partition(1, List.of(member(1), fresh), List.of(member(2)), 1), before.get(0),
                "same place in the list, the old incarnation leaving");
        assertEquals(new Partition(2, List.of(fresh, member(3)), List.of(member(2)), 1), before.get(1),
                "it stays the preferred leader");
        assertEquals(new Partition(3, List.of(member(1), member(3))), before.get(2), "no replica there: unchanged");
        assertEquals(List.of(fresh, member(1)), state.topic("after").orElseThrow().partitions().get(0).replicas());
    }

    @Test
    void raisingTheReplicationFactorAddsTheNewNodesMembersAndKeepsTheOthers() {
        registerNodes(4);
        apply(create("t", List.of(1, 2), List.of(2, 3)));
        ReplicationFactorAltered altered = (ReplicationFactorAltered) apply(
                new AlterReplicationFactor("t", 3, List.of(List.of(1, 2, 4), List.of(2, 3, 1))));

        assertEquals(new ReplicationFactorAltered(3), altered);
        Topic t = state.topic("t").orElseThrow();
        assertEquals(3, t.replicationFactor());
        assertEquals(new Partition(1, List.of(member(1), member(2), member(4)), List.of(), 1), t.partitions().get(0));
        assertEquals(new Partition(2, List.of(member(2), member(3), member(1)), List.of(), 1), t.partitions().get(1));
        assertEquals(6, state.version());
    }

    @Test
    void loweringTheReplicationFactorLetsReplicasLeaveUntilTheirRemovalIsReported() {
        registerNodes(3);
        apply(create("t", List.of(1, 2, 3)));
        apply(new AlterReplicationFactor("t", 2, List.of(List.of(1, 2))));
        Partition lowered = state.topic("t").orElseThrow().partitions().get(0);
        assertEquals(new Partition(1, List.of(member(1), member(2)), List.of(member(3)), 1), lowered);
        assertEquals(List.of(member(1), member(2), member(3)), lowered.hosted(), "node 3 keeps its replica for now");

        assertRejected(new ReplicasLeft(1, 0, List.of(member(3))), ErrorReason.ERROR_REASON_INVALID_REQUEST,
                "is at epoch 1, not 0");
        assertRejected(new ReplicasLeft(1, 1, List.of(member(2))), ErrorReason.ERROR_REASON_INVALID_REQUEST,
                "are not all among them");
        assertEquals(new CommandResult.ReplicasLeft(1, 2), apply(new ReplicasLeft(1, 1, List.of(member(3)))));
        assertEquals(new Partition(1, List.of(member(1), member(2)), List.of(), 2), state.topic("t").orElseThrow()
                .partitions().get(0));
    }

    @Test
    void aLeavingMemberWantedAgainStopsLeavingAndAPreferenceAloneKeepsTheEpoch() {
        registerNodes(3);
        apply(create("t", List.of(1, 2, 3)));
        apply(new AlterReplicationFactor("t", 2, List.of(List.of(1, 2))));
        apply(new AlterReplicationFactor("t", 3, List.of(List.of(1, 2, 3))));
        assertEquals(new Partition(1, List.of(member(1), member(2), member(3)), List.of(), 2),
                state.topic("t").orElseThrow().partitions().get(0), "the same member, never removed");

        apply(new SetPreferredLeaders(List.of(new PreferredLeader("t", 0, 3))));
        assertEquals(2, state.topic("t").orElseThrow().partitions().get(0).epoch());
    }

    @Test
    void deletingATopicFreesItsNameButNeverItsGroupIds() {
        registerNodes(1);
        apply(create("t", List.of(1), List.of(1)));
        TopicDeleted deleted = (TopicDeleted) apply(new DeleteTopic("t"));
        assertEquals(new TopicDeleted(2, List.of(1L, 2L)), deleted);
        assertTrue(state.topics().isEmpty());

        TopicCreated again = (TopicCreated) apply(create("t", List.of(1)));
        assertEquals(new TopicCreated(4, List.of(3L)), again);
    }

    @Test
    void alteringConfigSetsAndResetsOverridesTogether() {
        registerNodes(1);
        TopicConfigOverrides initial = TopicConfigOverrides.EMPTY
                .with(TopicConfigKey.RETENTION_MS, 60_000).with(TopicConfigKey.SEGMENT_BYTES, 1 << 20);
        apply(new CreateTopic("t", false, initial, List.of(List.of(1))));

        TopicConfigOverrides set = TopicConfigOverrides.EMPTY
                .with(TopicConfigKey.FLUSH_POLICY, TopicConfig.FlushPolicy.PAGE_CACHE.number())
                .with(TopicConfigKey.SEGMENT_BYTES, 2 << 20);
        TopicConfigAltered altered = (TopicConfigAltered) apply(new AlterTopicConfig("t", set, Set.of(TopicConfigKey.RETENTION_MS)));

        TopicConfigOverrides expected = TopicConfigOverrides.EMPTY
                .with(TopicConfigKey.FLUSH_POLICY, 2).with(TopicConfigKey.SEGMENT_BYTES, 2 << 20);
        assertEquals(expected, altered.overrides());
        Topic topic = state.topic("t").orElseThrow();
        assertEquals(expected, topic.config());
        TopicConfig effective = topic.effectiveConfig();
        assertEquals(TopicConfig.DEFAULTS.retentionMs(), effective.retentionMs(), "reset to the default");
        assertEquals(TopicConfig.FlushPolicy.PAGE_CACHE, effective.flushPolicy());
        assertEquals(2 << 20, effective.segmentBytes());
    }

    @Test
    void newPartitionsGetTheNextGroupIdsAfterTheExistingOnes() {
        registerNodes(2);
        apply(create("a", List.of(1, 2)));
        apply(create("b", List.of(2, 1)));
        PartitionsCreated created = (PartitionsCreated) apply(new CreatePartitions("a", 3, List.of(List.of(2, 1), List.of(1, 2))));

        assertEquals(new PartitionsCreated(List.of(3L, 4L)), created);
        Topic a = state.topic("a").orElseThrow();
        assertEquals(List.of(1L, 3L, 4L), a.groupIds());
        assertEquals(List.of(member(2), member(1)), a.partitions().get(1).replicas());
        assertEquals(5, state.nextGroupId());
    }

    @Test
    void producerIdBlocksFollowEachOtherFromOne() {
        registerNodes(2);
        assertEquals(new ProducerIdsAllocated(1, 1000), apply(new AllocateProducerIds(1, 1000)));
        assertEquals(new ProducerIdsAllocated(1001, 10), apply(new AllocateProducerIds(2, 10)));
        assertEquals(1011, state.nextProducerId());
    }

    @Test
    void aPreferredLeaderMovesToTheFrontOfItsReplicaListAndTheOthersKeepTheirOrder() {
        registerNodes(3);
        apply(create("a", List.of(1, 2, 3), List.of(2, 3, 1)));
        apply(new CreateTopic("__internal", true, TopicConfigOverrides.EMPTY, List.of(List.of(3, 1))));
        long groupIdAfter = state.nextGroupId();

        PreferredLeadersSet set = (PreferredLeadersSet) apply(new SetPreferredLeaders(List.of(
                new PreferredLeader("a", 0, 3), new PreferredLeader("a", 1, 2), new PreferredLeader("__internal", 0, 1))));

        assertEquals(new PreferredLeadersSet(6), set, "the answer carries the change's offset");
        assertEquals(6, state.version());
        Topic a = state.topic("a").orElseThrow();
        assertEquals(List.of(member(3), member(1), member(2)), a.partitions().get(0).replicas());
        assertEquals(List.of(member(2), member(3), member(1)), a.partitions().get(1).replicas(), "already preferred");
        assertEquals(List.of(member(1), member(3)), state.topic("__internal").orElseThrow().partitions().get(0).replicas(),
                "the cluster's own topics are balanced too");
        assertEquals(List.of(1L, 2L), a.groupIds(), "the groups and their members stay");
        assertEquals(groupIdAfter, state.nextGroupId());
    }

    @Test
    void oneRefusedPreferenceRefusesTheWholeCommand() {
        registerNodes(3);
        apply(create("a", List.of(1, 2), List.of(2, 3)));
        assertRejected(new SetPreferredLeaders(List.of(new PreferredLeader("a", 0, 2), new PreferredLeader("a", 1, 1))),
                ErrorReason.ERROR_REASON_NOT_A_REPLICA, "node 1 holds no replica of partition 1 of topic 'a'");
        assertEquals(List.of(member(1), member(2)), state.topic("a").orElseThrow().partitions().get(0).replicas());
    }

    @Test
    void internalTopicsAreCreatedByTheClusterAndProtectedFromClients() {
        registerNodes(1);
        apply(new CreateTopic("__offsets", true, TopicConfigOverrides.EMPTY, List.of(List.of(1))));
        assertTrue(state.topic("__offsets").orElseThrow().internal());
        assertRejected(new DeleteTopic("__offsets"), ErrorReason.ERROR_REASON_INTERNAL_TOPIC, "'__offsets' is internal");
        assertRejected(new AlterTopicConfig("__offsets", TopicConfigOverrides.EMPTY, Set.of()),
                ErrorReason.ERROR_REASON_INTERNAL_TOPIC, "internal");
        assertRejected(new CreatePartitions("__offsets", 2, List.of(List.of(1))), ErrorReason.ERROR_REASON_INTERNAL_TOPIC, "internal");
        assertRejected(new AlterReplicationFactor("__offsets", 1, List.of(List.of(1))),
                ErrorReason.ERROR_REASON_INTERNAL_TOPIC, "internal");
    }

    @Test
    void anEntryAtOrBelowTheVersionIsRefusedAsAReplay() {
        registerNodes(1);
        assertThrows(IllegalArgumentException.class, () -> CommandApplier.apply(state, state.version(), register(2, 1)));
        assertThrows(IllegalArgumentException.class, () -> CommandApplier.apply(ClusterMetadata.EMPTY, 0, register(2, 1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejections")
    void aRejectedCommandChangesNothingAndSaysWhy(String why, MetadataCommand command, ErrorReason reason, String inMessage) {
        registerNodes(3);
        apply(create("existing", List.of(1, 2), List.of(2, 3)));
        apply(new CreateTopic("__internal", true, TopicConfigOverrides.EMPTY, List.of(List.of(1))));

        assertRejected(command, reason, inMessage);
    }

    static Stream<Arguments> rejections() {
        TopicConfigOverrides badRetention = TopicConfigOverrides.EMPTY.with(TopicConfigKey.RETENTION_MS, 5);
        List<Integer> rf2 = List.of(1, 2);
        return Stream.of(
                rejection("node id 0", new RegisterNode(0, 1, "h:1"), ErrorReason.ERROR_REASON_INVALID_REQUEST, "node id must be 1"),
                rejection("incarnation 0", new RegisterNode(4, 0, "h:1"), ErrorReason.ERROR_REASON_INVALID_REQUEST, "incarnation 0"),
                rejection("address without port", new RegisterNode(4, 1, "host"), ErrorReason.ERROR_REASON_INVALID_REQUEST, "'host'"),
                rejection("port 0", new RegisterNode(4, 1, "host:0"), ErrorReason.ERROR_REASON_INVALID_REQUEST, "host:port"),
                rejection("port 65536", new RegisterNode(4, 1, "host:65536"), ErrorReason.ERROR_REASON_INVALID_REQUEST, "1 .. 65535"),
                rejection("IPv6 without brackets", new RegisterNode(4, 1, "::1:80"), ErrorReason.ERROR_REASON_INVALID_REQUEST, "brackets"),
                rejection("empty host", new RegisterNode(4, 1, ":80"), ErrorReason.ERROR_REASON_INVALID_REQUEST, "host:port"),
                rejection("bad topic name", create("a b", rf2), ErrorReason.ERROR_REASON_INVALID_TOPIC_NAME, "position 1"),
                rejection("reserved name", create("__mine", rf2), ErrorReason.ERROR_REASON_INVALID_TOPIC_NAME, "reserved"),
                rejection("internal without prefix", new CreateTopic("plain", true, TopicConfigOverrides.EMPTY, List.of(rf2)),
                        ErrorReason.ERROR_REASON_INVALID_TOPIC_NAME, "must start with"),
                rejection("no partitions", new CreateTopic("t", false, TopicConfigOverrides.EMPTY, List.of()),
                        ErrorReason.ERROR_REASON_INVALID_PARTITION_COUNT, "got 0"),
                rejection("4097 partitions", new CreateTopic("t", false, TopicConfigOverrides.EMPTY,
                        Collections.nCopies(4097, List.of(1))), ErrorReason.ERROR_REASON_INVALID_PARTITION_COUNT, "1 .. 4096, got 4097"),
                rejection("replication factor 8", create("t", List.of(1, 2, 3, 4, 5, 6, 7, 8)),
                        ErrorReason.ERROR_REASON_INVALID_REPLICATION_FACTOR, "1 .. 7, got 8"),
                rejection("uneven replica counts", create("t", rf2, List.of(1)), ErrorReason.ERROR_REASON_INVALID_REPLICATION_FACTOR,
                        "partition 1 is assigned 1 replicas"),
                rejection("a node twice in a partition", create("t", List.of(2, 2)), ErrorReason.ERROR_REASON_INVALID_REQUEST,
                        "only one replica"),
                rejection("config out of range", new CreateTopic("t", false, badRetention, List.of(rf2)),
                        ErrorReason.ERROR_REASON_INVALID_CONFIG, "retention_ms is 5"),
                rejection("topic exists", create("existing", rf2), ErrorReason.ERROR_REASON_TOPIC_ALREADY_EXISTS, "'existing' already exists"),
                rejection("more replicas than nodes", create("t", List.of(1, 2, 3, 4)), ErrorReason.ERROR_REASON_NOT_ENOUGH_NODES,
                        "the cluster has 3"),
                rejection("unregistered node", create("t", List.of(1, 9)), ErrorReason.ERROR_REASON_NODE_NOT_FOUND,
                        "node 9 is not registered"),
                rejection("delete unknown", new DeleteTopic("nope"), ErrorReason.ERROR_REASON_TOPIC_NOT_FOUND, "'nope' does not exist"),
                rejection("delete bad name", new DeleteTopic(".."), ErrorReason.ERROR_REASON_INVALID_TOPIC_NAME, "'..'"),
                rejection("delete internal", new DeleteTopic("__internal"), ErrorReason.ERROR_REASON_INTERNAL_TOPIC, "internal"),
                rejection("alter unknown", new AlterTopicConfig("nope", TopicConfigOverrides.EMPTY, Set.of()),
                        ErrorReason.ERROR_REASON_TOPIC_NOT_FOUND, "'nope'"),
                rejection("alter out of range", new AlterTopicConfig("existing", badRetention, Set.of()),
                        ErrorReason.ERROR_REASON_INVALID_CONFIG, "retention_ms"),
                rejection("alter set and reset", new AlterTopicConfig("existing", TopicConfigOverrides.EMPTY
                        .with(TopicConfigKey.SEGMENT_MS, 60_000), Set.of(TopicConfigKey.SEGMENT_MS)),
                        ErrorReason.ERROR_REASON_INVALID_CONFIG, "both set and reset"),
                rejection("partitions not raised", new CreatePartitions("existing", 2, List.of()),
                        ErrorReason.ERROR_REASON_INVALID_PARTITION_COUNT, "has 2 partitions; the new count must be above that, got 2"),
                rejection("partitions above the limit", new CreatePartitions("existing", 4097, List.of()),
                        ErrorReason.ERROR_REASON_INVALID_PARTITION_COUNT, "got 4097"),
                rejection("partitions of unknown topic", new CreatePartitions("nope", 3, List.of(rf2)),
                        ErrorReason.ERROR_REASON_TOPIC_NOT_FOUND, "'nope'"),
                rejection("too few assignments", new CreatePartitions("existing", 4, List.of(rf2)),
                        ErrorReason.ERROR_REASON_INVALID_REQUEST, "needs 2 replica assignments, got 1"),
                rejection("new partition of another replication factor", new CreatePartitions("existing", 3, List.of(List.of(1))),
                        ErrorReason.ERROR_REASON_INVALID_REPLICATION_FACTOR, "partition 2 is assigned 1 replicas"),
                rejection("new partition on unregistered node", new CreatePartitions("existing", 3, List.of(List.of(1, 7))),
                        ErrorReason.ERROR_REASON_NODE_NOT_FOUND, "node 7 is not registered, so it cannot hold a replica of partition 2"),
                rejection("replication factor 0", new AlterReplicationFactor("existing", 0, List.of()),
                        ErrorReason.ERROR_REASON_INVALID_REPLICATION_FACTOR, "1 .. 7, got 0"),
                rejection("replication factor above the nodes", new AlterReplicationFactor("existing", 4,
                        List.of(List.of(1, 2, 3, 4), List.of(1, 2, 3, 4))), ErrorReason.ERROR_REASON_NOT_ENOUGH_NODES,
                        "the cluster has 3"),
                rejection("replication factor of unknown topic", new AlterReplicationFactor("nope", 2, List.of(rf2)),
                        ErrorReason.ERROR_REASON_TOPIC_NOT_FOUND, "'nope'"),
                rejection("replication factor with too few assignments", new AlterReplicationFactor("existing", 3,
                        List.of(List.of(1, 2, 3))), ErrorReason.ERROR_REASON_INVALID_REQUEST, "needs that many replica assignments, got 1"),
                rejection("replication factor unlike the assignments", new AlterReplicationFactor("existing", 3,
                        List.of(List.of(1, 2, 3), rf2)), ErrorReason.ERROR_REASON_INVALID_REPLICATION_FACTOR,
                        "partition 1 is assigned 2 replicas"),
                rejection("replicas left of an unknown group", new ReplicasLeft(99, 0, List.of(new MemberId(1, 0xA1))),
                        ErrorReason.ERROR_REASON_PARTITION_NOT_FOUND, "group 99"),
                rejection("no producer ids", new AllocateProducerIds(1, 0), ErrorReason.ERROR_REASON_INVALID_REQUEST, "asked for 0"),
                rejection("too many producer ids", new AllocateProducerIds(1, CommandApplier.MAX_PRODUCER_ID_BLOCK + 1),
                        ErrorReason.ERROR_REASON_INVALID_REQUEST, "1 .. 1048576"),
                rejection("producer ids for unknown node", new AllocateProducerIds(5, 10), ErrorReason.ERROR_REASON_NODE_NOT_FOUND,
                        "node 5 is not registered"),
                rejection("no preferred leaders", new SetPreferredLeaders(List.of()), ErrorReason.ERROR_REASON_INVALID_REQUEST,
                        "at least one partition"),
                rejection("prefer in bad topic name", prefer("a b", 0, 1), ErrorReason.ERROR_REASON_INVALID_TOPIC_NAME, "'a b'"),
                rejection("prefer in unknown topic", prefer("nope", 0, 1), ErrorReason.ERROR_REASON_TOPIC_NOT_FOUND, "'nope' does not exist"),
                rejection("prefer in partition 2 of 2", prefer("existing", 2, 1), ErrorReason.ERROR_REASON_PARTITION_NOT_FOUND,
                        "has partitions 0 .. 1; partition 2 does not exist"),
                rejection("prefer in partition -1", prefer("existing", -1, 1), ErrorReason.ERROR_REASON_PARTITION_NOT_FOUND,
                        "partition -1 does not exist"),
                rejection("prefer an unregistered node", prefer("existing", 0, 8), ErrorReason.ERROR_REASON_NODE_NOT_FOUND,
                        "node 8 is not registered, so it cannot lead partition 0 of topic 'existing'"),
                rejection("prefer a node without a replica", prefer("existing", 0, 3), ErrorReason.ERROR_REASON_NOT_A_REPLICA,
                        "node 3 holds no replica of partition 0 of topic 'existing', so it cannot lead it; its replicas are on nodes [1, 2]"),
                rejection("prefer a partition twice", new SetPreferredLeaders(List.of(new PreferredLeader("existing", 1, 2),
                        new PreferredLeader("existing", 1, 3))), ErrorReason.ERROR_REASON_INVALID_REQUEST, "named twice"));
    }

    private static SetPreferredLeaders prefer(String topic, int partition, int nodeId) {
        return new SetPreferredLeaders(List.of(new PreferredLeader(topic, partition, nodeId)));
    }

    private void assertRejected(MetadataCommand command, ErrorReason reason, String inMessage) {
        ClusterMetadata before = state;
        CommandApplier.Transition t = CommandApplier.apply(state, ++offset, command);
        Rejection rejection = assertInstanceOf(Rejection.class, t.result());
        assertEquals(reason, rejection.reason(), rejection.message());
        assertTrue(rejection.message().contains(inMessage), "'" + rejection.message() + "' should contain '" + inMessage + "'");
        assertSame(before, t.state(), "a rejected command changes nothing, not even the version");
    }

    private static Arguments rejection(String why, MetadataCommand command, ErrorReason reason, String inMessage) {
        return Arguments.of(why, command, reason, inMessage);
    }

    @SafeVarargs
    private static CreateTopic create(String name, List<Integer>... assignments) {
        return new CreateTopic(name, false, TopicConfigOverrides.EMPTY, List.of(assignments));
    }

    private CommandResult apply(MetadataCommand command) {
        CommandApplier.Transition t = CommandApplier.apply(state, ++offset, command);
        if (t.result() instanceof Rejection r) {
            throw new AssertionError("unexpected rejection of " + command + ": " + r);
        }
        state = t.state();
        return t.result();
    }

    private void registerNodes(int count) {
        for (int id = 1; id <= count; id++) {
            apply(register(id, 0xA0 + id));
        }
    }

    private static RegisterNode register(int nodeId, long incarnation) {
        return new RegisterNode(nodeId, incarnation, "node" + nodeId + ":9092");
    }

    private static MemberId member(int nodeId) {
        return new MemberId(nodeId, 0xA0 + nodeId);
    }
}
