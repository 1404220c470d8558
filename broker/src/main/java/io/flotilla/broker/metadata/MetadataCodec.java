package io.flotilla.broker.metadata;

import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import io.flotilla.api.internal.v1.AllocateProducerIds;
import io.flotilla.api.internal.v1.AlterReplicationFactor;
import io.flotilla.api.internal.v1.AlterTopicConfig;
import io.flotilla.api.internal.v1.CreatePartitions;
import io.flotilla.api.internal.v1.CreateTopic;
import io.flotilla.api.internal.v1.DeleteTopic;
import io.flotilla.api.internal.v1.MetadataSnapshot;
import io.flotilla.api.internal.v1.PartitionState;
import io.flotilla.api.internal.v1.PreferredLeader;
import io.flotilla.api.internal.v1.RegisterNode;
import io.flotilla.api.internal.v1.RegisteredNode;
import io.flotilla.api.internal.v1.ReplicaNodes;
import io.flotilla.api.internal.v1.ReplicasLeft;
import io.flotilla.api.internal.v1.SetPreferredLeaders;
import io.flotilla.api.internal.v1.TopicState;
import io.flotilla.api.v1.NodeIdentity;
import io.flotilla.raft.MemberId;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Metadata commands and snapshots in protobuf (flotilla/internal/v1/metadata.proto), and topic
 * configuration overrides as {@code flotilla.v1.TopicConfig}.
 *
 * <p>Decoding refuses, with an {@link IllegalArgumentException} naming the problem, what it
 * cannot take in full: bytes that do not parse, fields this version does not know (a node that
 * skipped part of a newer node's command would diverge from it), a missing command, an unknown
 * setting name, and snapshots that break the metadata's invariants (duplicate node ids, topic
 * names or group ids, a group id not below the next one, a replica on an unregistered node).
 * Values a command may hold but not be allowed (a bad topic name, an out-of-range setting)
 * decode, and applying rejects them.
 */
public final class MetadataCodec {

    private static final Map<TopicConfigKey, FieldDescriptor> CONFIG_FIELDS = configFields();

    private MetadataCodec() {
    }

    public static byte[] encode(MetadataCommand command) {
        var out = io.flotilla.api.internal.v1.MetadataCommand.newBuilder();
        if (command instanceof MetadataCommand.RegisterNode c) {
            out.setRegisterNode(RegisterNode.newBuilder()
                    .setNodeId(c.nodeId()).setIncarnation(c.incarnation()).setAddress(c.address()));
        } else if (command instanceof MetadataCommand.CreateTopic c) {
            out.setCreateTopic(CreateTopic.newBuilder().setName(c.name()).setInternal(c.internal())
                    .setConfig(toProto(c.config())).addAllAssignments(replicaNodes(c.assignments())));
        } else if (command instanceof MetadataCommand.DeleteTopic c) {
            out.setDeleteTopic(DeleteTopic.newBuilder().setName(c.name()));
        } else if (command instanceof MetadataCommand.AlterTopicConfig c) {
            AlterTopicConfig.Builder alter = AlterTopicConfig.newBuilder().setName(c.name()).setSet(toProto(c.set()));
            for (TopicConfigKey key : TopicConfigKey.values()) { // in key order: equal commands, equal bytes
                if (c.reset().contains(key)) {
                    alter.addReset(key.protoName());
                }
            }
            out.setAlterTopicConfig(alter);
        } else if (command instanceof MetadataCommand.CreatePartitions c) {
            out.setCreatePartitions(CreatePartitions.newBuilder().setName(c.name()).setPartitionCount(c.partitionCount())
                    .addAllAssignments(replicaNodes(c.assignments())));
        } else if (command instanceof MetadataCommand.AllocateProducerIds c) {
            out.setAllocateProducerIds(AllocateProducerIds.newBuilder().setNodeId(c.nodeId()).setCount(c.count()));
        } else if (command instanceof MetadataCommand.SetPreferredLeaders c) {
            SetPreferredLeaders.Builder set = SetPreferredLeaders.newBuilder();
            c.leaders().forEach(l -> set.addLeaders(PreferredLeader.newBuilder().setTopic(l.topic())
                    .setPartition(l.partition()).setNodeId(l.nodeId())));
            out.setSetPreferredLeaders(set);
        } else if (command instanceof MetadataCommand.AlterReplicationFactor c) {
            out.setAlterReplicationFactor(AlterReplicationFactor.newBuilder().setName(c.name())
                    .setReplicationFactor(c.replicationFactor()).addAllAssignments(replicaNodes(c.assignments())));
        } else if (command instanceof MetadataCommand.ReplicasLeft c) {
            out.setReplicasLeft(ReplicasLeft.newBuilder().setGroupId(c.groupId()).setEpoch(c.epoch())
                    .addAllMembers(c.members().stream().map(MetadataCodec::identity).toList()));
        } else {
            throw new IllegalArgumentException("unknown command " + command);
        }
        return out.build().toByteArray();
    }

    public static MetadataCommand decodeCommand(ByteBuffer bytes) {
        io.flotilla.api.internal.v1.MetadataCommand in;
        try {
            in = io.flotilla.api.internal.v1.MetadataCommand.parseFrom(bytes.duplicate());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not a metadata command: " + e.getMessage(), e);
        }
        KnownFields.require(in, "metadata command");
        return switch (in.getCommandCase()) {
            case REGISTER_NODE -> new MetadataCommand.RegisterNode(in.getRegisterNode().getNodeId(),
                    in.getRegisterNode().getIncarnation(), in.getRegisterNode().getAddress());
            case CREATE_TOPIC -> new MetadataCommand.CreateTopic(in.getCreateTopic().getName(),
                    in.getCreateTopic().getInternal(), overrides(in.getCreateTopic().getConfig()),
                    assignments(in.getCreateTopic().getAssignmentsList()));
            case DELETE_TOPIC -> new MetadataCommand.DeleteTopic(in.getDeleteTopic().getName());
            case ALTER_TOPIC_CONFIG -> alterTopicConfig(in.getAlterTopicConfig());
            case CREATE_PARTITIONS -> new MetadataCommand.CreatePartitions(in.getCreatePartitions().getName(),
                    in.getCreatePartitions().getPartitionCount(), assignments(in.getCreatePartitions().getAssignmentsList()));
            case ALLOCATE_PRODUCER_IDS -> new MetadataCommand.AllocateProducerIds(in.getAllocateProducerIds().getNodeId(),
                    in.getAllocateProducerIds().getCount());
            case SET_PREFERRED_LEADERS -> new MetadataCommand.SetPreferredLeaders(in.getSetPreferredLeaders()
                    .getLeadersList().stream().map(l -> new MetadataCommand.PreferredLeader(l.getTopic(),
                            l.getPartition(), l.getNodeId())).toList());
            case ALTER_REPLICATION_FACTOR -> new MetadataCommand.AlterReplicationFactor(
                    in.getAlterReplicationFactor().getName(), in.getAlterReplicationFactor().getReplicationFactor(),
                    assignments(in.getAlterReplicationFactor().getAssignmentsList()));
            case REPLICAS_LEFT -> new MetadataCommand.ReplicasLeft(in.getReplicasLeft().getGroupId(),
                    in.getReplicasLeft().getEpoch(), members(in.getReplicasLeft().getMembersList()));
            case COMMAND_NOT_SET -> throw new IllegalArgumentException("metadata command holds no command");
        };
    }

    private static MetadataCommand alterTopicConfig(AlterTopicConfig in) {
        Set<TopicConfigKey> reset = EnumSet.noneOf(TopicConfigKey.class);
        for (String name : in.getResetList()) {
            reset.add(TopicConfigKey.forProtoName(name).orElseThrow(() -> new IllegalArgumentException(
                    "metadata command resets '" + name + "', which this version does not know")));
        }
        return new MetadataCommand.AlterTopicConfig(in.getName(), overrides(in.getSet()), reset);
    }

    public static byte[] encodeSnapshot(ClusterMetadata metadata) {
        MetadataSnapshot.Builder out = MetadataSnapshot.newBuilder()
                .setVersion(metadata.version())
                .setNextGroupId(metadata.nextGroupId())
                .setNextProducerId(metadata.nextProducerId());
        for (NodeRegistration node : metadata.nodes().values()) {
            out.addNodes(RegisteredNode.newBuilder().setIdentity(identity(node.member()))
                    .setAddress(node.address()).setRegisteredAt(node.registeredAt()));
        }
        for (Topic topic : metadata.topics().values()) {
            TopicState.Builder t = TopicState.newBuilder().setName(topic.name()).setTopicId(topic.id())
                    .setReplicationFactor(topic.replicationFactor()).setConfig(toProto(topic.config()));
            for (Partition partition : topic.partitions()) {
                PartitionState.Builder p = PartitionState.newBuilder().setGroupId(partition.groupId())
                        .setEpoch(partition.epoch());
                partition.replicas().forEach(m -> p.addReplicas(identity(m)));
                partition.leaving().forEach(m -> p.addLeaving(identity(m)));
                t.addPartitions(p);
            }
            out.addTopics(t);
        }
        return out.build().toByteArray();
    }

    public static ClusterMetadata decodeSnapshot(byte[] bytes) {
        MetadataSnapshot in;
        try {
            in = MetadataSnapshot.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not a metadata snapshot: " + e.getMessage(), e);
        }
        KnownFields.require(in, "metadata snapshot");
        try {
            return snapshot(in);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("metadata snapshot is inconsistent: " + e.getMessage(), e);
        }
    }

    /** A {@code flotilla.v1.TopicConfig}'s set fields, as overrides; values are not checked. */
    public static TopicConfigOverrides overrides(io.flotilla.api.v1.TopicConfig proto) {
        Map<TopicConfigKey, Long> values = new EnumMap<>(TopicConfigKey.class);
        CONFIG_FIELDS.forEach((key, field) -> {
            if (proto.hasField(field)) {
                Object value = proto.getField(field);
                values.put(key, value instanceof EnumValueDescriptor e ? (long) e.getNumber() : ((Number) value).longValue());
            }
        });
        return TopicConfigOverrides.of(values);
    }

    /**
     * Overrides as a {@code flotilla.v1.TopicConfig} with just those fields set.
     *
     * @throws IllegalArgumentException for a value the message cannot hold: an int32 setting
     *                                  beyond int range, or flush policy 0, which there means
     *                                  "not set" (no allowed value is among them)
     */
    public static io.flotilla.api.v1.TopicConfig toProto(TopicConfigOverrides overrides) {
        io.flotilla.api.v1.TopicConfig.Builder out = io.flotilla.api.v1.TopicConfig.newBuilder();
        overrides.values().forEach((key, value) -> {
            FieldDescriptor field = CONFIG_FIELDS.get(key);
            switch (field.getJavaType()) {
                case ENUM -> {
                    if (value == 0) {
                        throw new IllegalArgumentException(key + " 0 cannot be encoded: it means \"not set\"");
                    }
                    out.setField(field, field.getEnumType().findValueByNumberCreatingIfUnknown(int32(key, value)));
                }
                case INT -> out.setField(field, int32(key, value));
                default -> out.setField(field, value);
            }
        });
        return out.build();
    }

    private static int int32(TopicConfigKey key, long value) {
        if (value != (int) value) {
            throw new IllegalArgumentException(key + " " + value + " cannot be encoded: it is an int32");
        }
        return (int) value;
    }

    private static ClusterMetadata snapshot(MetadataSnapshot in) {
        SortedMap<Integer, NodeRegistration> nodes = new TreeMap<>();
        for (RegisteredNode n : in.getNodesList()) {
            NodeRegistration node = new NodeRegistration(n.getIdentity().getNodeId(), n.getIdentity().getIncarnation(),
                    n.getAddress(), n.getRegisteredAt());
            if (nodes.put(node.nodeId(), node) != null) {
                throw new IllegalArgumentException("node " + node.nodeId() + " is registered twice");
            }
        }
        SortedMap<String, Topic> topics = new TreeMap<>();
        Set<Long> groupIds = new HashSet<>();
        for (TopicState t : in.getTopicsList()) {
            TopicConfigOverrides config = overrides(t.getConfig());
            TopicRules.DEFAULTS.checkName(t.getName()).or(() -> TopicRules.DEFAULTS.checkConfig(config)).ifPresent(r -> {
                throw new IllegalArgumentException(r.message());
            });
            List<Partition> partitions = new ArrayList<>();
            for (PartitionState p : t.getPartitionsList()) {
                if (p.getGroupId() >= in.getNextGroupId()) {
                    throw new IllegalArgumentException("group " + p.getGroupId() + " of topic '" + t.getName()
                            + "' is not below the next group id " + in.getNextGroupId());
                }
                if (!groupIds.add(p.getGroupId())) {
                    throw new IllegalArgumentException("group " + p.getGroupId() + " of topic '" + t.getName() + "' is used twice");
                }
                for (NodeIdentity r : p.getReplicasList()) {
                    if (!nodes.containsKey(r.getNodeId())) {
                        throw new IllegalArgumentException("group " + p.getGroupId() + " has a replica on node "
                                + r.getNodeId() + ", which is not registered");
                    }
                }
                partitions.add(new Partition(p.getGroupId(), members(p.getReplicasList()), members(p.getLeavingList()),
                        p.getEpoch()));
            }
            Topic topic = new Topic(t.getName(), t.getTopicId(), t.getReplicationFactor(), config, partitions);
            if (topic.id() > in.getVersion()) {
                throw new IllegalArgumentException("topic '" + topic.name() + "' was created (at " + topic.id()
                        + ") after the snapshot's version " + in.getVersion());
            }
            if (topics.put(topic.name(), topic) != null) {
                throw new IllegalArgumentException("topic '" + topic.name() + "' appears twice");
            }
        }
        return new ClusterMetadata(in.getVersion(), nodes, topics, in.getNextGroupId(), in.getNextProducerId());
    }

    private static List<ReplicaNodes> replicaNodes(List<List<Integer>> assignments) {
        return assignments.stream().map(nodes -> ReplicaNodes.newBuilder().addAllNodeIds(nodes).build()).toList();
    }

    private static List<List<Integer>> assignments(List<ReplicaNodes> in) {
        return in.stream().map(ReplicaNodes::getNodeIdsList).toList();
    }

    private static List<MemberId> members(List<NodeIdentity> in) {
        return in.stream().map(m -> new MemberId(m.getNodeId(), m.getIncarnation())).toList();
    }

    private static NodeIdentity identity(MemberId member) {
        return NodeIdentity.newBuilder().setNodeId(member.nodeId()).setIncarnation(member.incarnation()).build();
    }

    /** Refuses a message holding fields, at any depth, that this version's schema does not have. */
    private static Map<TopicConfigKey, FieldDescriptor> configFields() {
        Map<TopicConfigKey, FieldDescriptor> fields = new EnumMap<>(TopicConfigKey.class);
        for (TopicConfigKey key : TopicConfigKey.values()) {
            FieldDescriptor field = io.flotilla.api.v1.TopicConfig.getDescriptor().findFieldByName(key.protoName());
            if (field == null) {
                throw new IllegalStateException("flotilla.v1.TopicConfig has no field " + key.protoName());
            }
            fields.put(key, field);
        }
        return fields;
    }
}
