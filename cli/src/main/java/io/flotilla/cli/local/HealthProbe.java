package io.flotilla.cli.local;

import io.flotilla.cli.client.ChannelPool;
import io.flotilla.cli.client.HostPort;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;

/** Asks nodes the standard gRPC health check (grpc.health.v1, the server as a whole: service ""). */
final class HealthProbe implements AutoCloseable {

    private static final long CHECK_TIMEOUT_MS = 1_000;
    private static final HealthCheckRequest WHOLE_SERVER = HealthCheckRequest.newBuilder().setService("").build();

    private final ChannelPool channels = new ChannelPool(CHECK_TIMEOUT_MS);

    /** Whether the node answers SERVING now; false when it cannot be reached or says anything else. */
    boolean serving(HostPort node) {
        try {
            return HealthGrpc.newBlockingStub(channels.get(node)).check(WHOLE_SERVER).getStatus()
                    == HealthCheckResponse.ServingStatus.SERVING;
        } catch (StatusRuntimeException e) {
            // a node still starting refuses connections: try again at once next time, not after gRPC's backoff
            channels.reconnect(node);
            return false;
        }
    }

    @Override
    public void close() {
        channels.close();
    }
}
