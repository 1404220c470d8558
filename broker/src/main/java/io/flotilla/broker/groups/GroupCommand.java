package io.flotilla.broker.groups;

import io.flotilla.api.v1.Assignor;
import io.flotilla.store.TopicPartition;

import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A change to a coordinator partition's group state, as its Raft log carries it (encoded by
 * {@link GroupCodec}). A command holds what its proposer sent, plus the coordinator leader's
 * clock where time matters: replicas apply it later and must not read their own clocks. Whether
 * it is allowed is decided only when it applies ({@link GroupApplier}), against the state at
 * that point of the log.
 */
public sealed interface GroupCommand {

    /** A command about one group. */
    sealed interface OfGroup extends GroupCommand {
        String groupId();
    }

    /**
     * A member's heartbeat (flotilla.v1.HeartbeatRequest without {@code leave}). Timeouts of 0
     * mean the defaults; {@code ownedPartitions} is as sent, so a partition listed twice is
     * refused when it applies.
     */
    record Heartbeat(String groupId, String memberId, int memberEpoch, List<String> subscribedTopics,
                     List<TopicPartition> ownedPartitions, Assignor assignor, int sessionTimeoutMs,
                     int rebalanceTimeoutMs, String clientId, String clientHost, long nowMs) implements OfGroup {
        public Heartbeat {
            Objects.requireNonNull(groupId, "groupId");
            Objects.requireNonNull(memberId, "memberId");
            subscribedTopics = List.copyOf(subscribedTopics);
            ownedPartitions = List.copyOf(ownedPartitions);
            Objects.requireNonNull(assignor, "assignor");
            Objects.requireNonNull(clientId, "clientId");
            Objects.requireNonNull(clientHost, "clientHost");
        }
    }

    /** A member leaves; leaving as a member the group does not have changes nothing and succeeds. */
    record LeaveGroup(String groupId, String memberId) implements OfGroup {
        public LeaveGroup {
            Objects.requireNonNull(groupId, "groupId");
            Objects.requireNonNull(memberId, "memberId");
        }
    }

    /**
     * The coordinator leader evicts a member it found overdue at {@code nowMs} with epoch {@code
     * memberEpoch}. Applying refuses it unless the member still has that epoch and is overdue
     * by the replicated state too: a heartbeat that changed the member in between wins.
     */
    record ExpireMember(String groupId, String memberId, int memberEpoch, long nowMs) implements OfGroup {
        public ExpireMember {
            Objects.requireNonNull(groupId, "groupId");
            Objects.requireNonNull(memberId, "memberId");
        }
    }

    /** One partition's offset, as a commit or reset names it. */
    record OffsetCommit(TopicPartition partition, long offset, String metadata) {
        public OffsetCommit {
            Objects.requireNonNull(partition, "partition");
            Objects.requireNonNull(metadata, "metadata");
        }
    }

    /**
     * A commit by a member ({@code memberId} and its epoch) or by a tool (empty {@code memberId},
     * epoch 0); all offsets or none. {@code nowMs} becomes the offsets' commit time.
     */
    record CommitOffsets(String groupId, String memberId, int memberEpoch, List<OffsetCommit> offsets, long nowMs)
            implements OfGroup {
        public CommitOffsets {
            Objects.requireNonNull(groupId, "groupId");
            Objects.requireNonNull(memberId, "memberId");
            offsets = List.copyOf(offsets);
        }
    }

    /**
     * ResetOffsets with the offsets the leader resolved (it asked the partitions' leaders);
     * only for a group without members. {@code nowMs} becomes the offsets' commit time.
     */
    record ResetOffsets(String groupId, List<OffsetCommit> offsets, long nowMs) implements OfGroup {
        public ResetOffsets {
            Objects.requireNonNull(groupId, "groupId");
            offsets = List.copyOf(offsets);
        }
    }

    /** Deletes a group without members, with its offsets. */
    record DeleteGroup(String groupId) implements OfGroup {
        public DeleteGroup {
            Objects.requireNonNull(groupId, "groupId");
        }
    }

    /**
     * Topics' partition counts as the cluster metadata has them now (0: the topic is gone). The
     * coordinator leader proposes it when the metadata it follows changes, so subscriptions to
     * topics created later, and partitions added to a topic, get assigned.
     */
    record TopicPartitionsChanged(SortedMap<String, Integer> partitionCounts) implements GroupCommand {
        public TopicPartitionsChanged {
            partitionCounts = Collections.unmodifiableSortedMap(new TreeMap<>(partitionCounts));
        }
    }
}
