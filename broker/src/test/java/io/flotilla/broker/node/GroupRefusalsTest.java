package io.flotilla.broker.node;

import io.flotilla.api.v1.CommitOffsetsRequest;
import io.flotilla.api.v1.ConsumerGroupsGrpc.ConsumerGroupsBlockingStub;
import io.flotilla.api.v1.DeleteGroupRequest;
import io.flotilla.api.v1.DescribeGroupRequest;
import io.flotilla.api.v1.DescribeGroupResponse;
import io.flotilla.api.v1.ErrorDetail;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.FetchOffsetsRequest;
import io.flotilla.api.v1.FetchOffsetsResponse;
import io.flotilla.api.v1.FindCoordinatorRequest;
import io.flotilla.api.v1.GroupPartition;
import io.flotilla.api.v1.GroupState;
import io.flotilla.api.v1.HeartbeatRequest;
import io.flotilla.api.v1.ListGroupsRequest;
import io.flotilla.api.v1.MemberDescription;
import io.flotilla.api.v1.OffsetCommit;
import io.flotilla.api.v1.OffsetSpec;
import io.flotilla.api.v1.ResetOffsetsRequest;
import io.flotilla.api.v1.ResetOffsetsResponse;
import io.flotilla.api.v1.TopicPartitions;
import io.flotilla.broker.coordinator.CoordinatorConfig;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a coordinator refuses (issue 5, Done 4): stale member epochs, commits for partitions the
 * member does not own, resets and deletions of a group with members, unknown groups and members,
 * calls to the wrong node. Each is answered with its precise status and changes nothing: not the
 * group, not its offsets, not the coordinator partition's log.
 */
class GroupRefusalsTest {
    private static final String TOPIC = "fenced";
    private static final String GROUP = "fenced-readers";
    private static final int COORDINATOR_PARTITIONS = CoordinatorConfig.DEFAULTS.partitions();

    private static TestCluster cluster;
    private static GroupClient client;
    private static TestMember first;
    private static TestMember second;

    @BeforeAll
    static void twoMembersShareFourPartitions() throws Exception {
        cluster = new TestCluster(TestCluster.tempRoot(), 3).startAll();
        cluster.createTopic(TOPIC, 4, 3);
        client = new GroupClient(cluster);
        first = new TestMember("first", GROUP, List.of(TOPIC), 60_000, client, new ArrayList<>());
        second = new TestMember("second", GROUP, List.of(TOPIC), 60_000, client, new ArrayList<>());
        while (first.owned.size() != 4) {
            first.heartbeat();
        }
        commit(first, first.epoch, 0, 1, 2, 3);
        while (first.owned.size() != 2 || second.owned.size() != 2) {
            first.heartbeat();
            second.heartbeat();
        }
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void aCommitWithAnEpochAboveTheMembersIsStale() {
        refused(ErrorReason.ERROR_REASON_STALE_MEMBER_EPOCH, () -> commit(second, second.epoch + 1, owned(second)));
    }

    @Test
    void aCommitWithAnEpochOlderThanThePartitionsAssignmentIsStale() {
        refused(ErrorReason.ERROR_REASON_STALE_MEMBER_EPOCH, () -> commit(second, second.epoch - 1, owned(second)));
    }

    @Test
    void aCommitNamingAPartitionTheMemberDoesNotOwnIsRefusedWholeWithADetailPerPartition() {
        int[] mine = owned(second);
        int[] theirs = owned(first);
        List<ErrorDetail> details = refused(ErrorReason.ERROR_REASON_PARTITION_NOT_OWNED,
                () -> commit(second, second.epoch, mine[0], theirs[0], theirs[1]));
        assertEquals(List.of(theirs[0], theirs[1]), details.stream().map(ErrorDetail::getPartition).toList());
        details.forEach(d -> {
            assertEquals(TOPIC, d.getTopic());
            assertEquals(GROUP, d.getGroupId());
        });
    }

    @Test
    void aHeartbeatWithAnEpochTheCoordinatorDoesNotAcceptIsStale() {
        refused(ErrorReason.ERROR_REASON_STALE_MEMBER_EPOCH, () -> client.call(GROUP, stub -> stub.heartbeat(
                HeartbeatRequest.newBuilder().setGroupId(GROUP).setMemberId(second.id).setMemberEpoch(second.epoch + 5)
                        .addSubscribedTopics(TOPIC).build())));
    }

    @Test
    void aCommitByAMemberTheGroupDoesNotHaveIsAnUnknownMember() {
        refused(ErrorReason.ERROR_REASON_UNKNOWN_MEMBER, () -> client.call(GROUP, stub -> stub.commitOffsets(
                CommitOffsetsRequest.newBuilder().setGroupId(GROUP).setMemberId("stranger").setMemberEpoch(1)
                        .addOffsets(offset(0, 5)).build())));
    }

    @Test
    void aResetADeletionAndAToolCommitNeedAGroupWithoutMembers() {
        refused(ErrorReason.ERROR_REASON_GROUP_NOT_EMPTY, () -> client.call(GROUP, stub -> stub.resetOffsets(
                ResetOffsetsRequest.newBuilder().setGroupId(GROUP).addPartitions(TopicPartitions.newBuilder()
                        .setTopic(TOPIC)).setSpec(OffsetSpec.newBuilder().setEarliest(true)).build())));
        refused(ErrorReason.ERROR_REASON_GROUP_NOT_EMPTY, () -> client.call(GROUP, stub -> stub.deleteGroup(
                DeleteGroupRequest.newBuilder().setGroupId(GROUP).build())));
        refused(ErrorReason.ERROR_REASON_GROUP_NOT_EMPTY, () -> client.call(GROUP, stub -> stub.commitOffsets(
                CommitOffsetsRequest.newBuilder().setGroupId(GROUP).addOffsets(offset(0, 5)).build())));
    }

    @Test
    void callsAboutAGroupThatDoesNotExistFindNothingAndCreateNothing() {
        String unknown = "nobody-here";
        refusedFor(unknown, ErrorReason.ERROR_REASON_GROUP_NOT_FOUND, stub -> stub.fetchOffsets(
                FetchOffsetsRequest.newBuilder().setGroupId(unknown).build()));
        refusedFor(unknown, ErrorReason.ERROR_REASON_GROUP_NOT_FOUND, stub -> stub.describeGroup(
                DescribeGroupRequest.newBuilder().setGroupId(unknown).build()));
        refusedFor(unknown, ErrorReason.ERROR_REASON_GROUP_NOT_FOUND, stub -> stub.deleteGroup(
                DeleteGroupRequest.newBuilder().setGroupId(unknown).build()));
        refusedFor(unknown, ErrorReason.ERROR_REASON_GROUP_NOT_FOUND, stub -> stub.resetOffsets(
                ResetOffsetsRequest.newBuilder().setGroupId(unknown).addPartitions(TopicPartitions.newBuilder()
                        .setTopic(TOPIC)).setSpec(OffsetSpec.newBuilder().setLatest(true)).build()));
        refusedFor(unknown, ErrorReason.ERROR_REASON_UNKNOWN_MEMBER, stub -> stub.heartbeat(HeartbeatRequest
                .newBuilder().setGroupId(unknown).setMemberId("m").setMemberEpoch(3).addSubscribedTopics(TOPIC).build()));
        assertTrue(client.at(1).listGroups(ListGroupsRequest.getDefaultInstance()).getGroupsList().stream()
                .noneMatch(g -> g.getGroupId().equals(unknown)), "no refused call created the group");
    }

    @Test
    void aCallToANodeThatIsNotTheCoordinatorIsRedirectedToIt() {
        int coordinator = client.coordinatorOf(GROUP);
        int other = coordinator % 3 + 1;
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> client.at(other).heartbeat(
                HeartbeatRequest.newBuilder().setGroupId(GROUP).setMemberId(second.id).setMemberEpoch(second.epoch)
                        .addSubscribedTopics(TOPIC).build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        ErrorDetail d = LeaderRouter.detailOf(e);
        assertEquals(ErrorReason.ERROR_REASON_NOT_COORDINATOR, d.getReason());
        assertEquals(coordinator, d.getLeader().getNodeId());
        assertEquals(cluster.addresses.get(coordinator), d.getLeader().getAddress());
    }

    @Test
    void aGroupIdThatBreaksTheRulesIsInvalid() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> client.at(1).findCoordinator(
                FindCoordinatorRequest.newBuilder().setGroupId("no spaces allowed").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals(ErrorReason.ERROR_REASON_INVALID_GROUP_ID, LeaderRouter.detailOf(e).getReason());
    }

    @Test
    void anEmptiedGroupIsResetAfterADryRunDescribedWithItsLagAndDeleted() {
        String group = "resettable";
        TestMember only = new TestMember("only", group, List.of(TOPIC), 60_000, client, new ArrayList<>());
        while (only.owned.size() != 4) {
            only.heartbeat();
        }
        DescribeGroupResponse active = client.call(group, stub -> stub.describeGroup(
                DescribeGroupRequest.newBuilder().setGroupId(group).build()));
        assertEquals(GroupState.GROUP_STATE_STABLE, active.getState());
        MemberDescription described = active.getMembers(0);
        assertEquals("test-only", described.getClientId());
        assertEquals("127.0.0.1", described.getClientHost());
        assertEquals(TestMember.names(described.getAssignmentList()), only.owned);
        only.leave();

        ResetOffsetsRequest.Builder reset = ResetOffsetsRequest.newBuilder().setGroupId(group).addPartitions(
                TopicPartitions.newBuilder().setTopic(TOPIC)).setSpec(OffsetSpec.newBuilder().setLatest(true));
        long logEnd = client.coordinatorLogEnd(group, COORDINATOR_PARTITIONS);
        ResetOffsetsResponse dryRun = client.call(group, stub -> stub.resetOffsets(reset.setDryRun(true).build()));
        assertEquals(4, dryRun.getOffsetsCount(), dryRun.toString());
        assertEquals(logEnd, client.coordinatorLogEnd(group, COORDINATOR_PARTITIONS), "a dry run writes nothing");
        assertTrue(client.call(group, stub -> stub.fetchOffsets(FetchOffsetsRequest.newBuilder().setGroupId(group)
                .build())).getOffsetsList().isEmpty(), "a dry run commits nothing");

        List<ErrorDetail> outside = refusedFor(group, ErrorReason.ERROR_REASON_OFFSET_OUT_OF_RANGE, stub -> stub
                .resetOffsets(reset.setDryRun(false).setSpec(OffsetSpec.newBuilder().setOffset(1_000_000)).build()));
        assertEquals(4, outside.size(), "one detail per partition: " + outside);
        assertTrue(outside.stream().allMatch(d -> d.getValidOffsets().getHighWatermark() < 1_000_000), outside.toString());

        ResetOffsetsResponse done = client.call(group, stub -> stub.resetOffsets(reset.setDryRun(false)
                .setSpec(OffsetSpec.newBuilder().setLatest(true)).build()));
        assertEquals(dryRun, done, "the reset did what its dry run said");
        DescribeGroupResponse empty = client.call(group, stub -> stub.describeGroup(
                DescribeGroupRequest.newBuilder().setGroupId(group).build()));
        assertEquals(GroupState.GROUP_STATE_EMPTY, empty.getState());
        for (GroupPartition p : empty.getPartitionsList()) {
            assertTrue(p.getHighWatermark() >= 1, p.toString());
            assertEquals(p.getHighWatermark() - p.getCommittedOffset(), p.getLag(), p.toString());
        }

        client.call(group, stub -> stub.deleteGroup(DeleteGroupRequest.newBuilder().setGroupId(group).build()));
        refusedFor(group, ErrorReason.ERROR_REASON_GROUP_NOT_FOUND, stub -> stub.fetchOffsets(
                FetchOffsetsRequest.newBuilder().setGroupId(group).build()));
    }

    // ------------------------------------------------------------------ helpers

    /** What a refused call must leave alone: the group, its offsets, and the coordinator partition's log. */
    private record Observed(DescribeGroupResponse group, FetchOffsetsResponse offsets, long logEnd) {
        static Observed now(String group) {
            DescribeGroupResponse described = client.call(group, stub -> stub.describeGroup(
                    DescribeGroupRequest.newBuilder().setGroupId(group).build()));
            DescribeGroupResponse.Builder timeless = described.toBuilder();
            timeless.getMembersBuilderList().forEach(m -> m.setLastHeartbeatMsAgo(0));
            return new Observed(timeless.build(), client.call(group, stub -> stub.fetchOffsets(
                    FetchOffsetsRequest.newBuilder().setGroupId(group).build())),
                    client.coordinatorLogEnd(group, COORDINATOR_PARTITIONS));
        }
    }

    private static List<ErrorDetail> refused(ErrorReason reason, Executable call) {
        Observed before = Observed.now(GROUP);
        List<ErrorDetail> details = refusal(reason, call);
        assertEquals(before, Observed.now(GROUP), "a refused call changed nothing");
        return details;
    }

    /** Refused at the group's coordinator; for a group that may not exist, so only the log is compared. */
    private static List<ErrorDetail> refusedFor(String group, ErrorReason reason,
            Function<ConsumerGroupsBlockingStub, ?> call) {
        long logEnd = client.coordinatorLogEnd(group, COORDINATOR_PARTITIONS);
        List<ErrorDetail> details = refusal(reason, () -> client.call(group, call));
        assertEquals(logEnd, client.coordinatorLogEnd(group, COORDINATOR_PARTITIONS), "a refused call wrote nothing");
        return details;
    }

    private static List<ErrorDetail> refusal(ErrorReason reason, Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        List<ErrorDetail> details = GroupClient.details(e);
        assertFalse(details.isEmpty(), e.getStatus().toString());
        for (ErrorDetail d : details) {
            assertEquals(reason, d.getReason(), e.getStatus().toString());
            assertEquals(e.getStatus().getCode().value(), d.getCode());
        }
        assertNotEquals("", e.getStatus().getDescription());
        return details;
    }

    private static void commit(TestMember member, int epoch, int... partitions) {
        CommitOffsetsRequest.Builder request = CommitOffsetsRequest.newBuilder().setGroupId(GROUP)
                .setMemberId(member.id).setMemberEpoch(epoch);
        for (int p : partitions) {
            request.addOffsets(offset(p, 100 + p));
        }
        client.call(GROUP, stub -> stub.commitOffsets(request.build()));
    }

    private static OffsetCommit offset(int partition, long offset) {
        return OffsetCommit.newBuilder().setTopic(TOPIC).setPartition(partition).setOffset(offset).build();
    }

    /** The partition indexes {@code member} owns now, in order. */
    private static int[] owned(TestMember member) {
        Map<Integer, Boolean> sorted = new TreeMap<>();
        member.owned.forEach(p -> sorted.put(Integer.parseInt(p.substring(p.lastIndexOf('/') + 1)), true));
        return sorted.keySet().stream().mapToInt(Integer::intValue).toArray();
    }
}
