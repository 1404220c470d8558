package io.flotilla.broker.node;

import io.flotilla.api.internal.v1.JoinRequest;
import io.flotilla.api.internal.v1.JoinResponse;
import io.flotilla.broker.controller.ControllerReplica;
import io.flotilla.broker.metadata.MetadataCommand;
import io.flotilla.broker.metadata.NodeRegistration;
import io.flotilla.broker.transport.PeerIdentity;
import io.flotilla.raft.MemberId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * The controller leader's side of ControllerLink.Join: registers a node that comes back with a
 * new incarnation (its data directory was wiped), which makes the old incarnation's replicas,
 * in the controller group and in every partition, be replaced by the new one's
 * ({@link MembershipMover}). Only a node of {@code --cluster} is admitted, and only when its old
 * incarnation does not answer at its address: a second process started by mistake with an
 * empty directory must not push a running node out of its groups.
 */
final class JoinAdmission {
    private static final Logger log = LoggerFactory.getLogger(JoinAdmission.class);
    private static final long IDENTIFY_TIMEOUT_MS = 2_000;

    private final ControllerReplica controller;
    private final ControllerClient client;
    private final IntFunction<CompletableFuture<PeerIdentity>> identify;
    private final Set<Integer> clusterNodes;
    private final Consumer<MemberId> gone;

    /**
     * @param identify     asks a node at its registered address who it is (RaftTransport.Identify)
     * @param clusterNodes the nodes of {@code --cluster}
     * @param gone         told of an old incarnation found gone: the groups here it led must not wait
     *                     for it (a quiet group notices a leader's death only by its node falling
     *                     silent, and the node is back, as another incarnation)
     */
    JoinAdmission(ControllerReplica controller, ControllerClient client,
                  IntFunction<CompletableFuture<PeerIdentity>> identify, Set<Integer> clusterNodes,
                  Consumer<MemberId> gone) {
        this.controller = controller;
        this.client = client;
        this.identify = identify;
        this.clusterNodes = new TreeSet<>(clusterNodes);
        this.gone = gone;
    }

    /**
     * Answers a Join on any node: a refusal that needs no leader (a stranger, a running old
     * incarnation) from here; the registration from the controller's leader, the others naming it.
     */
    CompletableFuture<JoinResponse> join(JoinRequest request) {
        JoinResponse.Builder out = JoinResponse.newBuilder().setControllerNodeId(controller.leaderNode());
        MemberId joining = new MemberId(request.getNode().getNodeId(), request.getNode().getIncarnation());
        if (!clusterNodes.contains(joining.nodeId())) {
            return refuse(out, "node " + joining.nodeId() + " is not one of this cluster's nodes " + clusterNodes
                    + "; only those can join it (one whose data directory was wiped rejoins under its node id)");
        }
        NodeRegistration registered = controller.metadata().nodes().get(joining.nodeId());
        if (registered == null || registered.incarnation() == joining.incarnation()) {
            // Registered already (the metadata holds only what committed), or a founder the controller's
            // leader registers on its own.
            return CompletableFuture.completedFuture(out.setRegistered(registered != null).build());
        }
        // Ask the registered address who answers there: the old incarnation, or nobody (or the new one).
        return identify.apply(joining.nodeId()).orTimeout(IDENTIFY_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .handle((answer, unreachable) -> answer != null && answer.member().equals(registered.member()))
                .thenCompose(oldRuns -> {
                    if (oldRuns) {
                        return refuse(out, "node " + joining.nodeId() + " is still running as incarnation "
                                + Long.toHexString(registered.incarnation()) + " at " + registered.address()
                                + "; stop it before starting the node with a new data directory");
                    }
                    gone.accept(registered.member());
                    return client.local() ? register(out, joining, registered, request.getAddress())
                            : CompletableFuture.completedFuture(out.build());
                });
    }

    private CompletableFuture<JoinResponse> register(JoinResponse.Builder out, MemberId joining,
                                                     NodeRegistration old, String address) {
        return client.submit(new MetadataCommand.RegisterNode(joining.nodeId(), joining.incarnation(), address))
                .thenApply(result -> {
                    log.info("node {} rejoined as incarnation {}, replacing {}; its replicas follow",
                            joining.nodeId(), Long.toHexString(joining.incarnation()), Long.toHexString(old.incarnation()));
                    return out.setRegistered(true).build();
                });
    }

    private static CompletableFuture<JoinResponse> refuse(JoinResponse.Builder out, String why) {
        return CompletableFuture.completedFuture(out.setRefusal(why).build());
    }
}
