package io.flotilla.broker.node;

import io.flotilla.api.internal.v1.ControllerLinkGrpc;
import io.flotilla.api.internal.v1.JoinRequest;
import io.flotilla.api.internal.v1.JoinResponse;
import io.flotilla.api.v1.NodeIdentity;
import io.flotilla.raft.MemberId;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;

/**
 * This node's side of ControllerLink.Join: asks the controller's leader, through whichever peer
 * answers (following the leader it names), to register this node under its incarnation, until
 * it is. A node restarting with its directory is registered already and hears so at the first
 * answer; a founder is registered by the controller's leader on its own; a node whose directory
 * was wiped is registered anew here, once its old incarnation has fallen silent. Refusals say
 * what to do, and are logged once each.
 *
 * <p>Attempts run on the node timer, one at a time, without blocking it.
 */
final class SelfRegistration {
    private static final Logger log = LoggerFactory.getLogger(SelfRegistration.class);
    private static final long RETRY_MS = 200;
    private static final long DEADLINE_MS = 5_000;

    private final JoinRequest request;
    private final List<Integer> peers;
    private final IntFunction<ManagedChannel> channelTo;
    private final ScheduledExecutorService timer;
    private final BooleanSupplier done;
    private int nextPeer;
    private String lastRefusal = "";

    /**
     * @param peers     the other nodes of {@code --cluster}
     * @param channelTo a channel to a node
     * @param done      whether to stop asking (the node is ready, or stopping)
     */
    SelfRegistration(MemberId self, String address, List<Integer> peers, IntFunction<ManagedChannel> channelTo,
                     ScheduledExecutorService timer, BooleanSupplier done) {
        this.request = JoinRequest.newBuilder().setAddress(address)
                .setNode(NodeIdentity.newBuilder().setNodeId(self.nodeId()).setIncarnation(self.incarnation())).build();
        this.peers = new ArrayList<>(peers);
        this.channelTo = channelTo;
        this.timer = timer;
        this.done = done;
    }

    void start() {
        attemptAfter(0, 0);
    }

    private void attemptAfter(long delayMs, int ask) {
        try {
            timer.schedule(() -> attempt(ask), delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // the node is stopping
        }
    }

    private void attempt(int hinted) {
        if (done.getAsBoolean() || peers.isEmpty()) {
            return;
        }
        int ask = hinted != 0 ? hinted : peers.get(nextPeer++ % peers.size());
        ManagedChannel channel = channelTo.apply(ask);
        if (channel == null) {
            attemptAfter(RETRY_MS, 0);
            return;
        }
        ControllerLinkGrpc.newStub(channel).withDeadlineAfter(DEADLINE_MS, TimeUnit.MILLISECONDS)
                .join(request, new StreamObserver<>() {
                    @Override
                    public void onNext(JoinResponse answer) {
                        if (answer.getRegistered()) {
                            log.info("node {} is registered as incarnation {}", request.getNode().getNodeId(),
                                    Long.toHexString(request.getNode().getIncarnation()));
                            return;
                        }
                        if (!answer.getRefusal().isEmpty() && !answer.getRefusal().equals(lastRefusal)) {
                            lastRefusal = answer.getRefusal();
                            log.warn("node {} cannot join yet: {}", request.getNode().getNodeId(), lastRefusal);
                        }
                        int leader = answer.getControllerNodeId();
                        attemptAfter(RETRY_MS, leader != ask ? leader : 0);
                    }

                    @Override
                    public void onError(Throwable t) {
                        attemptAfter(RETRY_MS, 0); // that peer is down: ask another
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
    }
}
