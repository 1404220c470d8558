package io.flotilla.broker.metadata;

import io.flotilla.raft.MemberId;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A change to the cluster metadata, as the controller's Raft log carries it (encoded by {@link
 * MetadataCodec}). A command holds what its proposer asked; whether it is allowed is decided
 * only when it applies ({@link CommandApplier}), against the state at that point of the log.
 */
public sealed interface MetadataCommand {

    /**
     * A node joins, or comes back: with the same incarnation it may change its address; with
     * another (its disk was wiped) it is a new member, and its replicas of the old incarnation
     * are members it can no longer serve: each partition wants the new incarnation in the old
     * one's place, and the old one starts leaving.
     */
    record RegisterNode(int nodeId, long incarnation, String address) implements MetadataCommand {
        public RegisterNode {
            Objects.requireNonNull(address, "address");
        }
    }

    /**
     * A topic with {@code assignments.size()} partitions, partition i replicated on the nodes of
     * {@code assignments.get(i)} (the first is its preferred leader). {@code internal} topics are
     * the cluster's own, and only they may be named "__...".
     */
    record CreateTopic(String name, boolean internal, TopicConfigOverrides config, List<List<Integer>> assignments)
            implements MetadataCommand {
        public CreateTopic {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(config, "config");
            assignments = copy(assignments);
        }
    }

    record DeleteTopic(String name) implements MetadataCommand {
        public DeleteTopic {
            Objects.requireNonNull(name, "name");
        }
    }

    /** Sets the overrides in {@code set} and removes those in {@code reset}, in one change. */
    record AlterTopicConfig(String name, TopicConfigOverrides set, Set<TopicConfigKey> reset) implements MetadataCommand {
        public AlterTopicConfig {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(set, "set");
            reset = Set.copyOf(reset);
        }
    }

    /**
     * Raises the topic's partition count to {@code partitionCount}; {@code assignments} hold the
     * new partitions' replica nodes, from the current count on.
     */
    record CreatePartitions(String name, int partitionCount, List<List<Integer>> assignments) implements MetadataCommand {
        public CreatePartitions {
            Objects.requireNonNull(name, "name");
            assignments = copy(assignments);
        }
    }

    /**
     * Sets the topic's replication factor to {@code replicationFactor}; {@code assignments}
     * hold every partition's new replica nodes, by index (the preferred leader first). Members
     * on nodes that keep a replica stay as they are; replicas on new nodes are added (as
     * learners, by the groups' leaders), those on nodes left out start leaving.
     */
    record AlterReplicationFactor(String name, int replicationFactor, List<List<Integer>> assignments)
            implements MetadataCommand {
        public AlterReplicationFactor {
            Objects.requireNonNull(name, "name");
            assignments = copy(assignments);
        }
    }

    /**
     * The leader of group {@code groupId} saw the removal of {@code members}, all leaving, committed
     * in the group, while the partition's metadata was at {@code epoch}: their nodes may delete
     * their data. Refused if the partition changed since (another epoch).
     */
    record ReplicasLeft(long groupId, long epoch, List<MemberId> members) implements MetadataCommand {
        public ReplicasLeft {
            members = List.copyOf(members);
        }
    }

    /** Reserves {@code count} producer ids for {@code nodeId} to hand out. */
    record AllocateProducerIds(int nodeId, int count) implements MetadataCommand {
    }

    /**
     * Makes each named node its partition's preferred leader (the first of the replica list, the
     * other replicas keeping their order): one for TransferLeadership, many for
     * RebalanceLeaders. All apply, or none.
     */
    record SetPreferredLeaders(List<PreferredLeader> leaders) implements MetadataCommand {
        public SetPreferredLeaders {
            leaders = List.copyOf(leaders);
        }
    }

    /** Node {@code nodeId} should lead partition {@code partition} of topic {@code topic}. */
    record PreferredLeader(String topic, int partition, int nodeId) {
        public PreferredLeader {
            Objects.requireNonNull(topic, "topic");
        }
    }

    private static List<List<Integer>> copy(List<List<Integer>> assignments) {
        return assignments.stream().map(List::copyOf).toList();
    }
}
