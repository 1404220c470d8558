package io.flotilla.broker.groups;

import static io.flotilla.broker.groups.GroupFixture.GROUP;
import static io.flotilla.broker.groups.GroupFixture.tp;
import static io.flotilla.broker.groups.GroupFixture.tps;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.api.v1.ErrorReason;
import io.flotilla.broker.groups.GroupCommand.CommitOffsets;
import io.flotilla.broker.groups.GroupCommand.DeleteGroup;
import io.flotilla.broker.groups.GroupCommand.LeaveGroup;
import io.flotilla.broker.groups.GroupCommand.OffsetCommit;
import io.flotilla.broker.groups.GroupCommand.ResetOffsets;
import io.flotilla.broker.groups.GroupResult.MemberAssignment;
import io.flotilla.broker.groups.GroupResult.PartitionReset;
import io.flotilla.store.CommittedOffset;
import io.flotilla.store.TopicPartition;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OffsetCommandsTest {

    private final GroupFixture f = new GroupFixture();

    private CommitOffsets commit(String member, int epoch, TopicPartition... partitions) {
        return new CommitOffsets(GROUP, member, epoch, List.of(partitions).stream()
                .map(p -> new OffsetCommit(p, 100 + p.partition(), "m" + p.partition())).toList(), f.nowMs);
    }

    @Test
    void aMemberCommitsWhatItHoldsStampedWithTheCoordinatorsTime() {
        f.topics("t", 2);
        f.join("a", "t");
        assertEquals(new GroupResult.OffsetsCommitted(f.nowMs), f.apply(commit("a", 1, tp("t", 0), tp("t", 1))));
        assertEquals(Optional.of(new CommittedOffset(101, "m1", f.nowMs)), f.group().offsets().get(tp("t", 1)));
    }

    @Test
    void aCommitNamingPartitionsTheMemberDoesNotOwnIsRefusedWithEachOfThem() {
        f.tSplitBetweenAAndB();

        GroupRejection r = f.rejected(ErrorReason.ERROR_REASON_PARTITION_NOT_OWNED,
                commit("a", 2, tp("t", 0), tp("t", 2), tp("t", 3)));
        assertEquals(tps("t", 2, 3), r.partitions());
        assertTrue(r.message().contains("'t'/2, 't'/3"), r.message());
    }

    @Test
    void aPartitionBeingRevokedMayStillBeCommittedUntilReleased() {
        f.aHoldsTAndBJoins();
        MemberAssignment revoking = f.beat("a", 1, tps("t", 0, 1, 2, 3));

        f.apply(commit("a", 1, tp("t", 3)));
        f.apply(commit("a", 2, tp("t", 3)));
        f.ack("a", revoking);
        f.rejected(ErrorReason.ERROR_REASON_PARTITION_NOT_OWNED, commit("a", 2, tp("t", 3)));
    }

    @Test
    void aPartitionHandedOverComesWithWhatItsPreviousOwnerCommittedBeforeReleasingIt() {
        f.aHoldsTAndBJoins();
        MemberAssignment revoking = f.beat("a", 1, tps("t", 0, 1, 2, 3));
        f.apply(commit("a", 2, tp("t", 0), tp("t", 3)));
        f.ack("a", revoking);

        MemberAssignment b = f.beat("b", 2, List.of());
        assertEquals(tps("t", 2, 3), b.assignment());
        assertEquals(List.of(tp("t", 3)), List.copyOf(b.committed().byPartition().keySet()),
                "t/3's commit, not t/0's (not b's) and none for t/2 (never committed)");
        assertEquals(Optional.of(new CommittedOffset(103, "m3", f.nowMs)), b.committed().get(tp("t", 3)));
    }

    @Test
    void aCommitWithAnEpochAboveTheMembersOrOlderThanAPartitionsAssignmentIsStale() {
        f.topics("t", 2);
        f.ack("a", f.join("a", "t"));
        f.topics("t", 3);
        MemberAssignment grown = f.beat("a", 1, tps("t", 0, 1));
        assertEquals(2, grown.memberEpoch());

        f.rejected(ErrorReason.ERROR_REASON_STALE_MEMBER_EPOCH, commit("a", 3, tp("t", 0)));
        GroupRejection older = f.rejected(ErrorReason.ERROR_REASON_STALE_MEMBER_EPOCH, commit("a", 1, tp("t", 0), tp("t", 2)));
        assertEquals(tps("t", 2), older.partitions(), "t/2 was given in epoch 2");
        f.apply(commit("a", 1, tp("t", 0)));
        f.apply(commit("a", 2, tp("t", 0), tp("t", 2)));
    }

    @Test
    void commitsForUnknownTopicsPartitionsOrMembersAreNotFound() {
        f.topics("t", 2);
        f.join("a", "t");
        f.rejected(ErrorReason.ERROR_REASON_TOPIC_NOT_FOUND, commit("a", 1, tp("u", 0)));
        f.rejected(ErrorReason.ERROR_REASON_PARTITION_NOT_FOUND, commit("a", 1, tp("t", 2)));
        f.rejected(ErrorReason.ERROR_REASON_UNKNOWN_MEMBER, commit("z", 1, tp("t", 0)));
        f.apply(new LeaveGroup(GROUP, "a"));
        f.rejected(ErrorReason.ERROR_REASON_UNKNOWN_MEMBER, commit("a", 1, tp("t", 0)));
        f.rejected(ErrorReason.ERROR_REASON_UNKNOWN_MEMBER, new CommitOffsets("nobody", "a", 1,
                List.of(new OffsetCommit(tp("t", 0), 1, "")), f.nowMs));
    }

    @Test
    void aToolCommitsOnlyWhileTheGroupHasNoMembersAndCreatesTheGroup() {
        f.topics("t", 2);
        f.apply(commit("", 0, tp("t", 0)));
        assertEquals(0, f.group().groupEpoch());
        assertEquals(Optional.of(new CommittedOffset(100, "m0", f.nowMs)), f.group().offsets().get(tp("t", 0)));

        f.join("a", "t");
        GroupRejection r = f.rejected(ErrorReason.ERROR_REASON_GROUP_NOT_EMPTY, commit("", 0, tp("t", 1)));
        assertTrue(r.message().contains("1 active members"), r.message());
    }

    @Test
    void resetsApplyOnlyToAnExistingGroupWithoutMembers() {
        f.topics("t", 3);
        ResetOffsets reset = new ResetOffsets(GROUP, List.of(new OffsetCommit(tp("t", 1), 7, ""),
                new OffsetCommit(tp("t", 0), 5, "")), f.nowMs);
        f.rejected(ErrorReason.ERROR_REASON_GROUP_NOT_FOUND, reset);

        f.join("a", "t");
        f.apply(commit("a", 1, tp("t", 0)));
        f.rejected(ErrorReason.ERROR_REASON_GROUP_NOT_EMPTY, reset);
        f.rejected(ErrorReason.ERROR_REASON_PARTITION_NOT_FOUND, new ResetOffsets(GROUP,
                List.of(new OffsetCommit(tp("t", 3), 0, "")), f.nowMs));

        f.apply(new LeaveGroup(GROUP, "a"));
        f.nowMs += 5;
        assertEquals(new GroupResult.OffsetsReset(List.of(new PartitionReset(tp("t", 0), 100, 5),
                new PartitionReset(tp("t", 1), -1, 7))), f.apply(reset));
        assertEquals(Optional.of(new CommittedOffset(5, "", f.nowMs - 5)), f.group().offsets().get(tp("t", 0)));
    }

    @Test
    void onlyAnExistingGroupWithoutMembersIsDeletedWithItsOffsets() {
        f.topics("t", 1);
        f.rejected(ErrorReason.ERROR_REASON_GROUP_NOT_FOUND, new DeleteGroup(GROUP));
        f.join("a", "t");
        f.apply(commit("a", 1, tp("t", 0)));
        f.rejected(ErrorReason.ERROR_REASON_GROUP_NOT_EMPTY, new DeleteGroup(GROUP));

        f.apply(new LeaveGroup(GROUP, "a"));
        assertEquals(new GroupResult.GroupDeleted(), f.apply(new DeleteGroup(GROUP)));
        assertEquals(Optional.empty(), f.machine.group(GROUP));
        f.rejected(ErrorReason.ERROR_REASON_GROUP_NOT_FOUND, new DeleteGroup(GROUP));
    }

    @Test
    void invalidCommitsAreRefusedWhateverTheState() {
        f.topics("t", 2);
        f.join("a", "t");
        OffsetCommit ok = new OffsetCommit(tp("t", 0), 1, "");
        f.rejected(ErrorReason.ERROR_REASON_INVALID_REQUEST, new CommitOffsets(GROUP, "a", 1, List.of(), f.nowMs));
        f.rejected(ErrorReason.ERROR_REASON_INVALID_REQUEST, new CommitOffsets(GROUP, "a", 1, List.of(ok, ok), f.nowMs));
        f.rejected(ErrorReason.ERROR_REASON_INVALID_REQUEST, new CommitOffsets(GROUP, "a", 1,
                List.of(new OffsetCommit(tp("t", 0), -1, "")), f.nowMs));
        f.rejected(ErrorReason.ERROR_REASON_INVALID_REQUEST, new CommitOffsets(GROUP, "a", 1,
                List.of(new OffsetCommit(tp("t", 0), 1, "x".repeat(4097))), f.nowMs));
        f.rejected(ErrorReason.ERROR_REASON_INVALID_REQUEST, new CommitOffsets(GROUP, "", 1, List.of(ok), f.nowMs));
        f.rejected(ErrorReason.ERROR_REASON_INVALID_REQUEST, new CommitOffsets(GROUP, "a", -1, List.of(ok), f.nowMs));
        f.rejected(ErrorReason.ERROR_REASON_INVALID_GROUP_ID, new CommitOffsets("", "a", 1, List.of(ok), f.nowMs));
        f.rejected(ErrorReason.ERROR_REASON_INVALID_REQUEST, new ResetOffsets(GROUP, List.of(), f.nowMs));
        f.apply(new CommitOffsets(GROUP, "a", 1, List.of(new OffsetCommit(tp("t", 0), 1, "x".repeat(4096))), f.nowMs));
    }
}
