package io.flotilla.broker.groups;

import io.flotilla.broker.groups.GroupCommand.ExpireMember;
import io.flotilla.broker.groups.GroupCommand.TopicPartitionsChanged;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A coordinator partition's state machine on one replica: its groups and the topics' partition
 * counts, moved forward by each committed command in log order.
 *
 * <p>Groups are immutable values replaced whole ({@link GroupApplier}); the map holding them is
 * not, so a command costs the size of its group rather than of the partition's state. One
 * thread (the coordinator partition's loop) applies, restores and reads; others ask it.
 */
public final class GroupStateMachine {

    private final TreeMap<String, ConsumerGroup> groups = new TreeMap<>();
    private SortedMap<String, Integer> partitionCounts = Collections.emptySortedMap();
    private long version;

    /** The log offset of the last command applied without rejection; 0 before any. */
    public long version() {
        return version;
    }

    public Optional<ConsumerGroup> group(String groupId) {
        return Optional.ofNullable(groups.get(groupId));
    }

    /** The groups by id: a read-only view that follows later commands. */
    public SortedMap<String, ConsumerGroup> groups() {
        return Collections.unmodifiableSortedMap(groups);
    }

    /** The topics' partition counts the coordinator was told of. */
    public SortedMap<String, Integer> partitionCounts() {
        return partitionCounts;
    }

    /** The whole state, as a value that later commands do not change. */
    public CoordinatorState state() {
        return new CoordinatorState(version, partitionCounts, groups);
    }

    /**
     * Applies the committed command at {@code offset}.
     *
     * @throws IllegalArgumentException if {@code offset} is not above {@link #version()} (an
     *                                  entry the state already holds: skip those below it)
     */
    public GroupResult apply(long offset, GroupCommand command) {
        if (offset <= version) {
            throw new IllegalArgumentException("entry " + offset + " is not after the group state's version " + version);
        }
        GroupResult result;
        if (command instanceof TopicPartitionsChanged c) {
            GroupApplier.TopicsOutcome outcome = GroupApplier.topicsChanged(partitionCounts, groups.values(), c);
            result = outcome.result();
            if (!(result instanceof GroupRejection)) {
                partitionCounts = outcome.partitionCounts();
                outcome.changedGroups().forEach(g -> groups.put(g.groupId(), g));
            }
        } else {
            GroupCommand.OfGroup c = (GroupCommand.OfGroup) command;
            GroupApplier.Outcome outcome = GroupApplier.apply(group(c.groupId()), partitionCounts, c);
            result = outcome.result();
            if (!(result instanceof GroupRejection)) {
                outcome.group().ifPresentOrElse(g -> groups.put(g.groupId(), g), () -> groups.remove(c.groupId()));
            }
        }
        if (!(result instanceof GroupRejection)) {
            version = offset;
        }
        return result;
    }

    /**
     * Applies the committed entry at {@code offset}, as {@link GroupCodec} encoded it.
     *
     * @throws IllegalArgumentException if the entry does not decode: every replica fails alike
     *                                  on the same bytes, and must stop rather than skip it
     */
    public GroupResult apply(long offset, ByteBuffer entry) {
        return apply(offset, GroupCodec.decodeCommand(entry));
    }

    /**
     * The evictions the coordinator leader should propose at {@code nowMs}: members silent for
     * their session timeout, or holding a revoked partition for their rebalance timeout, by the
     * times in the log. A leader that answers unchanged heartbeats without logging them knows
     * fresher times and proposes from those instead.
     */
    public List<ExpireMember> overdueMembers(long nowMs) {
        List<ExpireMember> out = new ArrayList<>();
        for (ConsumerGroup group : groups.values()) {
            for (GroupMember member : group.members().values()) {
                if (member.sessionExpired(nowMs) || member.revocationOverdue(nowMs)) {
                    out.add(new ExpireMember(group.groupId(), member.memberId(), member.memberEpoch(), nowMs));
                }
            }
        }
        return out;
    }

    /** The whole state, to store as the coordinator partition's snapshot. */
    public byte[] snapshot() {
        return GroupCodec.encodeSnapshot(state());
    }

    /**
     * Replaces the state with a snapshot's.
     *
     * @throws IllegalArgumentException if the bytes are not a valid snapshot; the state is then
     *                                  unchanged
     */
    public void restore(byte[] snapshot) {
        CoordinatorState restored = GroupCodec.decodeSnapshot(snapshot);
        groups.clear();
        groups.putAll(restored.groups());
        partitionCounts = restored.partitionCounts();
        version = restored.version();
    }
}
