package io.flotilla.broker.transport;

import io.flotilla.api.internal.v1.RaftBatch;
import io.flotilla.api.internal.v1.RaftTransportGrpc;
import io.flotilla.api.internal.v1.SendBatchesRequest;
import io.flotilla.broker.RawBytes;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.RaftMessage;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The receiving end against a hostile or confused sender, over real gRPC on loopback. */
class RaftTransportServiceTest {
    private static final MemberId SENDER = new MemberId(1, 0xA1);
    private static final MemberId SELF = new MemberId(2, 0xB2);
    /** SendBatches with frames as raw bytes, so a test can send anything. */
    private static final MethodDescriptor<byte[], byte[]> RAW_SEND = RaftTransportGrpc.getSendBatchesMethod()
            .toBuilder(RawBytes.INSTANCE, RawBytes.INSTANCE).build();

    private final Inbox inbox = new Inbox();
    private final RaftTransportService service = new RaftTransportService(SELF, () -> "blue", inbox);
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void start() {
        server = Servers.start(0, service);
        channel = NettyChannelBuilder.forTarget(Servers.target(server)).usePlaintext().build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        Servers.stop(server);
    }

    @Test
    void garbageAndInvalidBatchesAreDroppedWhileTheStreamGoesOnAndLaterBatchesArrive() throws Exception {
        CompletableFuture<Status> closed = new CompletableFuture<>();
        ClientCall<byte[], byte[]> stream = openRawStream(closed);
        RaftMessage valid = new RaftMessage.TimeoutNow(7, SENDER, SELF, 3);
        RaftMessage other = new RaftMessage.Quiesce(8, SENDER, SELF, 3, 100);
        RaftBatch invalid = RaftBatch.newBuilder()
                .addMessages(RaftMessageCodec.encode(valid).toBuilder().setTerm(-1)).build();
        RaftBatch foreign = RaftMessageCodec.encodeBatch(List.of(
                new RaftMessage.TimeoutNow(7, new MemberId(3, 0xC3), SELF, 3)));

        stream.sendMessage(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
        stream.sendMessage(SendBatchesRequest.newBuilder().setToNodeId(SELF.nodeId())
                .addBatches(RaftMessageCodec.encodeBatch(List.of(valid))).build().toByteArray());
        stream.sendMessage(frame(invalid, RaftMessageCodec.encodeBatch(List.of(other))));
        stream.sendMessage(frame(foreign));
        stream.sendMessage(frame(RaftMessageCodec.encodeBatch(List.of(valid))));

        assertEquals(new Inbox.Received(SENDER.nodeId(), List.of(other)), inbox.take(),
                "the valid batch of a frame with an invalid one");
        assertEquals(new Inbox.Received(SENDER.nodeId(), List.of(valid)), inbox.take());
        Await.until(() -> service.stats().batchesDelivered() == 2, () -> service.stats().toString());
        assertEquals(new InboundStats(5, 2, 0, 4), service.stats(),
                "rejected: garbage, a frame without sender, an invalid batch, a batch from another node");
        assertFalse(closed.isDone(), "the stream is still open: " + closed.getNow(null));

        stream.halfClose();
        assertEquals(Status.Code.OK, closed.get(10, TimeUnit.SECONDS).getCode());
    }

    @Test
    void aFrameForAnotherNodeFailsTheStreamAndTheServerStaysUp() throws Exception {
        CompletableFuture<Status> closed = new CompletableFuture<>();
        ClientCall<byte[], byte[]> stream = openRawStream(closed);
        stream.sendMessage(SendBatchesRequest.newBuilder().setSender(RaftMessageCodec.identity(SENDER)).setToNodeId(3)
                .addBatches(RaftBatch.getDefaultInstance()).build().toByteArray());
        Status status = closed.get(10, TimeUnit.SECONDS);
        assertEquals(Status.Code.FAILED_PRECONDITION, status.getCode());
        assertEquals("this is node 2, not node 3: node 1 has a stale address for node 3", status.getDescription());

        ClientCall<byte[], byte[]> next = openRawStream(new CompletableFuture<>());
        next.sendMessage(frame(RaftBatch.getDefaultInstance()));
        assertEquals(new Inbox.Received(SENDER.nodeId(), List.of()), inbox.take(), "a heartbeat on a new stream");
    }

    @Test
    void identifyAnswersTheNodesIdIncarnationAndClusterAndCatchesAStaleAddress() throws Exception {
        String address = Servers.target(server);
        try (GrpcTransport transport = new GrpcTransport(SENDER, TransportConfig.DEFAULTS,
                node -> node == 4 ? null : address)) {
            assertEquals(new PeerIdentity(SELF, "blue"), transport.identify(2).get(10, TimeUnit.SECONDS));

            ExecutionException stale = assertThrows(ExecutionException.class,
                    () -> transport.identify(3).get(10, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, stale.getCause());
            assertEquals("the node at " + address + " is node 2, not node 3", stale.getCause().getMessage());

            ExecutionException unknown = assertThrows(ExecutionException.class,
                    () -> transport.identify(4).get(10, TimeUnit.SECONDS));
            assertEquals("no address is known for node 4", unknown.getCause().getMessage());
        }
    }

    private ClientCall<byte[], byte[]> openRawStream(CompletableFuture<Status> closed) {
        ClientCall<byte[], byte[]> call = channel.newCall(RAW_SEND, CallOptions.DEFAULT);
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onClose(Status status, Metadata trailers) {
                closed.complete(status);
            }
        }, new Metadata());
        call.request(1);
        return call;
    }

    private static byte[] frame(RaftBatch... batches) {
        SendBatchesRequest.Builder frame = SendBatchesRequest.newBuilder().setSender(RaftMessageCodec.identity(SENDER))
                .setToNodeId(SELF.nodeId());
        for (RaftBatch b : batches) {
            frame.addBatches(b);
        }
        return frame.build().toByteArray();
    }
}
