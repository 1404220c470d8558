package io.flotilla.broker.coordinator;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * What a ConsumerGroups call carries besides its request: the client's host (DescribeGroup
 * shows it for each member), and, on a ListGroups one node sends another, which coordinator
 * partitions to answer for.
 */
final class CallContext implements ServerInterceptor {
    /**
     * Set by a node asking another for the groups of the coordinator partitions it leads:
     * comma-separated partition indexes. The node answers for those alone and asks no one else.
     */
    static final Metadata.Key<String> PARTITIONS_HEADER =
            Metadata.Key.of("flotilla-coordinator-partitions", Metadata.ASCII_STRING_MARSHALLER);

    private static final Context.Key<String> HOST = Context.key("flotilla-client-host");
    private static final Context.Key<String> PARTITIONS = Context.key("flotilla-coordinator-partitions");

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        String host = remote instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : "";
        Context context = Context.current().withValues(HOST, host, PARTITIONS, headers.get(PARTITIONS_HEADER));
        return Contexts.interceptCall(context, call, headers, next);
    }

    /** The host the current call came from; empty when unknown. */
    static String clientHost() {
        String host = HOST.get();
        return host == null ? "" : host;
    }

    /** The coordinator partitions another node asked this one for, or null for a client's call. */
    static String askedPartitions() {
        return PARTITIONS.get();
    }
}
