package io.flotilla.broker.node;

import io.flotilla.api.v1.ErrorReason;
import io.flotilla.broker.api.ApiException;
import io.flotilla.broker.controller.ControllerReplica;
import io.flotilla.broker.metadata.CommandResult;
import io.flotilla.broker.metadata.MetadataCommand;
import io.flotilla.broker.metadata.Rejection;
import io.flotilla.raft.driver.RaftDriver;
import io.flotilla.broker.api.Calls;
import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * The way to the controller from this node: commands are proposed here when this node leads the
 * controller group, and admin calls are forwarded to the node that does otherwise (over a
 * channel per peer, kept open, which other calls between nodes share).
 */
public final class ControllerClient implements AutoCloseable {
    private final RaftDriver driver;
    private final ControllerReplica controller;
    private final IntFunction<String> addressOf;
    private final Map<Integer, ManagedChannel> channels = new ConcurrentHashMap<>();

    ControllerClient(RaftDriver driver, ControllerReplica controller, IntFunction<String> addressOf) {
        this.driver = driver;
        this.controller = controller;
        this.addressOf = addressOf;
    }

    /** Whether calls should run here: this node leads the controller and its metadata is current. */
    public boolean local() {
        return controller.leadsAndReady();
    }

    /**
     * Proposes {@code command} on this node (which must lead the controller): the future gets
     * its result once committed, a {@link Rejection} turned into an {@link ApiException}.
     */
    public CompletableFuture<CommandResult> submit(MetadataCommand command) {
        return driver.call(ControllerReplica.GROUP_ID, node -> controller.propose(node, command))
                .thenCompose(f -> f)
                .thenApply(result -> {
                    if (result instanceof Rejection r) {
                        throw rejected(r);
                    }
                    return result;
                });
    }

    /** A state-machine rejection as the API reports it. */
    static ApiException rejected(Rejection r) {
        return rejected(r, "");
    }

    /**
     * A rejection of a request's configuration values as the API reports it: {@code fieldPath}
     * is where the request holds them ("config."), so the detail's field is a path into the request.
     */
    static ApiException rejected(Rejection r, String fieldPath) {
        io.flotilla.api.v1.ErrorDetail.Builder d = ApiException.detail(r.reason(), r.message());
        if (!r.field().isEmpty()) {
            d.setField(fieldPath + r.field());
        }
        return ApiException.of(d);
    }

    /** A channel to the controller's leader, or NO_LEADER while there is none. */
    public ManagedChannel leaderChannel() {
        int leader = controller.leaderNode();
        ManagedChannel channel = leader == 0 ? null : channel(leader);
        if (channel == null) {
            throw ApiException.of(ApiException.detail(ErrorReason.ERROR_REASON_NO_LEADER, "the controller has no"
                    + " leader right now (an election is under way); retry shortly").setRetryAfterMs(200));
        }
        return channel;
    }

    /**
     * Forwards a unary call to the controller's leader with the caller's deadline (30 s without
     * one). The leader's answers, errors included, pass through unchanged; a failure to reach it
     * (it crashed, or an election moved the leadership away) becomes UNAVAILABLE NO_LEADER naming
     * the node tried, so the caller sees the same retriable refusal as during an election.
     */
    public <Q, R> void forward(MethodDescriptor<Q, R> method, Q request, StreamObserver<R> out) {
        int leader = controller.leaderNode();
        ManagedChannel channel = leaderChannel();
        CallOptions options = Context.current().getDeadline() != null
                ? CallOptions.DEFAULT.withDeadline(Context.current().getDeadline())
                : CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS);
        ClientCalls.asyncUnaryCall(channel.newCall(method, options), request, new StreamObserver<R>() {
            @Override
            public void onNext(R value) {
                out.onNext(value);
            }

            @Override
            public void onError(Throwable t) {
                out.onError(forwardedError(t, leader, addressOf.apply(leader)));
            }

            @Override
            public void onCompleted() {
                out.onCompleted();
            }
        });
    }

    /**
     * What the caller of a forwarded call hears when it failed: the leader's own refusal as it is
     * (it carries ErrorDetails), a failure to reach the leader as UNAVAILABLE NO_LEADER.
     */
    static Throwable forwardedError(Throwable t, int leader, String address) {
        // StatusProto builds a bare status from the code when the trailers hold no details.
        com.google.rpc.Status details = StatusProto.fromThrowable(t);
        if (details != null && details.getDetailsCount() > 0) {
            return t;
        }
        return Calls.statusOf(ApiException.of(ApiException.detail(ErrorReason.ERROR_REASON_NO_LEADER,
                "the controller's leader, node " + leader + " at " + address + ", could not be reached ("
                        + Status.fromThrowable(t).getDescription() + "); retry shortly").setRetryAfterMs(200)));
    }

    /** A channel to node {@code nodeId}'s API, kept open; null while its address is unknown. */
    public ManagedChannel channel(int nodeId) {
        String address = addressOf.apply(nodeId);
        if (address == null) {
            return null;
        }
        return channels.computeIfAbsent(nodeId, id -> NettyChannelBuilder.forTarget(address).usePlaintext().build());
    }

    @Override
    public void close() throws InterruptedException {
        for (ManagedChannel c : channels.values()) {
            c.shutdownNow();
        }
        for (ManagedChannel c : channels.values()) {
            c.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
