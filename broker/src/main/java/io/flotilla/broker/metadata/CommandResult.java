package io.flotilla.broker.metadata;

import io.flotilla.raft.MemberId;

import java.util.List;
import java.util.Objects;

/**
 * What applying one {@link MetadataCommand} did: the command's own success, or a {@link
 * Rejection} that changed nothing. Every node computes the same result for the same entry; the
 * node that proposed it answers its client with it.
 */
public sealed interface CommandResult permits CommandResult.NodeRegistered, CommandResult.TopicCreated,
        CommandResult.TopicDeleted, CommandResult.TopicConfigAltered, CommandResult.PartitionsCreated,
        CommandResult.ProducerIdsAllocated, CommandResult.PreferredLeadersSet, CommandResult.ReplicationFactorAltered,
        CommandResult.ReplicasLeft, Rejection {

    /** The node is registered as {@code member}; {@code newIncarnation} when it replaced another. */
    record NodeRegistered(MemberId member, boolean newIncarnation) implements CommandResult {
        public NodeRegistered {
            Objects.requireNonNull(member, "member");
        }
    }

    /** The topic exists with id {@code topicId}; its partitions' Raft groups, by index. */
    record TopicCreated(long topicId, List<Long> groupIds) implements CommandResult {
        public TopicCreated {
            groupIds = List.copyOf(groupIds);
        }
    }

    /** The topic is gone; the Raft groups of its partitions, by index, are to be removed. */
    record TopicDeleted(long topicId, List<Long> groupIds) implements CommandResult {
        public TopicDeleted {
            groupIds = List.copyOf(groupIds);
        }
    }

    /** The topic's overrides after the change. */
    record TopicConfigAltered(TopicConfigOverrides overrides) implements CommandResult {
        public TopicConfigAltered {
            Objects.requireNonNull(overrides, "overrides");
        }
    }

    /** The new partitions' Raft groups, by index, from the old partition count on. */
    record PartitionsCreated(List<Long> groupIds) implements CommandResult {
        public PartitionsCreated {
            groupIds = List.copyOf(groupIds);
        }
    }

    /** Producer ids {@code firstId .. firstId + count - 1} belong to the node that asked. */
    record ProducerIdsAllocated(long firstId, int count) implements CommandResult {
    }

    /** The topic's partitions now want {@code replicationFactor} replicas each; their groups follow. */
    record ReplicationFactorAltered(int replicationFactor) implements CommandResult {
    }

    /** The members left group {@code groupId} for good, which is now at {@code epoch}. */
    record ReplicasLeft(long groupId, long epoch) implements CommandResult {
    }

    /**
     * The preferred leaders changed at controller log offset {@code version}: what the answer
     * reports as {@code metadata_version} (the proposer hears of the commit before the node
     * publishes the metadata holding it).
     */
    record PreferredLeadersSet(long version) implements CommandResult {
    }
}
