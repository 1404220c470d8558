package io.flotilla.broker.transport;

import io.flotilla.api.internal.v1.IdentifyRequest;
import io.flotilla.api.internal.v1.IdentifyResponse;
import io.flotilla.api.internal.v1.RaftBatch;
import io.flotilla.api.internal.v1.RaftTransportGrpc;
import io.flotilla.api.internal.v1.SendBatchesRequest;
import io.flotilla.api.internal.v1.SendBatchesResponse;
import io.flotilla.api.v1.NodeIdentity;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.RaftMessage;
import io.grpc.BindableService;
import io.grpc.MethodDescriptor;
import io.grpc.ServerBuilder;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The receiving end of the Raft transport, served on the node's one gRPC port: takes the
 * SendBatches streams of the peer nodes, validates and decodes each batch, and hands it to an
 * {@link InboundRaft} (the node's {@code RaftDriver::receive}); answers Identify.
 *
 * <p>Never fails a stream for what it carries, except a frame meant for another node
 * (FAILED_PRECONDITION: the sender dialed a stale address). A frame that does not parse or names
 * no sender, and a batch holding an invalid message (or a message not from the frame's sender,
 * or not to this node) are dropped, counted, and logged once per sending node; the stream goes
 * on.
 *
 * <p>Bounds. What a stream holds is the frame being decoded, plus what HTTP/2 flow control lets
 * the sender push ahead (the server's flow-control window): gRPC asks for the next frame only
 * after the receiver took this one, and the receiver does not block: it queues what it takes
 * within a bound of its own ({@code DriverConfig.maxInboundBytes}) and refuses the rest. The
 * server must accept inbound messages of at least the largest single Raft message plus 1 KiB
 * (frames coalesce up to {@link TransportConfig#maxFrameBytes}, 1 MiB, and only a larger single
 * message exceeds that): with the default Raft limits (1 MiB of entries per append, one entry of
 * up to 8 MiB always sent) 16 MiB, the node's default request limit, suffices. The server must
 * also permit the senders' keepalive pings: {@link #permitPeerKeepAlive}. Streams are
 * long-lived, so stop the server with {@code shutdownNow} (or {@code shutdown} and then
 * {@code shutdownNow} after a grace period): a plain {@code shutdown} waits for the peers to
 * hang up.
 *
 * <p>Thread-safe; gRPC calls each stream's callbacks one at a time.
 */
public final class RaftTransportService implements BindableService {
    private static final Logger log = LoggerFactory.getLogger(RaftTransportService.class);
    /** Warning key of frames that do not parse, whose sender is unknown. */
    private static final Integer UNKNOWN_SENDER = 0;

    private final MemberId self;
    private final Supplier<String> clusterId;
    private final InboundRaft inbound;
    /** Senders already warned about; later rejections of theirs are logged at debug level. */
    private final Set<Integer> warned = ConcurrentHashMap.newKeySet();
    private final LongAdder frames = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder rejected = new LongAdder();

    /**
     * @param self      this node; Identify answers it, and frames must be addressed to its id
     * @param clusterId the cluster this node belongs to, {@code ""} (or null) while none
     * @param inbound   where valid batches go
     */
    public RaftTransportService(MemberId self, Supplier<String> clusterId, InboundRaft inbound) {
        this.self = Objects.requireNonNull(self, "self");
        this.clusterId = Objects.requireNonNull(clusterId, "clusterId");
        this.inbound = Objects.requireNonNull(inbound, "inbound");
    }

    /**
     * Lets the peers' {@link GrpcTransport}s (configured with {@code config}) send keepalive
     * pings to {@code server}, even between calls; gRPC servers otherwise refuse pings more
     * often than every 5 minutes and close the connection of a peer that sends them.
     */
    public static <T extends ServerBuilder<T>> T permitPeerKeepAlive(T server, TransportConfig config) {
        return server.permitKeepAliveTime(config.keepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
                .permitKeepAliveWithoutCalls(true);
    }

    @Override
    public ServerServiceDefinition bindService() {
        // SendBatches with a marshaller that aliases payloads and survives unparseable frames;
        // a new service descriptor, since gRPC checks that a definition binds its descriptor's
        // very method instances. The schema descriptor keeps server reflection working.
        MethodDescriptor<InboundFrame, SendBatchesResponse> send = RaftTransportGrpc.getSendBatchesMethod()
                .toBuilder(new FrameMarshaller(), ProtoUtils.marshaller(SendBatchesResponse.getDefaultInstance()))
                .build();
        ServiceDescriptor descriptor = ServiceDescriptor.newBuilder(RaftTransportGrpc.SERVICE_NAME)
                .setSchemaDescriptor(RaftTransportGrpc.getServiceDescriptor().getSchemaDescriptor())
                .addMethod(RaftTransportGrpc.getIdentifyMethod())
                .addMethod(send)
                .build();
        return ServerServiceDefinition.builder(descriptor)
                .addMethod(RaftTransportGrpc.getIdentifyMethod(), ServerCalls.asyncUnaryCall(this::identify))
                .addMethod(send, ServerCalls.asyncClientStreamingCall(InboundStream::new))
                .build();
    }

    public InboundStats stats() {
        return new InboundStats(frames.sum(), delivered.sum(), refused.sum(), rejected.sum());
    }

    private void identify(IdentifyRequest request, StreamObserver<IdentifyResponse> response) {
        String cluster = clusterId.get();
        response.onNext(IdentifyResponse.newBuilder()
                .setNode(NodeIdentity.newBuilder().setNodeId(self.nodeId()).setIncarnation(self.incarnation()))
                .setClusterId(cluster == null ? "" : cluster)
                .build());
        response.onCompleted();
    }

    /** One peer's SendBatches stream. */
    private final class InboundStream implements StreamObserver<InboundFrame> {
        private final StreamObserver<SendBatchesResponse> response;
        private boolean refusedStream;

        InboundStream(StreamObserver<SendBatchesResponse> response) {
            this.response = response;
        }

        @Override
        public void onNext(InboundFrame frame) {
            frames.increment();
            if (refusedStream) {
                return;
            }
            SendBatchesRequest request = frame.request();
            if (request == null) {
                reject(UNKNOWN_SENDER, "a frame of " + frame.sizeBytes() + " bytes does not parse: "
                        + frame.parseError());
                return;
            }
            NodeIdentity sender = request.getSender();
            if (sender.getNodeId() < 1) {
                reject(UNKNOWN_SENDER, "a frame of " + frame.sizeBytes() + " bytes names no sender node (node id "
                        + sender.getNodeId() + ")");
                return;
            }
            if (request.getToNodeId() != self.nodeId()) {
                refusedStream = true;
                String why = "this is node " + self.nodeId() + ", not node " + request.getToNodeId()
                        + ": node " + sender.getNodeId() + " has a stale address for node " + request.getToNodeId();
                log.warn("refusing a Raft stream: {}", why);
                response.onError(Status.FAILED_PRECONDITION.withDescription(why).asRuntimeException());
                return;
            }
            MemberId from = new MemberId(sender.getNodeId(), sender.getIncarnation());
            for (int i = 0; i < request.getBatchesCount(); i++) {
                deliver(from, request.getBatches(i));
            }
        }

        private void deliver(MemberId from, RaftBatch batch) {
            List<RaftMessage> messages;
            try {
                messages = RaftMessageCodec.decodeBatch(batch);
                for (RaftMessage m : messages) {
                    checkEnds(from, m);
                }
            } catch (InvalidRaftMessageException e) {
                reject(from.nodeId(), "a batch from node " + from + " is invalid, dropped: " + e.getMessage());
                return;
            }
            boolean taken;
            try {
                taken = inbound.receive(from.nodeId(), messages);
            } catch (RuntimeException e) {
                log.warn("the receiver failed on a batch from node {}; dropped", from, e);
                taken = false;
            }
            (taken ? delivered : refused).increment();
        }

        private void checkEnds(MemberId from, RaftMessage m) {
            if (!m.from().equals(from)) {
                throw new InvalidRaftMessageException("group " + m.groupId() + ": a message from " + m.from()
                        + " on the stream of node " + from);
            }
            if (m.to().nodeId() != self.nodeId()) {
                throw new InvalidRaftMessageException("group " + m.groupId() + ": a message to node " + m.to()
                        + " sent to node " + self.nodeId());
            }
        }

        private void reject(Integer sender, String why) {
            rejected.increment();
            if (warned.add(sender)) {
                log.warn("{} (further rejections from this sender are logged at debug level)", why);
            } else {
                log.debug("{}", why);
            }
        }

        @Override
        public void onError(Throwable t) {
            log.debug("a Raft stream ended: {}", Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
            if (!refusedStream) {
                response.onNext(SendBatchesResponse.getDefaultInstance());
                response.onCompleted();
            }
        }
    }
}
