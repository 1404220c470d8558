package io.flotilla.api.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The error mechanism errors.proto documents, end to end over grpc-java's HTTP/2 transport on
 * loopback with stock client settings: a google.rpc.Status whose details pack ErrorDetails,
 * in the grpc-status-details-bin trailer, with the status code taken from the reason's
 * (status_code) option; and the size budget (a 512-byte message, 3 KiB of details) that keeps
 * the trailers under grpc-java's default 8 KiB metadata limit.
 */
class ErrorDetailTransportTest {

    private static final int MESSAGE_BUDGET = 512;
    private static final int DETAILS_BUDGET = 3 * 1024;

    private final AtomicReference<com.google.rpc.Status> reply = new AtomicReference<>();
    private Server server;
    private ManagedChannel channel;
    private BrokerGrpc.BrokerBlockingStub broker;

    @BeforeEach
    void start() throws IOException {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new BrokerGrpc.BrokerImplBase() {
                    @Override
                    public void produce(ProduceRequest request, StreamObserver<ProduceResponse> response) {
                        response.onError(StatusProto.toStatusRuntimeException(reply.get()));
                    }
                })
                .build()
                .start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
        broker = BrokerGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void notLeaderReachesTheClientWithTheLeadersAddress() throws Exception {
        ErrorDetail sent = withCode(ErrorDetail.newBuilder()
                .setReason(ErrorReason.ERROR_REASON_NOT_LEADER)
                .setRetriable(true)
                .setTopic("orders")
                .setPartition(3)
                .setLeader(LeaderHint.newBuilder().setNodeId(2).setAddress("10.0.0.2:7070").setLeaderTerm(17))
                .build());
        reply.set(status("node 1 does not lead orders-3; node 2 (10.0.0.2:7070) does", List.of(sent)));

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, this::produce);

        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertEquals("node 1 does not lead orders-3; node 2 (10.0.0.2:7070) does", e.getStatus().getDescription());
        assertEquals(List.of(sent), details(e));
    }

    @Test
    void detailsFillingTheDocumentedBudgetArriveWhole() throws Exception {
        // Worst case: a message of non-ASCII text (percent-encoded in grpc-message, 6 bytes per
        // character of 2), the longest topic names, long addresses, a full message in each detail.
        List<ErrorDetail> sent = new ArrayList<>();
        int size = 0;
        for (int partition = 0; ; partition++) {
            ErrorDetail d = withCode(notLeader("t".repeat(249), partition, "a-rather-long-host-name.example.internal:65535")
                    .toBuilder().setMessage("é".repeat(MESSAGE_BUDGET / 2)).build());
            int encoded = Any.pack(d).getSerializedSize() + 3; // + tag and length inside google.rpc.Status
            if (size + encoded > DETAILS_BUDGET) {
                break;
            }
            sent.add(d);
            size += encoded;
        }
        assertTrue(sent.size() >= 3, "the budget should hold several worst-case details, holds " + sent.size());
        String message = "é".repeat(MESSAGE_BUDGET / 2);
        reply.set(status(message, sent));

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, this::produce);

        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertEquals(message, e.getStatus().getDescription());
        assertEquals(sent, details(e));
    }

    @Test
    void detailsFarOverTheBudgetDoNotArriveWhichIsWhyTheBudgetExists() {
        List<ErrorDetail> sent = new ArrayList<>();
        for (int partition = 0; partition < 40; partition++) { // about 14 KiB
            sent.add(withCode(notLeader("t".repeat(249), partition, "a-rather-long-host-name.example.internal:65535")));
        }
        reply.set(status("too much", sent));

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, this::produce);

        // The client's 8 KiB metadata limit rejects the trailers: the client sees another status
        // (INTERNAL "http2 exception" with grpc-java 1.83.1), without the code or the details sent.
        assertNotEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode(), e.getStatus().toString());
        com.google.rpc.Status received = StatusProto.fromThrowable(e);
        assertTrue(received == null || received.getDetailsCount() == 0, "details should not have arrived: " + received);
    }

    private ProduceResponse produce() {
        return broker.withDeadlineAfter(10, TimeUnit.SECONDS).produce(ProduceRequest.getDefaultInstance());
    }

    private static ErrorDetail notLeader(String topic, int partition, String address) {
        return ErrorDetail.newBuilder()
                .setReason(ErrorReason.ERROR_REASON_NOT_LEADER)
                .setMessage("node 1 does not lead " + topic + "-" + partition + "; node 2 does")
                .setRetriable(true)
                .setTopic(topic)
                .setPartition(partition)
                .setLeader(LeaderHint.newBuilder().setNodeId(2).setAddress(address).setLeaderTerm(Long.MAX_VALUE))
                .build();
    }

    /** A detail as the broker will send it: its code filled in from its reason's option. */
    private static ErrorDetail withCode(ErrorDetail detail) {
        return detail.toBuilder().setCode(codeOf(detail.getReason())).build();
    }

    /** The status the broker will send: the code of the first detail's reason, each detail packed in an Any. */
    private static com.google.rpc.Status status(String message, List<ErrorDetail> details) {
        com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder()
                .setCode(codeOf(details.get(0).getReason()))
                .setMessage(message);
        details.forEach(d -> status.addDetails(Any.pack(d)));
        return status.build();
    }

    private static int codeOf(ErrorReason reason) {
        return reason.getValueDescriptor().getOptions().getExtension(ErrorsProto.statusCode);
    }

    /** What a grpc-java client does with a failure: read the details and unpack the ErrorDetails. */
    private static List<ErrorDetail> details(StatusRuntimeException e) throws InvalidProtocolBufferException {
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        assertNotNull(status, "no status");
        assertTrue(status.getDetailsCount() > 0, "no details: the grpc-status-details-bin trailer did not arrive");
        assertEquals(e.getStatus().getCode().value(), status.getCode());
        List<ErrorDetail> out = new ArrayList<>();
        for (Any any : status.getDetailsList()) {
            assertTrue(any.is(ErrorDetail.class), any.getTypeUrl());
            out.add(any.unpack(ErrorDetail.class));
        }
        return out;
    }
}
