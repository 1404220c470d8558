package io.flotilla.cli.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One channel per node, opened on first use. Every call made through these channels carries a
 * deadline: the caller's, or the configured request timeout when it set none, so that no call
 * can hang on a node that stopped answering.
 */
public final class ChannelPool implements AutoCloseable {

    private final Map<HostPort, ManagedChannel> managed = new ConcurrentHashMap<>();
    private final Map<HostPort, Channel> channels = new ConcurrentHashMap<>();
    private final ClientInterceptor defaultDeadline;

    public ChannelPool(long requestTimeoutMs) {
        this.defaultDeadline = new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options,
                    Channel next) {
                CallOptions bounded = options.getDeadline() == null
                        ? options.withDeadlineAfter(requestTimeoutMs, TimeUnit.MILLISECONDS) : options;
                return next.newCall(method, bounded);
            }
        };
    }

    public Channel get(HostPort node) {
        return channels.computeIfAbsent(node, n -> ClientInterceptors.intercept(
                managed.computeIfAbsent(n, ChannelPool::open), defaultDeadline));
    }

    /** Lets the next call to {@code node} connect at once instead of after gRPC's reconnect backoff. */
    public void reconnect(HostPort node) {
        ManagedChannel channel = managed.get(node);
        if (channel != null) {
            channel.resetConnectBackoff();
        }
    }

    private static ManagedChannel open(HostPort node) {
        return Grpc.newChannelBuilderForAddress(node.host(), node.port(), InsecureChannelCredentials.create())
                .build();
    }

    @Override
    public void close() {
        List<ManagedChannel> all = new ArrayList<>(managed.values());
        all.forEach(ManagedChannel::shutdownNow);
        for (ManagedChannel c : all) {
            try {
                c.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
