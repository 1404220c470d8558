package io.flotilla.broker.node;

import io.flotilla.api.internal.v1.ControllerLinkGrpc;
import io.flotilla.api.internal.v1.HandOverRequest;
import io.flotilla.api.internal.v1.HandOverResponse;
import io.flotilla.api.internal.v1.JoinRequest;
import io.flotilla.api.internal.v1.JoinResponse;
import io.flotilla.api.internal.v1.NodeReport;
import io.flotilla.api.internal.v1.ReportAck;
import io.flotilla.broker.api.Calls;
import io.flotilla.broker.partition.PartitionReplica;
import io.flotilla.raft.MemberId;
import io.grpc.stub.StreamObserver;

import java.util.function.LongFunction;

/**
 * controller_link.proto's ControllerLink service: takes nodes' status reports into this node's
 * {@link ReplicaReports} (they matter once it leads the controller), starts leadership
 * hand-overs the controller asks of the partitions this node leads, and admits nodes that come
 * back with a wiped directory ({@link JoinAdmission}).
 */
final class ControllerLinkService extends ControllerLinkGrpc.ControllerLinkImplBase {
    private final ReplicaReports reports;
    private final LeaderBalancer balancer;
    private final LongFunction<PartitionReplica> replicas;
    private final JoinAdmission admission;

    ControllerLinkService(ReplicaReports reports, LeaderBalancer balancer, LongFunction<PartitionReplica> replicas,
                          JoinAdmission admission) {
        this.reports = reports;
        this.balancer = balancer;
        this.replicas = replicas;
        this.admission = admission;
    }

    @Override
    public void join(JoinRequest request, StreamObserver<JoinResponse> out) {
        admission.join(request).whenComplete((answer, e) -> {
            if (e != null) {
                out.onError(Calls.statusOf(e));
            } else {
                out.onNext(answer);
                out.onCompleted();
            }
        });
    }

    @Override
    public void report(NodeReport request, StreamObserver<ReportAck> out) {
        reports.accept(request);
        out.onNext(ReportAck.getDefaultInstance());
        out.onCompleted();
    }

    @Override
    public void handOver(HandOverRequest request, StreamObserver<HandOverResponse> out) {
        MemberId target = new MemberId(request.getTarget().getNodeId(), request.getTarget().getIncarnation());
        balancer.handOver(request.getGroupId(), target).whenComplete((started, e) -> {
            PartitionReplica replica = replicas.apply(request.getGroupId());
            out.onNext(HandOverResponse.newBuilder().setStarted(e == null && started)
                    .setLeaderNodeId(replica == null ? 0 : replica.leadershipView().leaderNode()).build());
            out.onCompleted();
        });
    }
}
