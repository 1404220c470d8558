package io.flotilla.broker.groups;

import static io.flotilla.broker.groups.GroupFixture.tp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.UnknownFieldSet;
import io.flotilla.api.internal.v1.GroupLogEntry;
import io.flotilla.api.internal.v1.GroupsSnapshot;
import io.flotilla.api.internal.v1.MemberHeartbeat;
import io.flotilla.api.internal.v1.MemberPartition;
import io.flotilla.api.internal.v1.OffsetCommitBatch;
import io.flotilla.api.internal.v1.PartitionOffset;
import io.flotilla.api.internal.v1.StoredGroup;
import io.flotilla.api.internal.v1.StoredMember;
import io.flotilla.api.internal.v1.TopicPartitionCount;
import io.flotilla.api.internal.v1.TopicPartitionCounts;
import io.flotilla.api.v1.Assignor;
import io.flotilla.broker.groups.GroupCommand.OffsetCommit;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class GroupCodecTest {

    @Test
    void everyKindOfCommandRoundTrips() {
        List<GroupCommand> commands = List.of(
                new GroupCommand.Heartbeat("g", "m-1", 7, List.of("b", "a"), List.of(tp("a", 3), tp("b", 0)),
                        Assignor.ASSIGNOR_RANGE, 6_000, 0, "client", "[::1]:5000", 1_700_000_000_123L),
                new GroupCommand.Heartbeat("", "", -1, List.of(), List.of(), Assignor.ASSIGNOR_UNSPECIFIED, -5, 9, "", "", -1),
                new GroupCommand.LeaveGroup("g", "m-1"),
                new GroupCommand.ExpireMember("g", "m-1", 3, 42),
                new GroupCommand.CommitOffsets("g", "", 0, List.of(new OffsetCommit(tp("a", 1), 10, "meta"),
                        new OffsetCommit(tp("a", 1), -3, "")), 99),
                new GroupCommand.ResetOffsets("g", List.of(new OffsetCommit(tp("a", 0), 5, "")), 100),
                new GroupCommand.DeleteGroup("g"),
                new GroupCommand.TopicPartitionsChanged(new TreeMap<>(Map.of("a", 4, "gone", 0))));
        for (GroupCommand command : commands) {
            assertEquals(command, GroupCodec.decodeCommand(ByteBuffer.wrap(GroupCodec.encode(command))),
                    "values applying refuses (a partition twice, a negative epoch) still decode: " + command);
        }
    }

    @Test
    void aSnapshotRoundTripsToAnEqualStateAndTheSameBytes() {
        GroupFixture f = new GroupFixture();
        f.topics("t", 4, "u", 2);
        GroupResult.MemberAssignment a = f.ack("a", f.join("a", "t", "u"));
        f.join("b", "t");
        f.ack("a", a);
        f.apply(new GroupCommand.CommitOffsets(GroupFixture.GROUP, "a", a.memberEpoch(),
                List.of(new OffsetCommit(tp("u", 1), 12, "ü")), f.nowMs));
        f.apply(new GroupCommand.CommitOffsets("tools", "", 0, List.of(new OffsetCommit(tp("t", 0), 3, "")), f.nowMs));
        CoordinatorState state = f.machine.state();
        assertTrue(f.member("a").revokedAtMs() > 0 && !f.member("b").target().isEmpty(), "the state has revocations and targets");

        byte[] bytes = GroupCodec.encodeSnapshot(state);
        CoordinatorState decoded = GroupCodec.decodeSnapshot(bytes);
        assertEquals(state, decoded);
        assertArrayEquals(bytes, GroupCodec.encodeSnapshot(decoded), "equal states, equal bytes");
        assertEquals(CoordinatorState.EMPTY, GroupCodec.decodeSnapshot(GroupCodec.encodeSnapshot(CoordinatorState.EMPTY)));
    }

    @Test
    void decodingLeavesTheBuffersPositionAlone() {
        ByteBuffer entry = ByteBuffer.wrap(GroupCodec.encode(new GroupCommand.DeleteGroup("g")));
        GroupCodec.decodeCommand(entry);
        assertEquals(0, entry.position());
    }

    @Test
    void bytesThatAreNotACommandAreRefused() {
        assertCommandRefused(new byte[] {(byte) 0xff, (byte) 0xff}, "not a group command");
        assertCommandRefused(new byte[0], "group command is invalid: it holds no command");
        assertCommandRefused(entry(b -> b.setCommit(OffsetCommitBatch.newBuilder().setGroupId("g")
                .addOffsets(PartitionOffset.newBuilder().setOffset(1)))).toByteArray(), "names no partition");
        assertCommandRefused(entry(b -> b.setHeartbeat(MemberHeartbeat.newBuilder().setAssignorValue(9))).toByteArray(),
                "assignor this version does not know");
        assertCommandRefused(entry(b -> b.setHeartbeat(MemberHeartbeat.newBuilder().addOwnedPartitions(
                io.flotilla.api.v1.TopicPartition.newBuilder().setTopic("t").setPartition(-1)))).toByteArray(), "partition");
        assertCommandRefused(entry(b -> b.setTopicsChanged(TopicPartitionCounts.newBuilder()
                .addTopics(TopicPartitionCount.newBuilder().setTopic("t").setPartitionCount(1))
                .addTopics(TopicPartitionCount.newBuilder().setTopic("t").setPartitionCount(2)))).toByteArray(),
                "topic 't' appears twice");
    }

    @Test
    void fieldsThisVersionDoesNotKnowAreRefusedAtAnyDepth() {
        UnknownFieldSet unknown = UnknownFieldSet.newBuilder()
                .addField(99, UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build();
        assertCommandRefused(entry(b -> b.setHeartbeat(MemberHeartbeat.newBuilder().addOwnedPartitions(
                io.flotilla.api.v1.TopicPartition.newBuilder().setTopic("t").setUnknownFields(unknown)))).toByteArray(),
                "fields [99] of flotilla.v1.TopicPartition");
        assertCommandRefused(entry(b -> b.setDeleteGroup(io.flotilla.api.internal.v1.GroupDeletion.newBuilder().setGroupId("g"))
                .setUnknownFields(unknown)).toByteArray(), "newer");
        GroupsSnapshot snapshot = GroupsSnapshot.newBuilder().addGroups(StoredGroup.newBuilder().setGroupId("g")
                .setUnknownFields(unknown)).build();
        assertSnapshotRefused(snapshot.toByteArray(), "fields [99] of flotilla.internal.v1.StoredGroup");
    }

    @Test
    void snapshotsThatBreakTheInvariantsAreRefused() {
        assertSnapshotRefused(new byte[] {(byte) 0xff, 1, 2}, "not a groups snapshot");
        StoredMember a = member("a", 2).addAssigned(held("t", 0, 2)).build();
        StoredMember b = member("b", 2).addAssigned(held("t", 0, 1)).build();
        assertSnapshotRefused(snapshot(group(2, a, b)), "held by both 'a' and 'b'");
        assertSnapshotRefused(snapshot(group(1, a)), "above its group's epoch 1");
        assertSnapshotRefused(snapshot(group(2, a, a)), "member 'a' of group 'g' appears twice");
        assertSnapshotRefused(snapshot(group(2, member("a", 2).addAssigned(held("t", 0, 3)).build())), "in epoch 3");
        assertSnapshotRefused(snapshot(group(2, member("a", 2).addRevoking(held("t", 0, 1)).build())), "revocation time -1");
        assertSnapshotRefused(snapshot(group(2, member("a", 2).setSessionTimeoutMs(0).build())), "session_timeout_ms is 0");
        assertSnapshotRefused(GroupsSnapshot.newBuilder().addTopics(TopicPartitionCount.newBuilder().setTopic("t"))
                .build().toByteArray(), "partition count of topic 't' is 0");
        assertSnapshotRefused(GroupsSnapshot.newBuilder().addGroups(StoredGroup.newBuilder().setGroupId("g"))
                .addGroups(StoredGroup.newBuilder().setGroupId("g")).build().toByteArray(), "group 'g' appears twice");
    }

    @Test
    void restoringAnInvalidSnapshotKeepsTheState() {
        GroupFixture f = new GroupFixture();
        f.topics("t", 1);
        f.join("a", "t");
        CoordinatorState before = f.machine.state();
        assertThrows(IllegalArgumentException.class, () -> f.machine.restore(new byte[] {(byte) 0xff, 1, 2}));
        assertEquals(before, f.machine.state());
        assertSame(before.groups().get(GroupFixture.GROUP), f.machine.group(GroupFixture.GROUP).orElseThrow());
    }

    @Test
    void anUndecodableEntryIsRefusedAndAReplayedOffsetToo() {
        GroupStateMachine machine = new GroupStateMachine();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> machine.apply(1, ByteBuffer.wrap(new byte[] {(byte) 0xff, 1, 2})));
        assertTrue(e.getMessage().startsWith("not a group command"), e.getMessage());
        machine.apply(5, new GroupCommand.TopicPartitionsChanged(new TreeMap<>(Map.of("t", 1))));
        assertThrows(IllegalArgumentException.class, () -> machine.apply(5, new GroupCommand.DeleteGroup("g")));
        assertEquals(5, machine.version());
    }

    private static GroupLogEntry entry(UnaryOperator<GroupLogEntry.Builder> fill) {
        return fill.apply(GroupLogEntry.newBuilder()).build();
    }

    private static StoredMember.Builder member(String id, int epoch) {
        return StoredMember.newBuilder().setMemberId(id).setMemberEpoch(epoch).setPreviousMemberEpoch(epoch)
                .setSessionTimeoutMs(10_000).setRebalanceTimeoutMs(30_000).setRevokedAtMs(-1);
    }

    private static MemberPartition held(String topic, int partition, int epoch) {
        return MemberPartition.newBuilder().setAssignedEpoch(epoch).setPartition(
                io.flotilla.api.v1.TopicPartition.newBuilder().setTopic(topic).setPartition(partition)).build();
    }

    private static StoredGroup group(int epoch, StoredMember... members) {
        return StoredGroup.newBuilder().setGroupId("g").setGroupEpoch(epoch).addAllMembers(List.of(members)).build();
    }

    private static byte[] snapshot(StoredGroup group) {
        return GroupsSnapshot.newBuilder().addGroups(group).build().toByteArray();
    }

    private static void assertCommandRefused(byte[] bytes, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GroupCodec.decodeCommand(ByteBuffer.wrap(bytes)));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private static void assertSnapshotRefused(byte[] bytes, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GroupCodec.decodeSnapshot(bytes));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
