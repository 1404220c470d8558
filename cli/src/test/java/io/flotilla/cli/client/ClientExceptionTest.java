package io.flotilla.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.api.v1.ErrorDetail;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.LeaderHint;
import io.grpc.Status;
import org.junit.jupiter.api.Test;

/** How a gRPC status and its ErrorDetails become one line and a retry decision. */
class ClientExceptionTest {

    private static final HostPort NODE = new HostPort("10.0.0.1", 9701);

    @Test
    void aBrokerStatusKeepsItsDetailsAndReadsAsOneLine() {
        ErrorDetail notLeader = FakeCluster.detail(ErrorReason.ERROR_REASON_NOT_LEADER,
                "node 1 does not lead orders-3;\n node 2 does").setRetriable(true).setTopic("orders").setPartition(3)
                .setLeader(LeaderHint.newBuilder().setNodeId(2).setAddress("10.0.0.2:9701").setLeaderTerm(5)).build();

        ClientException e = ClientException.from(FakeCluster.refusal(notLeader), NODE);

        assertEquals(Status.Code.FAILED_PRECONDITION, e.code());
        assertEquals("node 1 does not lead orders-3; node 2 does (FAILED_PRECONDITION NOT_LEADER from 10.0.0.1:9701)",
                e.getMessage());
        assertEquals("10.0.0.2:9701", e.leaderHint().orElseThrow().getAddress());
        assertEquals(notLeader, e.detailFor("orders", 3).orElseThrow());
        assertTrue(e.detailFor("orders", 4).isEmpty());
        assertTrue(e.retriable());
    }

    @Test
    void aDetailInsideAnAnswerWithoutACodeTakesItsReasonsCode() {
        ClientException e = ClientException.fromDetail(ErrorDetail.newBuilder()
                .setReason(ErrorReason.ERROR_REASON_REPLICATION_TIMEOUT).setMessage("no quorum in time")
                .setRetriable(true).setRetryAfterMs(250).build(), NODE);

        assertEquals(Status.Code.UNAVAILABLE, e.code());
        assertEquals("no quorum in time (UNAVAILABLE REPLICATION_TIMEOUT from 10.0.0.1:9701)", e.getMessage());
        assertEquals(250, e.retryAfterMs());
    }

    @Test
    void statusesWithoutDetailsAreRetriedOnlyWhenTheConnectionFailed() {
        ClientException refused = ClientException.from(Status.UNAVAILABLE.withDescription("io exception")
                .withCause(new java.net.ConnectException("finishConnect(..) failed: Connection refused"))
                .asRuntimeException(), NODE);
        ClientException late = ClientException.from(Status.DEADLINE_EXCEEDED
                .withDescription("deadline exceeded after 9.9s").asRuntimeException(), NODE);

        assertTrue(refused.retriable());
        assertTrue(refused.getMessage().startsWith("cannot reach 10.0.0.1:9701 (Connection refused): "),
                refused.getMessage());
        assertFalse(late.retriable());
        // grpc-java's status for a connection closed mid-call (a node killed with kill -9)
        assertTrue(ClientException.from(Status.UNKNOWN.withDescription("channel closed").asRuntimeException(), NODE)
                .retriable());
        assertEquals("10.0.0.1:9701 did not answer before the deadline (deadline exceeded after 9.9s)",
                late.getMessage());
    }
}
