package io.flotilla.broker.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.UnknownFieldSet;
import io.flotilla.api.internal.v1.MetadataSnapshot;
import io.flotilla.api.internal.v1.PartitionState;
import io.flotilla.api.internal.v1.RegisterNode;
import io.flotilla.api.internal.v1.RegisteredNode;
import io.flotilla.api.internal.v1.TopicState;
import io.flotilla.raft.MemberId;
import io.flotilla.api.v1.FlushPolicy;
import io.flotilla.api.v1.NodeIdentity;
import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class MetadataCodecTest {

    @Test
    void everyKindOfCommandRoundTrips() {
        TopicConfigOverrides config = TopicConfigOverrides.EMPTY
                .with(TopicConfigKey.RETENTION_MS, -1).with(TopicConfigKey.FLUSH_POLICY, 2).with(TopicConfigKey.SEGMENT_MS, Long.MAX_VALUE);
        List<MetadataCommand> commands = List.of(
                new MetadataCommand.RegisterNode(7, 0xFEDCBA9876543210L, "[::1]:9092"),
                new MetadataCommand.CreateTopic("orders", false, config, List.of(List.of(1, 2), List.of(2, 1))),
                new MetadataCommand.CreateTopic("__offsets", true, TopicConfigOverrides.EMPTY, List.of(List.of(3))),
                new MetadataCommand.DeleteTopic("orders"),
                new MetadataCommand.AlterTopicConfig("orders", config, EnumSet.of(TopicConfigKey.MAX_BATCH_BYTES, TopicConfigKey.SEGMENT_BYTES)),
                new MetadataCommand.CreatePartitions("orders", 5, List.of(List.of(1, 2), List.of(2, 3), List.of(3, 1))),
                new MetadataCommand.AllocateProducerIds(3, 1000),
                new MetadataCommand.SetPreferredLeaders(List.of(new MetadataCommand.PreferredLeader("orders", 4, 3),
                        new MetadataCommand.PreferredLeader("__offsets", 0, 2))),
                new MetadataCommand.AlterReplicationFactor("orders", 3, List.of(List.of(1, 2, 3), List.of(2, 3, 1))),
                new MetadataCommand.ReplicasLeft(12, 3, List.of(new MemberId(2, 0xB2), new MemberId(3, 7))));
        for (MetadataCommand command : commands) {
            assertEquals(command, MetadataCodec.decodeCommand(ByteBuffer.wrap(MetadataCodec.encode(command))));
        }
    }

    @Test
    void decodingLeavesTheBuffersPositionAlone() {
        ByteBuffer entry = ByteBuffer.wrap(MetadataCodec.encode(new MetadataCommand.DeleteTopic("t")));
        MetadataCodec.decodeCommand(entry);
        assertEquals(0, entry.position());
    }

    @Test
    void bytesThatAreNotACommandAreRefused() {
        assertRefused(ByteBuffer.wrap(new byte[] {(byte) 0xff, (byte) 0xff}), "not a metadata command");
        assertRefused(ByteBuffer.allocate(0), "holds no command");
    }

    @Test
    void fieldsThisVersionDoesNotKnowAreRefusedAtAnyDepth() {
        UnknownFieldSet unknown = UnknownFieldSet.newBuilder()
                .addField(99, UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build();
        io.flotilla.api.internal.v1.MetadataCommand nested = io.flotilla.api.internal.v1.MetadataCommand.newBuilder()
                .setRegisterNode(RegisterNode.newBuilder().setNodeId(1).setIncarnation(1).setAddress("h:1").setUnknownFields(unknown))
                .build();
        assertRefused(ByteBuffer.wrap(nested.toByteArray()), "fields [99] of flotilla.internal.v1.RegisterNode");

        io.flotilla.api.internal.v1.MetadataCommand topLevel = io.flotilla.api.internal.v1.MetadataCommand.newBuilder()
                .setDeleteTopic(io.flotilla.api.internal.v1.DeleteTopic.newBuilder().setName("t")).setUnknownFields(unknown).build();
        assertRefused(ByteBuffer.wrap(topLevel.toByteArray()), "newer");
    }

    @Test
    void aResetOfAnUnknownSettingIsRefused() {
        io.flotilla.api.internal.v1.MetadataCommand alter = io.flotilla.api.internal.v1.MetadataCommand.newBuilder()
                .setAlterTopicConfig(io.flotilla.api.internal.v1.AlterTopicConfig.newBuilder().setName("t").addReset("compression"))
                .build();
        assertRefused(ByteBuffer.wrap(alter.toByteArray()), "resets 'compression'");
    }

    @Test
    void everyTopicConfigFieldOfTheContractIsAKeyAndBack() {
        Set<String> protoFields = io.flotilla.api.v1.TopicConfig.getDescriptor().getFields().stream()
                .map(FieldDescriptor::getName).collect(Collectors.toCollection(TreeSet::new));
        Set<String> keys = Stream.of(TopicConfigKey.values()).map(TopicConfigKey::protoName)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(protoFields, keys);
    }

    @Test
    void overridesAreExactlyTheSetFieldsOfATopicConfig() {
        io.flotilla.api.v1.TopicConfig proto = io.flotilla.api.v1.TopicConfig.newBuilder()
                .setRetentionBytes(-1).setMaxBatchBytes(2048).setFlushPolicy(FlushPolicy.FLUSH_POLICY_PAGE_CACHE).build();
        TopicConfigOverrides overrides = MetadataCodec.overrides(proto);
        assertEquals(TopicConfigOverrides.EMPTY.with(TopicConfigKey.RETENTION_BYTES, -1)
                .with(TopicConfigKey.MAX_BATCH_BYTES, 2048).with(TopicConfigKey.FLUSH_POLICY, 2), overrides);
        assertEquals(proto, MetadataCodec.toProto(overrides));
        assertEquals(TopicConfigOverrides.EMPTY, MetadataCodec.overrides(io.flotilla.api.v1.TopicConfig.getDefaultInstance()));
    }

    @Test
    void anUnknownFlushPolicyIsCarriedSoApplyingCanRefuseIt() {
        io.flotilla.api.v1.TopicConfig proto = io.flotilla.api.v1.TopicConfig.newBuilder().setFlushPolicyValue(9).build();
        TopicConfigOverrides overrides = MetadataCodec.overrides(proto);
        assertEquals(TopicConfigOverrides.EMPTY.with(TopicConfigKey.FLUSH_POLICY, 9), overrides);
        assertEquals(9, MetadataCodec.toProto(overrides).getFlushPolicyValue());
    }

    @Test
    void valuesTheWireCannotHoldAreRefusedWhenEncoding() {
        assertThrows(IllegalArgumentException.class,
                () -> MetadataCodec.toProto(TopicConfigOverrides.EMPTY.with(TopicConfigKey.FLUSH_POLICY, 0)));
        assertThrows(IllegalArgumentException.class,
                () -> MetadataCodec.toProto(TopicConfigOverrides.EMPTY.with(TopicConfigKey.SEGMENT_BYTES, 1L << 31)));
    }

    @Test
    void theDefaultsAreTheContractsDocumentedOnes() {
        assertEquals(new TopicConfig(604_800_000L, -1L, 1_048_576, TopicConfig.FlushPolicy.FSYNC, 1_000, 134_217_728, 604_800_000L),
                TopicConfig.DEFAULTS);
    }

    @Test
    void aSnapshotBreakingTheMetadatasInvariantsIsRefused() {
        assertSnapshotRefused(s -> s.addNodes(node(1)), "node 1 is registered twice");
        assertSnapshotRefused(s -> s.setTopics(0, s.getTopics(0).toBuilder().setName("bad name")), "position 3");
        assertSnapshotRefused(s -> s.setTopics(0, s.getTopics(0).toBuilder()
                .setConfig(io.flotilla.api.v1.TopicConfig.newBuilder().setSegmentMs(1))), "segment_ms is 1");
        assertSnapshotRefused(s -> s.setNextGroupId(1), "not below the next group id 1");
        assertSnapshotRefused(s -> s.addTopics(s.getTopics(0).toBuilder().setName("u")), "group 1 of topic 'u' is used twice");
        assertSnapshotRefused(s -> s.setNextGroupId(3).addTopics(s.getTopics(0).toBuilder().setPartitions(0, partition(2, 1))),
                "'t' appears twice");
        assertSnapshotRefused(s -> s.setTopics(0, s.getTopics(0).toBuilder().setTopicId(9)), "created (at 9) after");
        assertSnapshotRefused(s -> s.setTopics(0, s.getTopics(0).toBuilder().setPartitions(0,
                partition(1, 2))), "node 2, which is not registered");
        assertSnapshotRefused(s -> s.setTopics(0, s.getTopics(0).toBuilder().setPartitions(0,
                partition(1, 1, 1))), "node 1 twice");
        assertSnapshotRefused(s -> s.setNodes(0, node(1).toBuilder().setAddress("nowhere")), "'nowhere'");
        assertSnapshotRefused(s -> s.setTopics(0, s.getTopics(0).toBuilder().setPartitions(0, partition(1, 1).toBuilder()
                .addLeaving(NodeIdentity.newBuilder().setNodeId(1).setIncarnation(5)))), "both as a replica and as leaving");
        assertSnapshotRefused(s -> s.setTopics(0, s.getTopics(0).toBuilder().setPartitions(0, partition(1, 1).toBuilder()
                .setEpoch(-1))), "epoch -1");
        assertSnapshotRefused(s -> s.setNextProducerId(0), "nextProducerId >= 1");
    }

    @Test
    void theValidSnapshotTheRefusalsStartFromDecodes() {
        ClusterMetadata metadata = MetadataCodec.decodeSnapshot(validSnapshot().build().toByteArray());
        assertEquals(1, metadata.topics().get("t").partitions().get(0).groupId());
        assertEquals(3, metadata.version());
    }

    /** One node, topic 't' created at offset 2 with one partition (group 1), version 3. */
    private static MetadataSnapshot.Builder validSnapshot() {
        return MetadataSnapshot.newBuilder().setVersion(3).setNextGroupId(2).setNextProducerId(1)
                .addNodes(node(1))
                .addTopics(TopicState.newBuilder().setName("t").setTopicId(2).setReplicationFactor(1).addPartitions(partition(1, 1)));
    }

    private static RegisteredNode node(int id) {
        return RegisteredNode.newBuilder().setIdentity(NodeIdentity.newBuilder().setNodeId(id).setIncarnation(5))
                .setAddress("n:1").setRegisteredAt(1).build();
    }

    private static PartitionState partition(long groupId, int... nodes) {
        PartitionState.Builder p = PartitionState.newBuilder().setGroupId(groupId);
        for (int n : nodes) {
            p.addReplicas(NodeIdentity.newBuilder().setNodeId(n).setIncarnation(5));
        }
        return p.build();
    }

    private static void assertSnapshotRefused(UnaryOperator<MetadataSnapshot.Builder> breakIt, String inMessage) {
        byte[] bytes = breakIt.apply(validSnapshot()).build().toByteArray();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MetadataCodec.decodeSnapshot(bytes));
        assertTrue(e.getMessage().contains(inMessage), "'" + e.getMessage() + "' should contain '" + inMessage + "'");
    }

    private static void assertRefused(ByteBuffer bytes, String inMessage) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MetadataCodec.decodeCommand(bytes));
        assertTrue(e.getMessage().contains(inMessage), "'" + e.getMessage() + "' should contain '" + inMessage + "'");
    }
}
