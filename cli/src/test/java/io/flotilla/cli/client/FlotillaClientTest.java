package io.flotilla.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.flotilla.api.v1.BrokerGrpc;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.ListOffsetsRequest;
import io.flotilla.api.v1.ListOffsetsResponse;
import io.flotilla.api.v1.OffsetSpec;
import io.flotilla.api.v1.Record;
import io.grpc.Status;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Routing and retries of partition calls, against fake nodes that answer as errors.proto says. */
class FlotillaClientTest {

    private FakeCluster cluster;
    private FlotillaClient client;

    @BeforeEach
    void start() throws IOException {
        cluster = new FakeCluster(3, "orders", 3);
        cluster.preload(0, Collections.nCopies(7, Record.newBuilder().setValue(ByteString.copyFromUtf8("v")).build()));
        client = new FlotillaClient(fastRetries(List.of(cluster.address(1))));
    }

    @AfterEach
    void stop() {
        client.close();
        cluster.close();
    }

    static ClientConfig fastRetries(List<HostPort> bootstrap) {
        return new ClientConfig(bootstrap, 5_000, 5, 1, 4);
    }

    @Test
    void notLeaderRedirectsToTheHintedNodeAndLaterCallsGoThereDirectly() {
        cluster.moveLeader(0, 3); // metadata still names node 1
        client.refreshMetadata(List.of("orders"));

        assertEquals(7, latest(0));
        assertEquals(1, cluster.calls(1), "the stale leader is asked once");
        assertEquals(1, cluster.calls(3), "then the hinted leader");

        assertEquals(7, latest(0));
        assertEquals(1, cluster.calls(1), "the hint was remembered");
        assertEquals(2, cluster.calls(3));
    }

    @Test
    void noLeaderIsRetriedAfterABackoffUntilALeaderAnswers() {
        client.refreshMetadata(List.of("orders"));
        AtomicInteger refusals = new AtomicInteger(2);
        cluster.listOffsetsFault = r -> refusals.getAndDecrement() > 0
                ? Optional.of(FakeCluster.refusal(FakeCluster.detail(ErrorReason.ERROR_REASON_NO_LEADER,
                        "orders-0 is electing a leader").setRetriable(true).build()))
                : Optional.empty();

        assertEquals(7, latest(0));
        assertEquals(3, cluster.calls(1));
    }

    @Test
    void retriableFailuresStopAfterMaxAttempts() {
        client.refreshMetadata(List.of("orders"));
        cluster.listOffsetsFault = r -> Optional.of(FakeCluster.refusal(FakeCluster.detail(
                ErrorReason.ERROR_REASON_NO_LEADER, "orders-0 is electing a leader").setRetriable(true).build()));

        ClientException e = assertThrows(ClientException.class, () -> latest(0));

        assertEquals(ErrorReason.ERROR_REASON_NO_LEADER, e.reason());
        assertEquals(client.config().maxAttempts(), cluster.calls(1));
    }

    @Test
    void aRefusalAnsweringAResendOfAnAttemptWithUnknownOutcomeSaysTheCallMayHaveTakenEffect() {
        client.refreshMetadata(List.of("orders"));
        AtomicInteger attempt = new AtomicInteger();
        cluster.listOffsetsFault = r -> Optional.of(attempt.incrementAndGet() == 1
                ? FakeCluster.refusal(FakeCluster.detail(ErrorReason.ERROR_REASON_NO_LEADER,
                        "node 1 lost its leadership after appending").setRetriable(true).setOutcomeUnknown(true)
                        .build())
                : FakeCluster.refusal(FakeCluster.detail(ErrorReason.ERROR_REASON_STALE_MEMBER_EPOCH,
                        "member epoch 3 is stale; the group is at 4").build()));

        ClientException e = assertThrows(ClientException.class, () -> latest(0));

        assertEquals(2, cluster.calls(1));
        assertEquals(ErrorReason.ERROR_REASON_STALE_MEMBER_EPOCH, e.reason());
        assertTrue(e.mayHaveTakenEffect(), "the first attempt may have been applied before the refusal");
        assertTrue(e.getMessage().endsWith("; an earlier attempt's outcome is unknown"), e.getMessage());
    }

    @Test
    void aRefusalAfterOnlyDefiniteRefusalsSaysTheCallTookNoEffect() {
        client.refreshMetadata(List.of("orders"));
        AtomicInteger attempt = new AtomicInteger();
        cluster.listOffsetsFault = r -> Optional.of(attempt.incrementAndGet() == 1
                ? FakeCluster.refusal(FakeCluster.detail(ErrorReason.ERROR_REASON_NO_LEADER,
                        "orders-0 is electing a leader").setRetriable(true).build())
                : FakeCluster.refusal(FakeCluster.detail(ErrorReason.ERROR_REASON_STALE_MEMBER_EPOCH,
                        "member epoch 3 is stale; the group is at 4").build()));

        ClientException e = assertThrows(ClientException.class, () -> latest(0));

        assertEquals(2, cluster.calls(1));
        assertFalse(e.mayHaveTakenEffect(), "NO_LEADER is answered before anything is proposed");
    }

    @Test
    void aFailedPreconditionThatNamesNoLeaderIsNotRepeated() {
        client.refreshMetadata(List.of("orders"));
        cluster.listOffsetsFault = r -> Optional.of(FakeCluster.refusal(FakeCluster.detail(
                ErrorReason.ERROR_REASON_GROUP_NOT_EMPTY, "group 'g' has active members").setRetriable(true).build()));

        ClientException e = assertThrows(ClientException.class, () -> latest(0));

        assertEquals(ErrorReason.ERROR_REASON_GROUP_NOT_EMPTY, e.reason());
        assertEquals(1, cluster.calls(1), "retriable only once the state changed, which repeating does not bring");
    }

    @Test
    void aRefusalThatRetryingCannotFixFailsAtOnceAsOneLine() {
        client.refreshMetadata(List.of("orders"));
        cluster.listOffsetsFault = r -> Optional.of(FakeCluster.refusal(FakeCluster.detail(
                ErrorReason.ERROR_REASON_PARTITION_NOT_FOUND, "topic 'orders' has 3 partitions;\npartition 0 is gone")
                .setTopic("orders").setPartition(0).build()));

        ClientException e = assertThrows(ClientException.class, () -> latest(0));

        assertEquals(1, cluster.calls(1));
        assertEquals(Status.Code.NOT_FOUND, e.code());
        assertEquals("topic 'orders' has 3 partitions; partition 0 is gone (NOT_FOUND PARTITION_NOT_FOUND from "
                + cluster.address(1) + ")", e.getMessage());
    }

    @Test
    void anyNodeCallsPassAnUnreachableBootstrapNodeOn() throws IOException {
        try (FlotillaClient twoNodes = new FlotillaClient(fastRetries(List.of(closedPort(), cluster.address(2))))) {
            assertEquals(3, twoNodes.refreshMetadata(List.of("orders")).getTopics(0).getPartitionsCount());
        }
    }

    @Test
    void anUnreachableClusterFailsFastSayingWhatToCheck() throws IOException {
        HostPort nowhere = closedPort();
        try (FlotillaClient lonely = new FlotillaClient(fastRetries(List.of(nowhere)))) {
            ClientException e = assertThrows(ClientException.class, () -> lonely.refreshMetadata(List.of("orders")));

            assertEquals(Status.Code.UNAVAILABLE, e.code());
            assertTrue(e.getMessage().startsWith("cannot reach " + nowhere), e.getMessage());
            assertTrue(e.getMessage().contains("is the cluster running?"), e.getMessage());
        }
    }

    @Test
    void anUnknownTopicIsReportedByName() {
        ClientException e = assertThrows(ClientException.class, () -> client.refreshMetadata(List.of("nope")));

        assertEquals(ErrorReason.ERROR_REASON_TOPIC_NOT_FOUND, e.reason());
        assertTrue(e.getMessage().startsWith("topic 'nope' does not exist (NOT_FOUND TOPIC_NOT_FOUND"), e.getMessage());
    }

    private long latest(int partition) {
        ListOffsetsRequest request = ListOffsetsRequest.newBuilder().setTopic("orders").setPartition(partition)
                .setSpec(OffsetSpec.newBuilder().setLatest(true)).build();
        try {
            ListOffsetsResponse answer = client.callLeader("orders", partition,
                    ch -> BrokerGrpc.newFutureStub(ch).listOffsets(request)).get(10, TimeUnit.SECONDS);
            return answer.getOffset();
        } catch (ExecutionException e) {
            throw (ClientException) e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** An address nothing listens on: a port just released. */
    static HostPort closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return new HostPort("127.0.0.1", s.getLocalPort());
        }
    }
}
