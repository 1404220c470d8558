package io.flotilla.broker.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.flotilla.api.v1.ErrorDetail;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.broker.api.ApiException;
import io.flotilla.broker.api.Calls;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

/** How a call forwarded to the controller's leader fails for its caller. */
class ControllerClientTest {

    @Test
    void aLeaderThatCannotBeReachedIsNoLeaderNamingTheNodeTried() {
        StatusRuntimeException unreachable = Status.UNAVAILABLE.withDescription("io exception").asRuntimeException();

        Throwable answered = ControllerClient.forwardedError(unreachable, 3, "127.0.0.1:9703");

        assertEquals(Status.Code.UNAVAILABLE, Status.fromThrowable(answered).getCode());
        ErrorDetail detail = LeaderRouter.detailOf(answered);
        assertEquals(ErrorReason.ERROR_REASON_NO_LEADER, detail.getReason());
        assertEquals("the controller's leader, node 3 at 127.0.0.1:9703, could not be reached (io exception); "
                + "retry shortly", detail.getMessage());
        assertEquals(200, detail.getRetryAfterMs());
    }

    @Test
    void theLeadersOwnRefusalPassesThroughUnchanged() {
        StatusRuntimeException refusal = Calls.statusOf(ApiException.of(ApiException.detail(
                ErrorReason.ERROR_REASON_TOPIC_NOT_FOUND, "no topic 'x'")));

        assertSame(refusal, ControllerClient.forwardedError(refusal, 3, "127.0.0.1:9703"));
    }
}
