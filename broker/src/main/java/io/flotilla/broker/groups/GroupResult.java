package io.flotilla.broker.groups;

import io.flotilla.store.TopicPartition;

import java.util.List;
import java.util.Objects;

/**
 * What applying one {@link GroupCommand} did: the command's own success, or a {@link
 * GroupRejection} that changed nothing. Every replica computes the same result for the same
 * entry; the coordinator leader answers its client with it.
 */
public sealed interface GroupResult permits GroupResult.MemberAssignment, GroupResult.MemberLeft,
        GroupResult.MemberExpired, GroupResult.OffsetsCommitted, GroupResult.OffsetsReset, GroupResult.GroupDeleted,
        GroupResult.TopicsChanged, GroupRejection {

    /**
     * A heartbeat's answer: the member's epoch now, how often to heartbeat, every partition it
     * may consume now, and the group's committed offsets of those partitions (where a newly
     * given one starts; flotilla.v1.HeartbeatResponse).
     */
    record MemberAssignment(int memberEpoch, int heartbeatIntervalMs, List<TopicPartition> assignment,
            CommittedOffsets committed) implements GroupResult {
        public MemberAssignment {
            assignment = List.copyOf(assignment);
            Objects.requireNonNull(committed, "committed");
        }
    }

    /** The member is gone; {@code wasMember} is false when the group did not have it (a repeated leave). */
    record MemberLeft(boolean wasMember) implements GroupResult {
    }

    /** The overdue member is evicted; its partitions are being reassigned. */
    record MemberExpired() implements GroupResult {
    }

    /** The offsets are committed, stamped with {@code commitTimeMs}. */
    record OffsetsCommitted(long commitTimeMs) implements GroupResult {
    }

    /** Each reset partition's committed offset before (-1 for none) and now, by topic, then partition. */
    record OffsetsReset(List<PartitionReset> offsets) implements GroupResult {
        public OffsetsReset {
            offsets = List.copyOf(offsets);
        }
    }

    /** One partition of {@link OffsetsReset}. */
    record PartitionReset(TopicPartition partition, long previousOffset, long newOffset) {
        public PartitionReset {
            Objects.requireNonNull(partition, "partition");
        }
    }

    /** The group and its offsets are gone. */
    record GroupDeleted() implements GroupResult {
    }

    /** The partition counts are recorded; these groups, by id, got a new epoch and target assignment. */
    record TopicsChanged(List<String> rebalancedGroups) implements GroupResult {
        public TopicsChanged {
            rebalancedGroups = List.copyOf(rebalancedGroups);
        }
    }
}
