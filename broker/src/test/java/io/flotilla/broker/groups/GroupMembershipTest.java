package io.flotilla.broker.groups;

import static io.flotilla.broker.groups.GroupFixture.GROUP;
import static io.flotilla.broker.groups.GroupFixture.heartbeat;
import static io.flotilla.broker.groups.GroupFixture.tp;
import static io.flotilla.broker.groups.GroupFixture.tps;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.api.v1.Assignor;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.GroupState;
import io.flotilla.broker.groups.GroupCommand.ExpireMember;
import io.flotilla.broker.groups.GroupCommand.Heartbeat;
import io.flotilla.broker.groups.GroupCommand.LeaveGroup;
import io.flotilla.broker.groups.GroupResult.MemberAssignment;
import io.flotilla.store.TopicPartition;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GroupMembershipTest {

    private final GroupFixture f = new GroupFixture();

    @Test
    void theFirstMemberGetsEveryPartitionAtOnce() {
        f.topics("t", 4);
        MemberAssignment a = f.join("a", "t");

        assertEquals(new MemberAssignment(1, 2_000, tps("t", 0, 1, 2, 3), CommittedOffsets.NONE), a, "epoch = group epoch 1; interval = 10 s / 5");
        assertEquals(1, f.group().groupEpoch());
        assertEquals(GroupState.GROUP_STATE_STABLE, f.group().state());
    }

    @Test
    void aPartitionMovesOnlyAfterItsOwnerStoppedListingIt() {
        f.topics("t", 4);
        MemberAssignment a = f.ack("a", f.join("a", "t"));

        MemberAssignment b = f.join("b", "t");
        assertEquals(new MemberAssignment(2, 2_000, List.of(), CommittedOffsets.NONE), b, "b's target is held by a, which has not released it");
        assertEquals(GroupState.GROUP_STATE_RECONCILING, f.group().state());

        a = f.ack("a", a);
        assertEquals(tps("t", 0, 1), a.assignment(), "a keeps half and is told to release the rest");
        assertEquals(2, a.memberEpoch(), "a's assignment changed in group epoch 2");
        assertEquals(tps("t", 2, 3), List.copyOf(f.member("a").revoking().keySet()));

        assertEquals(List.of(), f.beat("b", 2, List.of()).assignment(), "a still lists t/2 and t/3");
        f.nowMs += 100;
        assertEquals(tps("t", 0, 1), f.beat("a", 2, tps("t", 0, 1, 2, 3)).assignment(),
                "a heartbeat still listing them releases nothing");
        assertEquals(tps("t", 2, 3), List.copyOf(f.member("a").revoking().keySet()));
        assertEquals(f.nowMs - 100, f.member("a").revokedAtMs(), "the revocation is timed from the answer that started it");

        f.ack("a", a);
        assertEquals(new MemberAssignment(2, 2_000, tps("t", 2, 3), CommittedOffsets.NONE), f.beat("b", 2, List.of()));
        assertEquals(GroupState.GROUP_STATE_STABLE, f.group().state());
        assertEquals(2, f.member("b").assigned().get(tp("t", 2)), "recorded with the epoch it was given in");
    }

    @Test
    void theEpochBeforeALostAnswerIsStillAcceptedAndOlderOnesAreFenced() {
        f.aHoldsTAndBJoins();
        MemberAssignment lost = f.beat("a", 1, tps("t", 0, 1, 2, 3));
        assertEquals(2, lost.memberEpoch());

        MemberAssignment again = f.beat("a", 1, tps("t", 0, 1, 2, 3));
        assertEquals(lost, again, "a member whose answer was lost sends its previous epoch and what it had");

        GroupRejection future = f.rejected(ErrorReason.ERROR_REASON_STALE_MEMBER_EPOCH,
                heartbeat("a", 3, List.of("t"), List.of(), f.nowMs));
        assertTrue(future.message().contains("sent epoch 3, but its epoch is 2 (or 1 from a member that missed"),
                future.message());

        f.ack("a", again);
        f.topics("t", 6);
        f.beat("a", 2, tps("t", 0, 1));
        assertEquals(3, f.member("a").memberEpoch(), "a was given a new partition in group epoch 3");
        f.rejected(ErrorReason.ERROR_REASON_STALE_MEMBER_EPOCH, heartbeat("a", 1, List.of("t"), List.of(), f.nowMs));
        f.beat("a", 2, tps("t", 0, 1));
    }

    @Test
    void listingAPartitionTheMemberDoesNotHoldIsStale() {
        f.tSplitBetweenAAndB();

        GroupRejection r = f.rejected(ErrorReason.ERROR_REASON_STALE_MEMBER_EPOCH,
                heartbeat("a", 2, List.of("t"), tps("t", 0, 2, 3), f.nowMs));
        assertEquals(tps("t", 2, 3), r.partitions(), "the partitions a was never given, or has released");
    }

    @Test
    void unknownMembersAndGroupsAreRefused() {
        f.topics("t", 1);
        GroupRejection noGroup = f.rejected(ErrorReason.ERROR_REASON_UNKNOWN_MEMBER,
                heartbeat("a", 1, List.of("t"), List.of(), f.nowMs));
        assertTrue(noGroup.message().contains("rejoin with member_epoch 0"), noGroup.message());
        f.join("a", "t");
        f.rejected(ErrorReason.ERROR_REASON_UNKNOWN_MEMBER, heartbeat("z", 1, List.of("t"), List.of(), f.nowMs));
    }

    @Test
    void aLeavingMembersPartitionsGoToTheOthersAtOnce() {
        MemberAssignment a = f.tSplitBetweenAAndB().get(0);
        int epoch = f.group().groupEpoch();

        assertEquals(new GroupResult.MemberLeft(true), f.apply(new LeaveGroup(GROUP, "b")));
        assertEquals(epoch + 1, f.group().groupEpoch());
        assertEquals(tps("t", 0, 1, 2, 3), f.ack("a", a).assignment(), "nothing to wait for: b is gone");
        assertEquals(new GroupResult.MemberLeft(false), f.apply(new LeaveGroup(GROUP, "b")), "leaving twice is harmless");
        assertEquals(new GroupResult.MemberLeft(false), f.apply(new LeaveGroup("other", "b")));
    }

    @Test
    void aRejoinReplacesTheMemberWithAHigherEpochAndReleasesWhatItHeld() {
        f.aHoldsTAndBJoins();

        MemberAssignment rejoined = f.join("a", "t");
        assertEquals(3, rejoined.memberEpoch());
        assertEquals(tps("t", 0, 1), rejoined.assignment(), "its old holdings count as released; b may take the rest");
        assertEquals(tps("t", 2, 3), f.beat("b", 2, List.of()).assignment());
        f.rejected(ErrorReason.ERROR_REASON_STALE_MEMBER_EPOCH, heartbeat("a", 1, List.of("t"), List.of(), f.nowMs));
    }

    @Test
    void aSilentMemberIsEvictedOnceOverdueAndItsPartitionsReassigned() {
        List<MemberAssignment> split = f.tSplitBetweenAAndB();
        MemberAssignment a = split.get(0);
        MemberAssignment b = split.get(1);

        f.nowMs += 9_999;
        f.ack("a", a);
        assertEquals(List.of(), f.machine.overdueMembers(f.nowMs));
        f.rejected(ErrorReason.ERROR_REASON_INVALID_REQUEST, new ExpireMember(GROUP, "b", b.memberEpoch(), f.nowMs));

        f.nowMs += 1;
        List<ExpireMember> overdue = f.machine.overdueMembers(f.nowMs);
        assertEquals(List.of(new ExpireMember(GROUP, "b", 2, f.nowMs)), overdue);
        f.rejected(ErrorReason.ERROR_REASON_STALE_MEMBER_EPOCH, new ExpireMember(GROUP, "b", 1, f.nowMs));
        f.rejected(ErrorReason.ERROR_REASON_UNKNOWN_MEMBER, new ExpireMember(GROUP, "z", 1, f.nowMs));
        assertEquals(new GroupResult.MemberExpired(), f.apply(overdue.get(0)));

        assertEquals(tps("t", 0, 1, 2, 3), f.ack("a", a).assignment());
        f.rejected(ErrorReason.ERROR_REASON_UNKNOWN_MEMBER, heartbeat("b", 2, List.of("t"), tps("t", 2, 3), f.nowMs));
    }

    @Test
    void aMemberStillHoldingRevokedPartitionsAfterItsRebalanceTimeoutIsOverdueThoughItHeartbeats() {
        f.aHoldsTAndBJoins();
        f.beat("a", 1, tps("t", 0, 1, 2, 3));
        long revokedAt = f.nowMs;
        for (int i = 0; i < 10; i++) {
            f.nowMs += 3_000;
            f.beat("a", 2, tps("t", 0, 1, 2, 3));
            f.beat("b", 2, List.of());
        }
        assertEquals(revokedAt + 30_000, f.nowMs);
        assertEquals(List.of(new ExpireMember(GROUP, "a", 2, f.nowMs)), f.machine.overdueMembers(f.nowMs));
        assertEquals(new GroupResult.MemberExpired(), f.apply(new ExpireMember(GROUP, "a", 2, f.nowMs)));
        assertEquals(tps("t", 0, 1, 2, 3), f.beat("b", 2, List.of()).assignment());
    }

    @Test
    void topicsCreatedLaterAndPartitionsAddedAreAssignedAndDeletedOnesRevoked() {
        f.topics("t", 2);
        MemberAssignment a = f.ack("a", f.join("a", "t", "u"));
        assertEquals(tps("t", 0, 1), a.assignment(), "u does not exist yet");

        f.topics("u", 2);
        assertEquals(2, f.group().groupEpoch());
        a = f.ack("a", a);
        assertEquals(List.of(tp("t", 0), tp("t", 1), tp("u", 0), tp("u", 1)), a.assignment());

        f.topics("t", 3);
        a = f.ack("a", a);
        assertEquals(List.of(tp("t", 0), tp("t", 1), tp("t", 2), tp("u", 0), tp("u", 1)), a.assignment());

        f.topics("t", 0);
        a = f.ack("a", a);
        assertEquals(tps("u", 0, 1), a.assignment(), "a deleted topic's partitions are revoked");
        assertEquals(List.of(), f.machine.partitionCounts().keySet().stream().filter("t"::equals).toList());

        GroupResult unchanged = f.apply(new GroupCommand.TopicPartitionsChanged(new TreeMap<>(Map.of("u", 2, "v", 5))));
        assertEquals(new GroupResult.TopicsChanged(List.of()), unchanged, "no subscribed topic changed");
    }

    @Test
    void changingTheSubscriptionRebalances() {
        f.topics("t", 2, "u", 2);
        MemberAssignment a = f.ack("a", f.join("a", "t"));
        MemberAssignment moved = f.assigned(heartbeat("a", a.memberEpoch(), List.of("u"), a.assignment(), f.nowMs));
        assertEquals(2, f.group().groupEpoch());
        assertEquals(List.of(), moved.assignment(), "t is revoked first");
        assertEquals(tps("u", 0, 1), f.assigned(heartbeat("a", moved.memberEpoch(), List.of("u"), List.of(), f.nowMs))
                .assignment());
    }

    @Test
    void theGroupUsesTheAssignorMostMembersPrefer() {
        f.topics("t", 4, "u", 4);
        join("a", Assignor.ASSIGNOR_RANGE);
        assertEquals(Assignor.ASSIGNOR_RANGE, f.group().assignor());
        join("b", Assignor.ASSIGNOR_UNIFORM);
        assertEquals(Assignor.ASSIGNOR_UNIFORM, f.group().assignor(), "a tie goes to UNIFORM");
        join("c", Assignor.ASSIGNOR_UNSPECIFIED);
        assertEquals(Assignor.ASSIGNOR_UNIFORM, f.group().assignor(), "no preference counts for none");
        int epoch = f.group().groupEpoch();
        join("d", Assignor.ASSIGNOR_RANGE);
        assertEquals(Assignor.ASSIGNOR_RANGE, f.group().assignor());
        assertEquals(epoch + 1, f.group().groupEpoch());
        assertEquals(List.of(tp("t", 0), tp("u", 0)), List.copyOf(f.member("a").target()),
                "range: partition i of equally sized topics goes to the same member");
    }

    private void join(String member, Assignor assignor) {
        f.assigned(new Heartbeat(GROUP, member, 0, List.of("t", "u"), List.of(), assignor, 0, 0, "", "", f.nowMs));
    }

    @Test
    void aFullGroupRefusesNewMembersButNotARejoin() {
        for (int i = 0; i < GroupRules.MAX_MEMBERS; i++) {
            f.join("m" + i);
        }
        GroupRejection full = f.rejected(ErrorReason.ERROR_REASON_GROUP_FULL, heartbeat("new", 0, List.of(), List.of(), f.nowMs));
        assertTrue(full.message().contains("1000 members"), full.message());
        f.join("m7");
    }

    @Test
    void heartbeatsRecordTheProfileAndResolveDefaults() {
        f.topics("t", 1);
        f.assigned(new Heartbeat(GROUP, "a", 0, List.of("t", "t"), List.of(), Assignor.ASSIGNOR_RANGE, 3_000, 0, "app",
                "10.1.2.3", f.nowMs));
        assertEquals(new MemberProfile("app", "10.1.2.3", new TreeSet<>(List.of("t")), Assignor.ASSIGNOR_RANGE,
                3_000, GroupRules.DEFAULT_REBALANCE_TIMEOUT_MS), f.member("a").profile());
        MemberAssignment a = f.beat("a", 1, tps("t", 0));
        assertEquals(GroupRules.DEFAULT_SESSION_TIMEOUT_MS / 5, a.heartbeatIntervalMs(), "0 is the default again");
        assertEquals(f.nowMs, f.member("a").lastHeartbeatMs());
    }

    static Stream<Arguments> invalidHeartbeats() {
        List<String> tooMany = new ArrayList<>();
        for (int i = 0; i <= GroupRules.MAX_SUBSCRIBED_TOPICS; i++) {
            tooMany.add("t" + i);
        }
        long now = 1;
        return Stream.of(
                Arguments.of(ErrorReason.ERROR_REASON_INVALID_GROUP_ID, hb("bad group", "a", 0, List.of(), List.of(), 0, 0, "", now)),
                Arguments.of(ErrorReason.ERROR_REASON_INVALID_GROUP_ID, hb("..", "a", 0, List.of(), List.of(), 0, 0, "", now)),
                Arguments.of(ErrorReason.ERROR_REASON_INVALID_REQUEST, hb("g", "", 0, List.of(), List.of(), 0, 0, "", now)),
                Arguments.of(ErrorReason.ERROR_REASON_INVALID_REQUEST, hb("g", "a b", 0, List.of(), List.of(), 0, 0, "", now)),
                Arguments.of(ErrorReason.ERROR_REASON_INVALID_REQUEST, hb("g", "x".repeat(65), 0, List.of(), List.of(), 0, 0, "", now)),
                Arguments.of(ErrorReason.ERROR_REASON_INVALID_REQUEST, hb("g", "a", -1, List.of(), List.of(), 0, 0, "", now)),
                Arguments.of(ErrorReason.ERROR_REASON_INVALID_REQUEST, hb("g", "a", 0, List.of(), List.of(), 999, 0, "", now)),
                Arguments.of(ErrorReason.ERROR_REASON_INVALID_REQUEST, hb("g", "a", 0, List.of(), List.of(), 300_001, 0, "", now)),
                Arguments.of(ErrorReason.ERROR_REASON_INVALID_REQUEST, hb("g", "a", 0, List.of(), List.of(), 0, 600_001, "", now)),
                Arguments.of(ErrorReason.ERROR_REASON_INVALID_TOPIC_NAME, hb("g", "a", 0, List.of("t", "bad/name"), List.of(), 0, 0, "", now)),
                Arguments.of(ErrorReason.ERROR_REASON_INVALID_TOPIC_NAME, hb("g", "a", 0, List.of("__groups"), List.of(), 0, 0, "", now)),
                Arguments.of(ErrorReason.ERROR_REASON_INVALID_REQUEST, hb("g", "a", 0, tooMany, List.of(), 0, 0, "", now)),
                Arguments.of(ErrorReason.ERROR_REASON_INVALID_REQUEST, hb("g", "a", 1, List.of(), tps("t", 0, 0), 0, 0, "", now)),
                Arguments.of(ErrorReason.ERROR_REASON_INVALID_REQUEST, hb("g", "a", 0, List.of(), tps("t", 0), 0, 0, "", now)),
                Arguments.of(ErrorReason.ERROR_REASON_INVALID_REQUEST, hb("g", "a", 0, List.of(), List.of(), 0, 0, "é".repeat(128), now)),
                Arguments.of(ErrorReason.ERROR_REASON_INVALID_REQUEST, hb("g", "a", 0, List.of(), List.of(), 0, 0, "", -1)));
    }

    private static Heartbeat hb(String group, String member, int epoch, List<String> topics, List<TopicPartition> owned,
            int sessionMs, int rebalanceMs, String clientId, long nowMs) {
        return new Heartbeat(group, member, epoch, topics, owned, Assignor.ASSIGNOR_UNSPECIFIED, sessionMs, rebalanceMs,
                clientId, "", nowMs);
    }

    @ParameterizedTest
    @MethodSource("invalidHeartbeats")
    void invalidHeartbeatsAreRefusedWhateverTheState(ErrorReason reason, Heartbeat heartbeat) {
        f.topics("t", 2);
        f.join("a", "t");
        GroupRejection r = f.rejected(reason, heartbeat);
        assertTrue(r.message().length() < 512, "fits a status message: " + r.message());
    }

    @Test
    void anUnrecognizedAssignorIsRefused() {
        f.rejected(ErrorReason.ERROR_REASON_INVALID_REQUEST, new Heartbeat(GROUP, "a", 0, List.of(), List.of(),
                Assignor.UNRECOGNIZED, 0, 0, "", "", f.nowMs));
        assertEquals(Collections.emptySortedMap(), f.machine.groups());
    }
}
