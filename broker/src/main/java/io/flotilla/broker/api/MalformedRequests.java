package io.flotilla.broker.api;

import com.google.protobuf.InvalidProtocolBufferException;
import io.flotilla.api.v1.ErrorReason;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;

/**
 * Request bytes that do not parse as the request message get INVALID_ARGUMENT INVALID_REQUEST
 * (errors.proto), not grpc-java's UNKNOWN "Application error processing RPC". The service
 * receives raw streams, and the parse that gRPC would do before the service runs happens where
 * its failure can be answered.
 */
public final class MalformedRequests {
    private MalformedRequests() {
    }

    public static ServerServiceDefinition guard(ServerServiceDefinition service) {
        return ServerInterceptors.intercept(ServerInterceptors.useInputStreamMessages(service), new Guard());
    }

    private static final class Guard implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                          ServerCallHandler<Q, R> next) {
            ServerCall.Listener<Q> parsing = next.startCall(call, headers);
            return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(parsing) {
                /** Once refused, the call is closed: the service must not see its half-close. */
                private boolean refused;

                @Override
                public void onMessage(Q message) {
                    if (refused) {
                        return;
                    }
                    try {
                        super.onMessage(message);
                    } catch (StatusRuntimeException e) {
                        if (!(e.getCause() instanceof InvalidProtocolBufferException bad)) {
                            throw e;
                        }
                        refused = true;
                        com.google.rpc.Status status = StatusProto.fromThrowable(ApiException.of(
                                ApiException.detail(ErrorReason.ERROR_REASON_INVALID_REQUEST, "the request bytes do not"
                                        + " parse as " + call.getMethodDescriptor().getFullMethodName()
                                        + "'s request message: " + bad.getMessage())).toStatus());
                        call.close(StatusProto.toStatusRuntimeException(status).getStatus(),
                                StatusProto.toStatusRuntimeException(status).getTrailers());
                    }
                }

                @Override
                public void onHalfClose() {
                    if (!refused) {
                        super.onHalfClose();
                    }
                }

                @Override
                public void onReady() {
                    if (!refused) {
                        super.onReady();
                    }
                }
            };
        }
    }
}
