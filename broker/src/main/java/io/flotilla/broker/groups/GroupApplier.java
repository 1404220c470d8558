package io.flotilla.broker.groups;

import io.flotilla.api.v1.ErrorReason;
import io.flotilla.broker.groups.GroupCommand.CommitOffsets;
import io.flotilla.broker.groups.GroupCommand.DeleteGroup;
import io.flotilla.broker.groups.GroupCommand.ExpireMember;
import io.flotilla.broker.groups.GroupCommand.Heartbeat;
import io.flotilla.broker.groups.GroupCommand.LeaveGroup;
import io.flotilla.broker.groups.GroupCommand.OffsetCommit;
import io.flotilla.broker.groups.GroupCommand.ResetOffsets;
import io.flotilla.broker.groups.GroupCommand.TopicPartitionsChanged;
import io.flotilla.broker.groups.GroupResult.PartitionReset;
import io.flotilla.store.CommittedOffset;
import io.flotilla.store.TopicPartition;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The group state's transition function: (group, partition counts, command) to (group,
 * result), and nothing else, so every replica reaches the same state from the same log, and a
 * coordinator leader may evaluate a command (a heartbeat that may change nothing worth
 * replicating) without proposing it. A command that is not allowed in the state it meets is
 * rejected and changes nothing.
 *
 * <p>What is wrong whatever the state ({@link GroupRules}) is checked first, so a client gets
 * the same answer the leader gives before proposing; then what does not exist (NOT_FOUND);
 * then what the state rules out (FAILED_PRECONDITION).
 */
public final class GroupApplier {

    /** A group after a command (empty: there is none, or no longer), and what to answer. */
    public record Outcome(Optional<ConsumerGroup> group, GroupResult result) {
        public Outcome {
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(result, "result");
        }
    }

    /** The partition counts after a {@link TopicPartitionsChanged}, the groups it rebalanced, and what to answer. */
    public record TopicsOutcome(SortedMap<String, Integer> partitionCounts, List<ConsumerGroup> changedGroups,
                                GroupResult result) {
        public TopicsOutcome {
            partitionCounts = Collections.unmodifiableSortedMap(new TreeMap<>(partitionCounts));
            changedGroups = List.copyOf(changedGroups);
            Objects.requireNonNull(result, "result");
        }
    }

    private GroupApplier() {
    }

    /**
     * Applies {@code command} to its group ({@code group}, empty when there is none).
     *
     * @param partitionCounts the topics' partition counts the coordinator knows
     */
    public static Outcome apply(Optional<ConsumerGroup> group, SortedMap<String, Integer> partitionCounts,
            GroupCommand.OfGroup command) {
        Optional<GroupRejection> invalid = GroupRules.check(command);
        if (invalid.isPresent()) {
            return new Outcome(group, invalid.get());
        }
        if (command instanceof Heartbeat c) {
            return c.memberEpoch() == 0 ? join(group, partitionCounts, c) : heartbeat(group, partitionCounts, c);
        } else if (command instanceof LeaveGroup c) {
            return leave(group, partitionCounts, c);
        } else if (command instanceof ExpireMember c) {
            return expire(group, partitionCounts, c);
        } else if (command instanceof CommitOffsets c) {
            return commit(group, partitionCounts, c);
        } else if (command instanceof ResetOffsets c) {
            return reset(group, partitionCounts, c);
        } else if (command instanceof DeleteGroup c) {
            return delete(group, c);
        }
        throw new IllegalArgumentException("unknown command " + command);
    }

    /**
     * Records the new partition counts; each group subscribed to a topic whose count changed
     * gets a new epoch and a target assignment over the new partitions.
     */
    public static TopicsOutcome topicsChanged(SortedMap<String, Integer> partitionCounts,
            Collection<ConsumerGroup> groups, TopicPartitionsChanged command) {
        Optional<GroupRejection> invalid = GroupRules.check(command);
        if (invalid.isPresent()) {
            return new TopicsOutcome(partitionCounts, List.of(), invalid.get());
        }
        SortedMap<String, Integer> counts = new TreeMap<>(partitionCounts);
        Set<String> changed = new TreeSet<>();
        command.partitionCounts().forEach((topic, count) -> {
            Integer before = count == 0 ? counts.remove(topic) : counts.put(topic, count);
            if (!Objects.equals(before, count == 0 ? null : count)) {
                changed.add(topic);
            }
        });
        List<ConsumerGroup> rebalanced = new ArrayList<>();
        for (ConsumerGroup group : groups) {
            if (group.subscribedTopics().stream().anyMatch(changed::contains)) {
                rebalanced.add(retarget(group, group.members(), counts));
            }
        }
        return new TopicsOutcome(counts, rebalanced,
                new GroupResult.TopicsChanged(rebalanced.stream().map(ConsumerGroup::groupId).toList()));
    }

    /**
     * Whether applying a command turned {@code before} into {@code after} changing nothing but
     * when {@code memberId} last heartbeated: a heartbeat the coordinator leader may answer
     * without logging it, keeping the fresher time itself.
     */
    public static boolean onlyHeartbeatTimeChanged(Optional<ConsumerGroup> before, Optional<ConsumerGroup> after,
            String memberId) {
        if (before.isEmpty() || after.isEmpty()) {
            return before.equals(after);
        }
        GroupMember was = before.get().members().get(memberId);
        GroupMember now = after.get().members().get(memberId);
        if (was == null || now == null) {
            return before.equals(after);
        }
        SortedMap<String, GroupMember> members = new TreeMap<>(after.get().members());
        members.put(memberId, now.withProfile(now.profile(), was.lastHeartbeatMs()));
        return after.get().withMembers(after.get().groupEpoch(), members).equals(before.get());
    }

    private static Outcome join(Optional<ConsumerGroup> found, SortedMap<String, Integer> counts, Heartbeat c) {
        ConsumerGroup group = found.orElseGet(() -> ConsumerGroup.empty(c.groupId()));
        if (!group.members().containsKey(c.memberId()) && group.members().size() >= GroupRules.MAX_MEMBERS) {
            return rejected(found, ErrorReason.ERROR_REASON_GROUP_FULL, "group " + GroupRules.shown(c.groupId()) + " has "
                    + group.members().size() + " members, the most it may have; join again after some leave");
        }
        // A join with a member id the group has replaces that member: what it held counts as released.
        int epoch = group.groupEpoch() + 1;
        GroupMember joined = new GroupMember(c.memberId(), profile(c), c.nowMs(), epoch, epoch, Collections.emptySortedMap(),
                Collections.emptySortedMap(), -1, Collections.emptySortedSet());
        SortedMap<String, GroupMember> members = new TreeMap<>(group.members());
        members.put(c.memberId(), joined);
        return answer(retarget(group, members, counts), c);
    }

    private static Outcome heartbeat(Optional<ConsumerGroup> found, SortedMap<String, Integer> counts, Heartbeat c) {
        Optional<GroupMember> known = found.map(g -> g.members().get(c.memberId()));
        if (known.isEmpty()) {
            return unknownMember(found, c.groupId(), c.memberId());
        }
        ConsumerGroup group = found.get();
        GroupMember member = known.get();
        if (c.memberEpoch() != member.memberEpoch() && c.memberEpoch() != member.previousMemberEpoch()) {
            return rejected(found, ErrorReason.ERROR_REASON_STALE_MEMBER_EPOCH, "member " + GroupRules.shown(c.memberId())
                    + " sent epoch " + c.memberEpoch() + ", but its epoch is " + member.memberEpoch() + acceptedBefore(member)
                    + ": drop your partitions without committing and rejoin with member_epoch 0");
        }
        List<TopicPartition> neverGiven = c.ownedPartitions().stream().filter(p -> !member.holds(p))
                .sorted(PartitionOrder.ORDER).toList();
        if (!neverGiven.isEmpty()) {
            return rejected(found, new GroupRejection(ErrorReason.ERROR_REASON_STALE_MEMBER_EPOCH, "member "
                    + GroupRules.shown(c.memberId()) + " lists owned partitions it does not hold in epoch "
                    + member.memberEpoch() + " (" + shownList(neverGiven) + "): drop your partitions without committing "
                    + "and rejoin with member_epoch 0", neverGiven));
        }
        MemberProfile profile = profile(c);
        SortedMap<String, GroupMember> members = new TreeMap<>(group.members());
        members.put(c.memberId(), member.withProfile(profile, c.nowMs()));
        ConsumerGroup updated = group.withMembers(group.groupEpoch(), members);
        boolean rebalance = !profile.subscribedTopics().equals(member.profile().subscribedTopics())
                || updated.assignor() != group.assignor();
        return answer(rebalance ? retarget(updated, members, counts) : updated, c);
    }

    private static String acceptedBefore(GroupMember member) {
        return member.previousMemberEpoch() == member.memberEpoch() ? ""
                : " (or " + member.previousMemberEpoch() + " from a member that missed its last answer)";
    }

    /** Reconciles the heartbeating member, and answers with what it may consume now. */
    private static Outcome answer(ConsumerGroup group, Heartbeat c) {
        GroupMember member = group.members().get(c.memberId());
        Set<TopicPartition> heldByOthers = new TreeSet<>(PartitionOrder.ORDER);
        group.holders().forEach((p, holder) -> {
            if (!holder.equals(c.memberId())) {
                heldByOthers.add(p);
            }
        });
        GroupMember stepped = Reconciliation.step(member, PartitionOrder.sortedSet(c.ownedPartitions()), group.groupEpoch(),
                heldByOthers, c.nowMs());
        SortedMap<String, GroupMember> members = new TreeMap<>(group.members());
        members.put(c.memberId(), stepped);
        int interval = stepped.profile().sessionTimeoutMs() / GroupRules.HEARTBEATS_PER_SESSION;
        List<TopicPartition> assignment = List.copyOf(stepped.assigned().keySet());
        return new Outcome(Optional.of(group.withMembers(group.groupEpoch(), members)),
                new GroupResult.MemberAssignment(stepped.memberEpoch(), interval, assignment,
                        group.offsets().only(assignment)));
    }

    private static Outcome leave(Optional<ConsumerGroup> found, SortedMap<String, Integer> counts, LeaveGroup c) {
        if (found.isEmpty() || !found.get().members().containsKey(c.memberId())) {
            return new Outcome(found, new GroupResult.MemberLeft(false)); // leaving twice is harmless
        }
        return new Outcome(Optional.of(without(found.get(), c.memberId(), counts)), new GroupResult.MemberLeft(true));
    }

    private static Outcome expire(Optional<ConsumerGroup> found, SortedMap<String, Integer> counts, ExpireMember c) {
        Optional<GroupMember> known = found.map(g -> g.members().get(c.memberId()));
        if (known.isEmpty()) {
            return unknownMember(found, c.groupId(), c.memberId());
        }
        GroupMember member = known.get();
        if (member.memberEpoch() != c.memberEpoch()) {
            return rejected(found, ErrorReason.ERROR_REASON_STALE_MEMBER_EPOCH, "member " + GroupRules.shown(c.memberId())
                    + " has epoch " + member.memberEpoch() + ", not " + c.memberEpoch()
                    + ": it heartbeated since it was found overdue");
        }
        if (!member.sessionExpired(c.nowMs()) && !member.revocationOverdue(c.nowMs())) {
            return rejected(found, ErrorReason.ERROR_REASON_INVALID_REQUEST, "member " + GroupRules.shown(c.memberId())
                    + " is not overdue at " + c.nowMs() + ": last heartbeat at " + member.lastHeartbeatMs()
                    + " with session timeout " + member.profile().sessionTimeoutMs() + " ms, revoking "
                    + member.revoking().size() + " partitions since " + member.revokedAtMs());
        }
        return new Outcome(Optional.of(without(found.get(), c.memberId(), counts)), new GroupResult.MemberExpired());
    }

    private static ConsumerGroup without(ConsumerGroup group, String memberId, SortedMap<String, Integer> counts) {
        SortedMap<String, GroupMember> members = new TreeMap<>(group.members());
        members.remove(memberId);
        return retarget(group, members, counts);
    }

    private static Outcome commit(Optional<ConsumerGroup> found, SortedMap<String, Integer> counts, CommitOffsets c) {
        Optional<GroupRejection> missing = missingPartition(counts, c.offsets());
        if (missing.isPresent()) {
            return rejected(found, missing.get());
        }
        List<TopicPartition> partitions = c.offsets().stream().map(OffsetCommit::partition).sorted(PartitionOrder.ORDER).toList();
        ConsumerGroup group;
        if (c.memberId().isEmpty()) {
            group = found.orElseGet(() -> ConsumerGroup.empty(c.groupId()));
            if (!group.members().isEmpty()) {
                return rejected(found, notEmpty(group, "commit without membership"));
            }
        } else {
            Optional<GroupMember> known = found.map(g -> g.members().get(c.memberId()));
            if (known.isEmpty()) {
                return unknownMember(found, c.groupId(), c.memberId());
            }
            group = found.get();
            Optional<GroupRejection> refused = checkMemberCommit(known.get(), c.memberEpoch(), partitions);
            if (refused.isPresent()) {
                return rejected(found, refused.get());
            }
        }
        return new Outcome(Optional.of(group.withOffsets(group.offsets().with(stamped(c.offsets(), c.nowMs())))),
                new GroupResult.OffsetsCommitted(c.nowMs()));
    }

    /**
     * A member may commit for the partitions it holds, with an epoch at most its current one and
     * no older than the epoch each partition was given in.
     */
    private static Optional<GroupRejection> checkMemberCommit(GroupMember member, int epoch, List<TopicPartition> partitions) {
        String who = "member " + GroupRules.shown(member.memberId());
        if (epoch > member.memberEpoch()) {
            return Optional.of(new GroupRejection(ErrorReason.ERROR_REASON_STALE_MEMBER_EPOCH, who + " committed with epoch "
                    + epoch + ", above its epoch " + member.memberEpoch() + ": drop your partitions without committing "
                    + "and rejoin with member_epoch 0"));
        }
        List<TopicPartition> notOwned = partitions.stream().filter(p -> !member.holds(p)).toList();
        if (!notOwned.isEmpty()) {
            return Optional.of(new GroupRejection(ErrorReason.ERROR_REASON_PARTITION_NOT_OWNED, who + " does not own "
                    + shownList(notOwned) + ": commit only the partitions of your current assignment", notOwned));
        }
        List<TopicPartition> newer = partitions.stream().filter(p -> member.heldSince(p) > epoch).toList();
        if (!newer.isEmpty()) {
            return Optional.of(new GroupRejection(ErrorReason.ERROR_REASON_STALE_MEMBER_EPOCH, who + " committed with epoch "
                    + epoch + " for " + shownList(newer) + ", given to it in a later epoch: drop your partitions without "
                    + "committing and rejoin with member_epoch 0", newer));
        }
        return Optional.empty();
    }

    private static Outcome reset(Optional<ConsumerGroup> found, SortedMap<String, Integer> counts, ResetOffsets c) {
        if (found.isEmpty()) {
            return rejected(found, new GroupRejection(ErrorReason.ERROR_REASON_GROUP_NOT_FOUND, "group "
                    + GroupRules.shown(c.groupId()) + " does not exist; to preset the offsets of a new group, use "
                    + "CommitOffsets without membership"));
        }
        Optional<GroupRejection> missing = missingPartition(counts, c.offsets());
        if (missing.isPresent()) {
            return rejected(found, missing.get());
        }
        ConsumerGroup group = found.get();
        if (!group.members().isEmpty()) {
            return rejected(found, notEmpty(group, "reset of offsets"));
        }
        Map<TopicPartition, CommittedOffset> stamped = stamped(c.offsets(), c.nowMs());
        List<PartitionReset> resets = stamped.entrySet().stream().map(e -> new PartitionReset(e.getKey(),
                group.offsets().get(e.getKey()).map(CommittedOffset::offset).orElse(-1L), e.getValue().offset())).toList();
        return new Outcome(Optional.of(group.withOffsets(group.offsets().with(stamped))), new GroupResult.OffsetsReset(resets));
    }

    private static Outcome delete(Optional<ConsumerGroup> found, DeleteGroup c) {
        if (found.isEmpty()) {
            return rejected(found, new GroupRejection(ErrorReason.ERROR_REASON_GROUP_NOT_FOUND, "group "
                    + GroupRules.shown(c.groupId()) + " does not exist"));
        }
        if (!found.get().members().isEmpty()) {
            return rejected(found, notEmpty(found.get(), "deletion"));
        }
        return new Outcome(Optional.empty(), new GroupResult.GroupDeleted());
    }

    /**
     * The group with {@code members}, a new epoch, and the target assignment its assignor
     * computes for them, sticking to their previous targets where it can.
     */
    static ConsumerGroup retarget(ConsumerGroup group, SortedMap<String, GroupMember> members,
            SortedMap<String, Integer> counts) {
        SortedMap<String, SortedSet<String>> subscriptions = new TreeMap<>();
        Map<String, SortedSet<TopicPartition>> previous = new TreeMap<>();
        members.forEach((id, m) -> {
            subscriptions.put(id, m.profile().subscribedTopics());
            previous.put(id, m.target());
        });
        ConsumerGroup regrouped = group.withMembers(group.groupEpoch() + 1, members);
        SortedMap<String, SortedSet<TopicPartition>> target =
                PartitionAssignor.of(regrouped.assignor()).assign(subscriptions, counts, previous);
        SortedMap<String, GroupMember> retargeted = new TreeMap<>();
        members.forEach((id, m) -> retargeted.put(id, m.target().equals(target.get(id)) ? m : m.withTarget(target.get(id))));
        return regrouped.withMembers(regrouped.groupEpoch(), retargeted);
    }

    private static MemberProfile profile(Heartbeat c) {
        return new MemberProfile(c.clientId(), c.clientHost(), new TreeSet<>(c.subscribedTopics()), c.assignor(),
                GroupRules.sessionTimeoutMs(c.sessionTimeoutMs()), GroupRules.rebalanceTimeoutMs(c.rebalanceTimeoutMs()));
    }

    private static Map<TopicPartition, CommittedOffset> stamped(List<OffsetCommit> offsets, long nowMs) {
        Map<TopicPartition, CommittedOffset> out = new TreeMap<>(PartitionOrder.ORDER);
        offsets.forEach(o -> out.put(o.partition(), new CommittedOffset(o.offset(), o.metadata(), nowMs)));
        return out;
    }

    private static Optional<GroupRejection> missingPartition(SortedMap<String, Integer> counts, List<OffsetCommit> offsets) {
        for (OffsetCommit o : offsets) {
            TopicPartition p = o.partition();
            Integer count = counts.get(p.topic());
            if (count == null) {
                return Optional.of(new GroupRejection(ErrorReason.ERROR_REASON_TOPIC_NOT_FOUND, "topic "
                        + GroupRules.shown(p.topic()) + " does not exist", List.of(p)));
            }
            if (p.partition() >= count) {
                return Optional.of(new GroupRejection(ErrorReason.ERROR_REASON_PARTITION_NOT_FOUND, "topic "
                        + GroupRules.shown(p.topic()) + " has " + count + " partitions, so no partition " + p.partition(),
                        List.of(p)));
            }
        }
        return Optional.empty();
    }

    private static GroupRejection notEmpty(ConsumerGroup group, String what) {
        return new GroupRejection(ErrorReason.ERROR_REASON_GROUP_NOT_EMPTY, "group " + GroupRules.shown(group.groupId())
                + " has " + group.members().size() + " active members; a " + what
                + " needs a group without members: retry after they left");
    }

    private static Outcome unknownMember(Optional<ConsumerGroup> found, String groupId, String memberId) {
        return rejected(found, ErrorReason.ERROR_REASON_UNKNOWN_MEMBER, "group " + GroupRules.shown(groupId)
                + " has no member " + GroupRules.shown(memberId) + " (it never joined, left, or was evicted): drop your "
                + "partitions without committing and rejoin with member_epoch 0");
    }

    private static String shownList(List<TopicPartition> partitions) {
        int shown = Math.min(partitions.size(), 5);
        String listed = partitions.subList(0, shown).stream().map(GroupRules::show).collect(Collectors.joining(", "));
        return shown < partitions.size() ? listed + " and " + (partitions.size() - shown) + " more" : listed;
    }

    private static Outcome rejected(Optional<ConsumerGroup> found, ErrorReason reason, String message) {
        return rejected(found, new GroupRejection(reason, message));
    }

    private static Outcome rejected(Optional<ConsumerGroup> found, GroupRejection rejection) {
        return new Outcome(found, rejection);
    }
}
