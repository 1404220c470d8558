package io.flotilla.broker.metadata;

import io.flotilla.api.v1.ErrorReason;
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

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The metadata's transition function: (state, offset, command) to (state, result), and nothing
 * else. Every node runs it on the same log and reaches the same states. A command that is not
 * allowed in the state it meets is rejected and changes nothing, not even the version.
 *
 * <p>What is wrong whatever the state (INVALID_ARGUMENT, by {@link TopicRules#DEFAULTS}) is
 * checked before what the state rules out, so a client gets the same answer a node gives
 * before proposing.
 */
public final class CommandApplier {

    /** The largest producer id block one command takes: a constant, since every node must apply it alike. */
    public static final int MAX_PRODUCER_ID_BLOCK = 1 << 20;

    private static final TopicRules RULES = TopicRules.DEFAULTS;

    /** The state after a command, and what to answer its proposer. */
    public record Transition(ClusterMetadata state, CommandResult result) {
        public Transition {
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(result, "result");
        }
    }

    private CommandApplier() {
    }

    /**
     * Applies {@code command}, the controller log entry at {@code offset}.
     *
     * @throws IllegalArgumentException if {@code offset} is not above {@code state.version()}:
     *                                  the caller replayed an entry the state already holds
     */
    public static Transition apply(ClusterMetadata state, long offset, MetadataCommand command) {
        if (offset <= state.version()) {
            throw new IllegalArgumentException("entry " + offset + " is not after the metadata's version " + state.version());
        }
        if (command instanceof RegisterNode c) {
            return registerNode(state, offset, c);
        } else if (command instanceof CreateTopic c) {
            return createTopic(state, offset, c);
        } else if (command instanceof DeleteTopic c) {
            return deleteTopic(state, offset, c);
        } else if (command instanceof AlterTopicConfig c) {
            return alterTopicConfig(state, offset, c);
        } else if (command instanceof CreatePartitions c) {
            return createPartitions(state, offset, c);
        } else if (command instanceof AllocateProducerIds c) {
            return allocateProducerIds(state, offset, c);
        } else if (command instanceof SetPreferredLeaders c) {
            return setPreferredLeaders(state, offset, c);
        } else if (command instanceof AlterReplicationFactor c) {
            return alterReplicationFactor(state, offset, c);
        } else if (command instanceof ReplicasLeft c) {
            return replicasLeft(state, offset, c);
        }
        throw new IllegalArgumentException("unknown command " + command);
    }

    private static Transition registerNode(ClusterMetadata state, long offset, RegisterNode c) {
        Optional<String> problem = NodeRegistration.problem(c.nodeId(), c.incarnation(), c.address());
        if (problem.isPresent()) {
            return rejected(state, new Rejection(ErrorReason.ERROR_REASON_INVALID_REQUEST, problem.get()));
        }
        NodeRegistration old = state.nodes().get(c.nodeId());
        boolean newIncarnation = old == null || old.incarnation() != c.incarnation();
        NodeRegistration registration = new NodeRegistration(c.nodeId(), c.incarnation(), c.address(),
                newIncarnation ? offset : old.registeredAt());
        SortedMap<Integer, NodeRegistration> nodes = new TreeMap<>(state.nodes());
        nodes.put(c.nodeId(), registration);
        ClusterMetadata registered = state.withNodes(nodes, offset);
        if (old != null && newIncarnation) {
            registered = registered.withTopics(replacingIncarnation(state.topics(), registration.member()),
                    state.nextGroupId(), offset);
        }
        return new Transition(registered,
                new CommandResult.NodeRegistered(registration.member(), old != null && newIncarnation));
    }

    /** Topics whose replicas on {@code member}'s node are {@code member}: the older incarnations start leaving. */
    private static SortedMap<String, Topic> replacingIncarnation(SortedMap<String, Topic> topics, MemberId member) {
        SortedMap<String, Topic> out = new TreeMap<>();
        for (Topic t : topics.values()) {
            List<Partition> partitions = new ArrayList<>(t.partitionCount());
            for (Partition p : t.partitions()) {
                List<MemberId> target = p.replicas().stream()
                        .map(m -> m.nodeId() == member.nodeId() ? member : m).toList();
                partitions.add(p.retarget(target));
            }
            out.put(t.name(), t.withPartitions(partitions));
        }
        return out;
    }

    private static Transition alterReplicationFactor(ClusterMetadata state, long offset, AlterReplicationFactor c) {
        int rf = c.replicationFactor();
        Optional<Rejection> refused = RULES.checkName(c.name())
                .or(() -> RULES.checkReplicationFactor(rf))
                .or(() -> checkAlterable(state, c.name()))
                .or(() -> checkEnoughNodes(state, rf));
        if (refused.isPresent()) {
            return rejected(state, refused.get());
        }
        Topic old = state.topics().get(c.name());
        if (c.assignments().size() != old.partitionCount()) {
            return rejected(state, new Rejection(ErrorReason.ERROR_REASON_INVALID_REQUEST, "topic '" + c.name()
                    + "' has " + old.partitionCount() + " partitions, so changing its replication factor needs that"
                    + " many replica assignments, got " + c.assignments().size()));
        }
        Optional<Rejection> unplaceable = TopicRules.checkAssignments(c.assignments(), 0, rf)
                .or(() -> checkRegistered(state, c.assignments(), 0));
        if (unplaceable.isPresent()) {
            return rejected(state, unplaceable.get());
        }
        List<Partition> partitions = new ArrayList<>(old.partitionCount());
        for (int p = 0; p < old.partitionCount(); p++) {
            Partition partition = old.partitions().get(p);
            List<MemberId> target = c.assignments().get(p).stream().map(nodeId -> partition.replicas().stream()
                    .filter(m -> m.nodeId() == nodeId).findFirst()
                    .orElseGet(() -> state.nodes().get(nodeId).member())).toList();
            partitions.add(partition.retarget(target));
        }
        SortedMap<String, Topic> topics = new TreeMap<>(state.topics());
        topics.put(old.name(), new Topic(old.name(), old.id(), rf, old.config(), partitions));
        return new Transition(state.withTopics(topics, state.nextGroupId(), offset),
                new CommandResult.ReplicationFactorAltered(rf));
    }

    private static Transition replicasLeft(ClusterMetadata state, long offset, ReplicasLeft c) {
        Optional<ClusterMetadata.PartitionRef> found = state.partition(c.groupId());
        if (found.isEmpty()) {
            return rejected(state, new Rejection(ErrorReason.ERROR_REASON_PARTITION_NOT_FOUND, "group " + c.groupId()
                    + " is no partition's (its topic was deleted, or it never existed)"));
        }
        Partition partition = found.get().partition();
        if (c.epoch() != partition.epoch()) {
            return rejected(state, new Rejection(ErrorReason.ERROR_REASON_INVALID_REQUEST, "group " + c.groupId()
                    + " is at epoch " + partition.epoch() + ", not " + c.epoch()
                    + ": its replicas changed since its leader looked; the next report tells again"));
        }
        if (c.members().isEmpty() || !partition.leaving().containsAll(c.members())) {
            return rejected(state, new Rejection(ErrorReason.ERROR_REASON_INVALID_REQUEST, "group " + c.groupId()
                    + " is letting go of " + partition.leaving() + "; " + c.members() + " are not all among them"));
        }
        Topic topic = found.get().topic();
        List<Partition> partitions = new ArrayList<>(topic.partitions());
        Partition left = partition.withoutLeaving(c.members());
        partitions.set(found.get().index(), left);
        SortedMap<String, Topic> topics = new TreeMap<>(state.topics());
        topics.put(topic.name(), topic.withPartitions(partitions));
        return new Transition(state.withTopics(topics, state.nextGroupId(), offset),
                new CommandResult.ReplicasLeft(c.groupId(), left.epoch()));
    }

    private static Transition createTopic(ClusterMetadata state, long offset, CreateTopic c) {
        int partitionCount = c.assignments().size();
        int replicationFactor = c.assignments().isEmpty() ? 0 : c.assignments().get(0).size();
        Optional<Rejection> invalid = RULES.checkNewTopic(c.name(), c.internal(), partitionCount, replicationFactor, c.config())
                .or(() -> TopicRules.checkAssignments(c.assignments(), 0, replicationFactor));
        if (invalid.isPresent()) {
            return rejected(state, invalid.get());
        }
        if (state.topics().containsKey(c.name())) {
            return rejected(state, new Rejection(ErrorReason.ERROR_REASON_TOPIC_ALREADY_EXISTS,
                    "topic '" + c.name() + "' already exists"));
        }
        Optional<Rejection> unplaceable = checkEnoughNodes(state, replicationFactor)
                .or(() -> checkRegistered(state, c.assignments(), 0));
        if (unplaceable.isPresent()) {
            return rejected(state, unplaceable.get());
        }
        List<Partition> partitions = partitions(state, state.nextGroupId(), c.assignments());
        Topic topic = new Topic(c.name(), offset, replicationFactor, c.config(), partitions);
        SortedMap<String, Topic> topics = new TreeMap<>(state.topics());
        topics.put(topic.name(), topic);
        return new Transition(state.withTopics(topics, state.nextGroupId() + partitionCount, offset),
                new CommandResult.TopicCreated(topic.id(), topic.groupIds()));
    }

    private static Transition deleteTopic(ClusterMetadata state, long offset, DeleteTopic c) {
        Optional<Rejection> refused = RULES.checkName(c.name()).or(() -> checkAlterable(state, c.name()));
        if (refused.isPresent()) {
            return rejected(state, refused.get());
        }
        SortedMap<String, Topic> topics = new TreeMap<>(state.topics());
        Topic removed = topics.remove(c.name());
        return new Transition(state.withTopics(topics, state.nextGroupId(), offset),
                new CommandResult.TopicDeleted(removed.id(), removed.groupIds()));
    }

    private static Transition alterTopicConfig(ClusterMetadata state, long offset, AlterTopicConfig c) {
        Optional<Rejection> refused = RULES.checkName(c.name())
                .or(() -> RULES.checkAlter(c.set(), c.reset()))
                .or(() -> checkAlterable(state, c.name()));
        if (refused.isPresent()) {
            return rejected(state, refused.get());
        }
        Topic old = state.topics().get(c.name());
        Topic altered = new Topic(old.name(), old.id(), old.replicationFactor(), old.config().alter(c.set(), c.reset()),
                old.partitions());
        SortedMap<String, Topic> topics = new TreeMap<>(state.topics());
        topics.put(altered.name(), altered);
        return new Transition(state.withTopics(topics, state.nextGroupId(), offset),
                new CommandResult.TopicConfigAltered(altered.config()));
    }

    private static Transition createPartitions(ClusterMetadata state, long offset, CreatePartitions c) {
        Optional<Rejection> refused = RULES.checkName(c.name())
                .or(() -> RULES.checkPartitionCount(c.partitionCount()))
                .or(() -> checkAlterable(state, c.name()));
        if (refused.isPresent()) {
            return rejected(state, refused.get());
        }
        Topic old = state.topics().get(c.name());
        if (c.partitionCount() <= old.partitionCount()) {
            return rejected(state, new Rejection(ErrorReason.ERROR_REASON_INVALID_PARTITION_COUNT, "topic '" + c.name()
                    + "' has " + old.partitionCount() + " partitions; the new count must be above that, got "
                    + c.partitionCount()));
        }
        int added = c.partitionCount() - old.partitionCount();
        if (c.assignments().size() != added) {
            return rejected(state, new Rejection(ErrorReason.ERROR_REASON_INVALID_REQUEST, "raising topic '" + c.name()
                    + "' from " + old.partitionCount() + " to " + c.partitionCount() + " partitions needs " + added
                    + " replica assignments, got " + c.assignments().size()));
        }
        Optional<Rejection> unplaceable = TopicRules.checkAssignments(c.assignments(), old.partitionCount(),
                        old.replicationFactor())
                .or(() -> checkRegistered(state, c.assignments(), old.partitionCount()));
        if (unplaceable.isPresent()) {
            return rejected(state, unplaceable.get());
        }
        List<Partition> created = partitions(state, state.nextGroupId(), c.assignments());
        List<Partition> all = new ArrayList<>(old.partitions());
        all.addAll(created);
        Topic grown = old.withPartitions(all);
        SortedMap<String, Topic> topics = new TreeMap<>(state.topics());
        topics.put(grown.name(), grown);
        return new Transition(state.withTopics(topics, state.nextGroupId() + added, offset),
                new CommandResult.PartitionsCreated(created.stream().map(Partition::groupId).toList()));
    }

    private static Transition allocateProducerIds(ClusterMetadata state, long offset, AllocateProducerIds c) {
        if (c.count() < 1 || c.count() > MAX_PRODUCER_ID_BLOCK) {
            return rejected(state, new Rejection(ErrorReason.ERROR_REASON_INVALID_REQUEST,
                    "a producer id block holds 1 .. " + MAX_PRODUCER_ID_BLOCK + " ids, asked for " + c.count()));
        }
        if (!state.nodes().containsKey(c.nodeId())) {
            return rejected(state, unknownNode(c.nodeId(), "ask for producer ids"));
        }
        long first = state.nextProducerId();
        if (first > Long.MAX_VALUE - c.count()) {
            return rejected(state, new Rejection(ErrorReason.ERROR_REASON_INTERNAL_ERROR,
                    "producer ids are exhausted: the next is " + first));
        }
        return new Transition(state.withNextProducerId(first + c.count(), offset),
                new CommandResult.ProducerIdsAllocated(first, c.count()));
    }

    private static Transition setPreferredLeaders(ClusterMetadata state, long offset, SetPreferredLeaders c) {
        if (c.leaders().isEmpty()) {
            return rejected(state, new Rejection(ErrorReason.ERROR_REASON_INVALID_REQUEST,
                    "setting preferred leaders needs at least one partition, got none"));
        }
        SortedMap<String, Topic> topics = new TreeMap<>(state.topics());
        Set<String> seen = new HashSet<>();
        for (PreferredLeader l : c.leaders()) {
            Optional<Rejection> refused = checkPreferredLeader(state, l);
            if (refused.isPresent()) {
                return rejected(state, refused.get());
            }
            if (!seen.add(l.topic() + "-" + l.partition())) {
                return rejected(state, new Rejection(ErrorReason.ERROR_REASON_INVALID_REQUEST, "partition "
                        + l.partition() + " of topic '" + l.topic() + "' is named twice; name each partition once"));
            }
            Topic topic = topics.get(l.topic());
            List<Partition> partitions = new ArrayList<>(topic.partitions());
            partitions.set(l.partition(), preferring(partitions.get(l.partition()), l.nodeId()));
            topics.put(topic.name(), topic.withPartitions(partitions));
        }
        return new Transition(state.withTopics(topics, state.nextGroupId(), offset),
                new CommandResult.PreferredLeadersSet(offset));
    }

    /**
     * Why {@code l} cannot apply to {@code state}, as {@link SetPreferredLeaders} would refuse
     * it: a bad topic name, a topic or partition that does not exist, a node that is not
     * registered or holds no replica of the partition. Empty when it can.
     */
    public static Optional<Rejection> checkPreferredLeader(ClusterMetadata state, PreferredLeader l) {
        Optional<Rejection> noPartition = checkPartition(state, l.topic(), l.partition());
        if (noPartition.isPresent()) {
            return noPartition;
        }
        Topic topic = state.topics().get(l.topic());
        if (!state.nodes().containsKey(l.nodeId())) {
            return Optional.of(unknownNode(l.nodeId(), "lead partition " + l.partition() + " of topic '" + l.topic()
                    + "'"));
        }
        List<Integer> nodes = topic.partitions().get(l.partition()).replicas().stream().map(MemberId::nodeId).toList();
        if (!nodes.contains(l.nodeId())) {
            return Optional.of(new Rejection(ErrorReason.ERROR_REASON_NOT_A_REPLICA, "node " + l.nodeId()
                    + " holds no replica of partition " + l.partition() + " of topic '" + l.topic()
                    + "', so it cannot lead it; its replicas are on nodes " + nodes));
        }
        return Optional.empty();
    }

    /** Why partition {@code partition} of topic {@code name} cannot be named: a bad name, no such topic or partition. */
    public static Optional<Rejection> checkPartition(ClusterMetadata state, String name, int partition) {
        Optional<Rejection> badName = RULES.checkName(name);
        if (badName.isPresent()) {
            return badName;
        }
        Topic topic = state.topics().get(name);
        if (topic == null) {
            return Optional.of(new Rejection(ErrorReason.ERROR_REASON_TOPIC_NOT_FOUND, "topic '" + name + "' does not exist"));
        }
        if (partition < 0 || partition >= topic.partitionCount()) {
            return Optional.of(new Rejection(ErrorReason.ERROR_REASON_PARTITION_NOT_FOUND, "topic '" + name
                    + "' has partitions 0 .. " + (topic.partitionCount() - 1) + "; partition " + partition
                    + " does not exist"));
        }
        return Optional.empty();
    }

    /** {@code partition} with the replica on {@code nodeId} first, the others in their order. */
    private static Partition preferring(Partition partition, int nodeId) {
        List<MemberId> replicas = new ArrayList<>(partition.replicas().size());
        partition.replicas().stream().filter(m -> m.nodeId() == nodeId).forEach(replicas::add);
        partition.replicas().stream().filter(m -> m.nodeId() != nodeId).forEach(replicas::add);
        return partition.retarget(replicas);
    }

    /** The topic exists and clients may change it. */
    private static Optional<Rejection> checkAlterable(ClusterMetadata state, String name) {
        Topic topic = state.topics().get(name);
        if (topic == null) {
            return Optional.of(new Rejection(ErrorReason.ERROR_REASON_TOPIC_NOT_FOUND, "topic '" + name + "' does not exist"));
        }
        if (topic.internal()) {
            return Optional.of(new Rejection(ErrorReason.ERROR_REASON_INTERNAL_TOPIC, "topic '" + name
                    + "' is internal: the cluster manages it, and clients cannot delete or change it"));
        }
        return Optional.empty();
    }

    private static Optional<Rejection> checkEnoughNodes(ClusterMetadata state, int replicationFactor) {
        if (replicationFactor > state.nodes().size()) {
            return Optional.of(new Rejection(ErrorReason.ERROR_REASON_NOT_ENOUGH_NODES, "replication factor "
                    + replicationFactor + " needs that many nodes; the cluster has " + state.nodes().size()
                    + ": add nodes or lower the replication factor"));
        }
        return Optional.empty();
    }

    /** Every replica's node is registered; assignment i is of partition {@code firstPartition + i}. */
    private static Optional<Rejection> checkRegistered(ClusterMetadata state, List<List<Integer>> assignments,
            int firstPartition) {
        for (int i = 0; i < assignments.size(); i++) {
            for (int nodeId : assignments.get(i)) {
                if (!state.nodes().containsKey(nodeId)) {
                    return Optional.of(unknownNode(nodeId, "hold a replica of partition " + (firstPartition + i)));
                }
            }
        }
        return Optional.empty();
    }

    private static Rejection unknownNode(int nodeId, String toDo) {
        return new Rejection(ErrorReason.ERROR_REASON_NODE_NOT_FOUND,
                "node " + nodeId + " is not registered, so it cannot " + toDo);
    }

    /** Partitions for {@code assignments}, groups from {@code firstGroupId}, members at their registered incarnations. */
    private static List<Partition> partitions(ClusterMetadata state, long firstGroupId, List<List<Integer>> assignments) {
        List<Partition> partitions = new ArrayList<>(assignments.size());
        for (int p = 0; p < assignments.size(); p++) {
            List<MemberId> replicas = assignments.get(p).stream().map(id -> state.nodes().get(id).member()).toList();
            partitions.add(new Partition(firstGroupId + p, replicas));
        }
        return partitions;
    }

    private static Transition rejected(ClusterMetadata state, Rejection rejection) {
        return new Transition(state, rejection);
    }
}
