package io.flotilla.broker.node;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.flotilla.api.v1.ConsumerGroupsGrpc;
import io.flotilla.api.v1.ErrorDetail;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.FindCoordinatorRequest;
import io.flotilla.api.v1.ListOffsetsRequest;
import io.flotilla.api.v1.OffsetSpec;
import io.flotilla.broker.coordinator.CoordinatorTopic;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * ConsumerGroups calls as a client makes them: sent to the group's coordinator, which is found
 * (FindCoordinator on any running node) and found again when it moves.
 */
final class GroupClient {
    /** Answers that mean "ask again, maybe elsewhere": the coordinator moved or is loading. */
    private static final Set<ErrorReason> MOVED = EnumSet.of(ErrorReason.ERROR_REASON_NOT_COORDINATOR,
            ErrorReason.ERROR_REASON_NO_LEADER, ErrorReason.ERROR_REASON_NODE_NOT_READY);

    private final TestCluster cluster;
    private final Map<Integer, ManagedChannel> channels = new ConcurrentHashMap<>();

    GroupClient(TestCluster cluster) {
        this.cluster = cluster;
    }

    /** A stub for {@code node}'s ConsumerGroups service, with a fresh deadline. */
    ConsumerGroupsGrpc.ConsumerGroupsBlockingStub at(int node) {
        return ConsumerGroupsGrpc.newBlockingStub(channels.computeIfAbsent(node, cluster::channel))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    /** The group's coordinator node, once one is known. */
    int coordinatorOf(String group) {
        int[] found = new int[1];
        TestCluster.await(() -> {
            for (int node : cluster.nodes.keySet()) {
                try {
                    found[0] = at(node).findCoordinator(FindCoordinatorRequest.newBuilder().setGroupId(group).build())
                            .getCoordinator().getNodeId();
                    return true;
                } catch (StatusRuntimeException notYet) {
                    // the next node, or the next round
                }
            }
            return false;
        }, 20, "a coordinator for group " + group);
        return found[0];
    }

    /** {@code call} at the group's coordinator, asked again while the coordinator moves (20 s at most). */
    <T> T call(String group, Function<ConsumerGroupsGrpc.ConsumerGroupsBlockingStub, T> call) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try {
                return call.apply(at(coordinatorOf(group)));
            } catch (StatusRuntimeException e) {
                ErrorDetail d = LeaderRouter.detailOf(e);
                boolean moved = d == null ? e.getStatus().getCode() == io.grpc.Status.Code.UNAVAILABLE
                        : MOVED.contains(d.getReason());
                if (!moved || System.nanoTime() > until) {
                    throw e;
                }
            }
        }
    }

    /** The high watermark of the group's coordinator partition: grows with every entry its log gets. */
    long coordinatorLogEnd(String group, int partitionCount) {
        int partition = CoordinatorTopic.partitionOf(group, partitionCount);
        return cluster.broker(coordinatorOf(group)).listOffsets(ListOffsetsRequest.newBuilder()
                .setTopic(CoordinatorTopic.NAME).setPartition(partition)
                .setSpec(OffsetSpec.newBuilder().setLatest(true)).build()).getOffset();
    }

    /** Every ErrorDetail of a refused call. */
    static List<ErrorDetail> details(StatusRuntimeException e) {
        List<ErrorDetail> out = new ArrayList<>();
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        if (status != null) {
            for (Any any : status.getDetailsList()) {
                try {
                    out.add(any.unpack(ErrorDetail.class));
                } catch (InvalidProtocolBufferException bad) {
                    throw new AssertionError("an ErrorDetail that does not parse: " + any, bad);
                }
            }
        }
        return out;
    }
}
