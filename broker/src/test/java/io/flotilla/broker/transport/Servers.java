package io.flotilla.broker.transport;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** gRPC servers on 127.0.0.1 set up as a node sets up its own for the Raft transport. */
final class Servers {
    /** What RaftTransportService's javadoc asks of the node's server: the node's default request limit. */
    static final int MAX_INBOUND_BYTES = 16 << 20;

    private Servers() {
    }

    /** A server for {@code service} on {@code port} (0: any free one), started. */
    static Server start(int port, BindableService service) {
        return start(port, service.bindService(), NettyServerBuilder.forAddress(address(port)));
    }

    static Server start(int port, ServerServiceDefinition service, NettyServerBuilder builder) {
        try {
            return RaftTransportService.permitPeerKeepAlive(builder, TransportConfig.DEFAULTS)
                    .maxInboundMessageSize(MAX_INBOUND_BYTES)
                    .addService(service)
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve on 127.0.0.1:" + port, e);
        }
    }

    static InetSocketAddress address(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    static String target(Server server) {
        return "127.0.0.1:" + server.getPort();
    }

    static void stop(Server server) throws InterruptedException {
        if (server != null && !server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS)) {
            throw new AssertionError("server on port " + server.getPort() + " did not stop");
        }
    }
}
