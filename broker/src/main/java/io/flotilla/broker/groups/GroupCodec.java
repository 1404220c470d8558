package io.flotilla.broker.groups;

import io.flotilla.broker.metadata.KnownFields;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.flotilla.api.internal.v1.GroupDeletion;
import io.flotilla.api.internal.v1.GroupLogEntry;
import io.flotilla.api.internal.v1.GroupsSnapshot;
import io.flotilla.api.internal.v1.MemberExpiry;
import io.flotilla.api.internal.v1.MemberHeartbeat;
import io.flotilla.api.internal.v1.MemberLeave;
import io.flotilla.api.internal.v1.MemberPartition;
import io.flotilla.api.internal.v1.OffsetCommitBatch;
import io.flotilla.api.internal.v1.OffsetResetBatch;
import io.flotilla.api.internal.v1.PartitionOffset;
import io.flotilla.api.internal.v1.StoredGroup;
import io.flotilla.api.internal.v1.StoredMember;
import io.flotilla.api.internal.v1.StoredOffset;
import io.flotilla.api.internal.v1.TopicPartitionCount;
import io.flotilla.api.internal.v1.TopicPartitionCounts;
import io.flotilla.api.v1.Assignor;
import io.flotilla.broker.groups.GroupCommand.OffsetCommit;
import io.flotilla.store.CommittedOffset;
import io.flotilla.store.TopicPartition;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Group commands and snapshots in protobuf (flotilla/internal/v1/groups.proto).
 *
 * <p>Decoding refuses, with an {@link IllegalArgumentException} naming the problem, what it
 * cannot take in full: bytes that do not parse, fields this version does not know, a missing
 * command or partition, an unknown assignor, an entry listed twice where the state keeps one
 * (a topic, a group, a member, a partition), and snapshots that break the state's invariants
 * (see {@link ConsumerGroup} and {@link GroupMember}). Values a command may hold but not be
 * allowed (a bad group id, a negative offset, a partition listed twice) decode, and applying
 * rejects them.
 */
public final class GroupCodec {

    private static final String COMMAND = "group command";
    private static final String SNAPSHOT = "groups snapshot";

    private GroupCodec() {
    }

    public static byte[] encode(GroupCommand command) {
        GroupLogEntry.Builder out = GroupLogEntry.newBuilder();
        if (command instanceof GroupCommand.Heartbeat c) {
            MemberHeartbeat.Builder h = MemberHeartbeat.newBuilder().setGroupId(c.groupId()).setMemberId(c.memberId())
                    .setMemberEpoch(c.memberEpoch()).addAllSubscribedTopics(c.subscribedTopics()).setAssignor(c.assignor())
                    .setSessionTimeoutMs(c.sessionTimeoutMs()).setRebalanceTimeoutMs(c.rebalanceTimeoutMs())
                    .setClientId(c.clientId()).setClientHost(c.clientHost()).setNowMs(c.nowMs());
            c.ownedPartitions().forEach(p -> h.addOwnedPartitions(toProto(p)));
            out.setHeartbeat(h);
        } else if (command instanceof GroupCommand.LeaveGroup c) {
            out.setLeave(MemberLeave.newBuilder().setGroupId(c.groupId()).setMemberId(c.memberId()));
        } else if (command instanceof GroupCommand.ExpireMember c) {
            out.setExpiry(MemberExpiry.newBuilder().setGroupId(c.groupId()).setMemberId(c.memberId())
                    .setMemberEpoch(c.memberEpoch()).setNowMs(c.nowMs()));
        } else if (command instanceof GroupCommand.CommitOffsets c) {
            out.setCommit(OffsetCommitBatch.newBuilder().setGroupId(c.groupId()).setMemberId(c.memberId())
                    .setMemberEpoch(c.memberEpoch()).addAllOffsets(toProto(c.offsets())).setNowMs(c.nowMs()));
        } else if (command instanceof GroupCommand.ResetOffsets c) {
            out.setReset(OffsetResetBatch.newBuilder().setGroupId(c.groupId()).addAllOffsets(toProto(c.offsets()))
                    .setNowMs(c.nowMs()));
        } else if (command instanceof GroupCommand.DeleteGroup c) {
            out.setDeleteGroup(GroupDeletion.newBuilder().setGroupId(c.groupId()));
        } else if (command instanceof GroupCommand.TopicPartitionsChanged c) {
            TopicPartitionCounts.Builder counts = TopicPartitionCounts.newBuilder();
            c.partitionCounts().forEach((topic, count) -> counts.addTopics(count(topic, count)));
            out.setTopicsChanged(counts);
        } else {
            throw new IllegalArgumentException("unknown command " + command);
        }
        return out.build().toByteArray();
    }

    public static GroupCommand decodeCommand(ByteBuffer bytes) {
        return decode(COMMAND, "invalid", () -> GroupLogEntry.parseFrom(bytes.duplicate()), GroupCodec::command);
    }

    private interface Parser<M extends Message> {
        M parse() throws InvalidProtocolBufferException;
    }

    /**
     * Parses, refuses unknown fields, and builds the value; each failure is an {@link
     * IllegalArgumentException} saying which step failed.
     */
    private static <M extends Message, T> T decode(String what, String whenUnbuildable, Parser<M> parser,
            Function<M, T> build) {
        M in;
        try {
            in = parser.parse();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not a " + what + ": " + e.getMessage(), e);
        }
        KnownFields.require(in, what);
        try {
            return build.apply(in);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " is " + whenUnbuildable + ": " + e.getMessage(), e);
        }
    }

    private static GroupCommand command(GroupLogEntry in) {
        return switch (in.getCommandCase()) {
            case HEARTBEAT -> {
                MemberHeartbeat h = in.getHeartbeat();
                yield new GroupCommand.Heartbeat(h.getGroupId(), h.getMemberId(), h.getMemberEpoch(),
                        h.getSubscribedTopicsList(), h.getOwnedPartitionsList().stream().map(GroupCodec::partition).toList(),
                        assignor(h.getAssignor()), h.getSessionTimeoutMs(), h.getRebalanceTimeoutMs(), h.getClientId(),
                        h.getClientHost(), h.getNowMs());
            }
            case LEAVE -> new GroupCommand.LeaveGroup(in.getLeave().getGroupId(), in.getLeave().getMemberId());
            case EXPIRY -> new GroupCommand.ExpireMember(in.getExpiry().getGroupId(), in.getExpiry().getMemberId(),
                    in.getExpiry().getMemberEpoch(), in.getExpiry().getNowMs());
            case COMMIT -> new GroupCommand.CommitOffsets(in.getCommit().getGroupId(), in.getCommit().getMemberId(),
                    in.getCommit().getMemberEpoch(), offsets(in.getCommit().getOffsetsList()), in.getCommit().getNowMs());
            case RESET -> new GroupCommand.ResetOffsets(in.getReset().getGroupId(), offsets(in.getReset().getOffsetsList()),
                    in.getReset().getNowMs());
            case DELETE_GROUP -> new GroupCommand.DeleteGroup(in.getDeleteGroup().getGroupId());
            case TOPICS_CHANGED -> new GroupCommand.TopicPartitionsChanged(counts(in.getTopicsChanged().getTopicsList()));
            case COMMAND_NOT_SET -> throw new IllegalArgumentException("it holds no command");
        };
    }

    public static byte[] encodeSnapshot(CoordinatorState state) {
        GroupsSnapshot.Builder out = GroupsSnapshot.newBuilder().setVersion(state.version());
        state.partitionCounts().forEach((topic, count) -> out.addTopics(count(topic, count)));
        for (ConsumerGroup group : state.groups().values()) {
            StoredGroup.Builder g = StoredGroup.newBuilder().setGroupId(group.groupId()).setGroupEpoch(group.groupEpoch());
            group.members().values().forEach(m -> g.addMembers(toProto(m)));
            group.offsets().byPartition().forEach((p, o) -> g.addOffsets(StoredOffset.newBuilder().setPartition(toProto(p))
                    .setOffset(o.offset()).setMetadata(o.metadata()).setCommitTimeMs(o.commitTimestampMs())));
            out.addGroups(g);
        }
        return out.build().toByteArray();
    }

    public static CoordinatorState decodeSnapshot(byte[] bytes) {
        return decode(SNAPSHOT, "inconsistent", () -> GroupsSnapshot.parseFrom(bytes), GroupCodec::snapshot);
    }

    private static CoordinatorState snapshot(GroupsSnapshot in) {
        SortedMap<String, ConsumerGroup> groups = new TreeMap<>();
        for (StoredGroup g : in.getGroupsList()) {
            SortedMap<String, GroupMember> members = new TreeMap<>();
            for (StoredMember m : g.getMembersList()) {
                putOnce(members, m.getMemberId(), member(m), "member '" + m.getMemberId() + "' of group '" + g.getGroupId() + "'");
            }
            SortedMap<TopicPartition, CommittedOffset> offsets = new TreeMap<>(PartitionOrder.ORDER);
            for (StoredOffset o : g.getOffsetsList()) {
                TopicPartition p = partition(o.hasPartition(), o.getPartition());
                putOnce(offsets, p, new CommittedOffset(o.getOffset(), o.getMetadata(), o.getCommitTimeMs()),
                        "the offset of " + GroupRules.show(p) + " in group '" + g.getGroupId() + "'");
            }
            ConsumerGroup group = new ConsumerGroup(g.getGroupId(), g.getGroupEpoch(), members, new CommittedOffsets(offsets));
            putOnce(groups, group.groupId(), group, "group '" + group.groupId() + "'");
        }
        return new CoordinatorState(in.getVersion(), counts(in.getTopicsList()), groups);
    }

    private static StoredMember toProto(GroupMember m) {
        StoredMember.Builder out = StoredMember.newBuilder().setMemberId(m.memberId()).setMemberEpoch(m.memberEpoch())
                .setPreviousMemberEpoch(m.previousMemberEpoch()).setClientId(m.profile().clientId())
                .setClientHost(m.profile().clientHost()).addAllSubscribedTopics(m.profile().subscribedTopics())
                .setAssignor(m.profile().assignor()).setSessionTimeoutMs(m.profile().sessionTimeoutMs())
                .setRebalanceTimeoutMs(m.profile().rebalanceTimeoutMs()).setLastHeartbeatMs(m.lastHeartbeatMs())
                .setRevokedAtMs(m.revokedAtMs());
        m.assigned().forEach((p, epoch) -> out.addAssigned(held(p, epoch)));
        m.revoking().forEach((p, epoch) -> out.addRevoking(held(p, epoch)));
        m.target().forEach(p -> out.addTarget(toProto(p)));
        return out.build();
    }

    private static GroupMember member(StoredMember m) {
        String who = "member '" + m.getMemberId() + "'";
        MemberProfile profile = new MemberProfile(m.getClientId(), m.getClientHost(), new TreeSet<>(m.getSubscribedTopicsList()),
                assignor(m.getAssignor()), m.getSessionTimeoutMs(), m.getRebalanceTimeoutMs());
        return new GroupMember(m.getMemberId(), profile, m.getLastHeartbeatMs(), m.getMemberEpoch(),
                m.getPreviousMemberEpoch(), held(m.getAssignedList(), who + " assigned"),
                held(m.getRevokingList(), who + " revoking"), m.getRevokedAtMs(),
                PartitionOrder.sortedSet(m.getTargetList().stream().map(GroupCodec::partition).toList()));
    }

    private static MemberPartition held(TopicPartition p, int epoch) {
        return MemberPartition.newBuilder().setPartition(toProto(p)).setAssignedEpoch(epoch).build();
    }

    private static SortedMap<TopicPartition, Integer> held(List<MemberPartition> in, String where) {
        SortedMap<TopicPartition, Integer> out = new TreeMap<>(PartitionOrder.ORDER);
        for (MemberPartition h : in) {
            TopicPartition p = partition(h.hasPartition(), h.getPartition());
            putOnce(out, p, h.getAssignedEpoch(), GroupRules.show(p) + " of " + where);
        }
        return out;
    }

    private static List<PartitionOffset> toProto(List<OffsetCommit> offsets) {
        return offsets.stream().map(o -> PartitionOffset.newBuilder().setPartition(toProto(o.partition()))
                .setOffset(o.offset()).setMetadata(o.metadata()).build()).toList();
    }

    private static List<OffsetCommit> offsets(List<PartitionOffset> in) {
        return in.stream().map(o -> new OffsetCommit(partition(o.hasPartition(), o.getPartition()), o.getOffset(),
                o.getMetadata())).toList();
    }

    private static TopicPartitionCount count(String topic, int count) {
        return TopicPartitionCount.newBuilder().setTopic(topic).setPartitionCount(count).build();
    }

    private static SortedMap<String, Integer> counts(List<TopicPartitionCount> in) {
        SortedMap<String, Integer> out = new TreeMap<>();
        in.forEach(c -> putOnce(out, c.getTopic(), c.getPartitionCount(), "topic '" + c.getTopic() + "'"));
        return out;
    }

    private static io.flotilla.api.v1.TopicPartition toProto(TopicPartition p) {
        return io.flotilla.api.v1.TopicPartition.newBuilder().setTopic(p.topic()).setPartition(p.partition()).build();
    }

    private static TopicPartition partition(io.flotilla.api.v1.TopicPartition p) {
        return new TopicPartition(p.getTopic(), p.getPartition());
    }

    private static TopicPartition partition(boolean present, io.flotilla.api.v1.TopicPartition p) {
        if (!present) {
            throw new IllegalArgumentException("an entry names no partition");
        }
        return partition(p);
    }

    private static Assignor assignor(Assignor in) {
        if (in == Assignor.UNRECOGNIZED) {
            throw new IllegalArgumentException("it names an assignor this version does not know");
        }
        return in;
    }

    private static <K, V> void putOnce(Map<K, V> map, K key, V value, String what) {
        if (map.put(key, value) != null) {
            throw new IllegalArgumentException(what + " appears twice");
        }
    }
}
