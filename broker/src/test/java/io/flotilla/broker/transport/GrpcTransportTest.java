package io.flotilla.broker.transport;

import io.flotilla.api.internal.v1.RaftTransportGrpc;
import io.flotilla.raft.Entry;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.RaftMessage;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One node's transport sending to servers on loopback. */
class GrpcTransportTest {
    private static final MemberId SELF = new MemberId(1, 0xA1);
    private static final MemberId PEER = new MemberId(2, 0xB2);
    private static final int MIB = 1 << 20;
    private static final int BATCH_PAYLOAD = 64 << 10;

    private final Map<Integer, String> addresses = new ConcurrentHashMap<>();
    private final List<Server> servers = new ArrayList<>();
    private GrpcTransport transport;

    @AfterEach
    void stop() throws InterruptedException {
        if (transport != null) {
            transport.close();
        }
        for (Server server : servers) {
            Servers.stop(server);
        }
    }

    private Server serve(int nodeAddressOf, Inbox inbox) {
        Server server = Servers.start(0, new RaftTransportService(PEER, () -> "", inbox));
        servers.add(server);
        addresses.put(nodeAddressOf, Servers.target(server));
        return server;
    }

    private GrpcTransport transport(TransportConfig config) {
        transport = new GrpcTransport(SELF, config, addresses::get);
        return transport;
    }

    @Test
    void batchesArriveInOrderAndEmptyOnesArriveEmpty() throws Exception {
        long seed = Long.getLong("flotilla.seed", new SecureRandom().nextLong());
        System.out.println("GrpcTransportTest: seed " + seed + " (replay: -Dflotilla.seed=" + seed + ")");
        RandomRaftMessages random = new RandomRaftMessages(new Random(seed));
        Inbox inbox = new Inbox();
        serve(2, inbox);
        GrpcTransport t = transport(TransportConfig.DEFAULTS);

        List<List<RaftMessage>> sent = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            List<RaftMessage> batch = i % 3 == 0 ? List.of() : random.batch(6, SELF, PEER);
            sent.add(List.copyOf(batch));
            t.send(2, new ArrayList<>(batch));
        }
        for (int i = 0; i < sent.size(); i++) {
            assertEquals(new Inbox.Received(1, sent.get(i)), inbox.take(), "batch " + i + ", seed " + seed);
        }
        TransportStats stats = t.stats();
        assertEquals(300, stats.batchesSent());
        assertEquals(0, stats.batchesDropped());
        assertTrue(stats.framesSent() <= 300 && stats.bytesSent() > 0, stats.toString());
    }

    @Test
    void aTurnLargerThanAFrameTravelsAsSeveralBatchesAndOneHugeMessageAlone() throws Exception {
        Inbox inbox = new Inbox();
        serve(2, inbox);
        GrpcTransport t = transport(TransportConfig.DEFAULTS);
        List<RaftMessage> turn = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            turn.add(append(i, 300 << 10));
        }
        t.send(2, turn);
        List<RaftMessage> arrived = new ArrayList<>();
        int pieces = 0;
        while (arrived.size() < turn.size()) {
            List<RaftMessage> piece = inbox.take().batch();
            assertTrue(piece.size() <= 3, "at most three 300 KiB messages fit a 1 MiB frame: " + piece.size());
            arrived.addAll(piece);
            pieces++;
        }
        assertEquals(turn, arrived);
        assertEquals(4, pieces);

        RaftMessage huge = append(10, 3 * MIB);
        t.send(2, List.of(huge));
        assertEquals(List.of(huge), inbox.take().batch(), "over the frame cap, under the server's limit");
    }

    private static RaftMessage append(long offset, int payloadBytes) {
        ByteBuffer payload = ByteBuffer.allocate(payloadBytes);
        payload.putLong(0, offset);
        return new RaftMessage.AppendRequest(5, SELF, PEER, 2, offset, 2,
                List.of(new Entry(offset, 1, 2, Entry.Type.DATA, payload)), 0, 0);
    }

    @Test
    void aPeerThatNeverReadsMakesTheTransportDropRatherThanBufferWithoutLimit() throws Exception {
        // A server that takes the stream and never asks for a message: its fixed 1 MiB HTTP/2
        // window fills, and the stream stops being ready for good.
        int window = MIB;
        Server deaf = Servers.start(0, ServerServiceDefinition.builder(RaftTransportGrpc.SERVICE_NAME)
                        .addMethod(RaftTransportGrpc.getSendBatchesMethod(), (call, headers) -> new ServerCall.Listener<>() {
                        })
                        .build(),
                NettyServerBuilder.forAddress(Servers.address(0)).flowControlWindow(window));
        servers.add(deaf);
        addresses.put(2, Servers.target(deaf));
        long bound = MIB;
        GrpcTransport t = transport(TransportConfig.DEFAULTS.withMaxQueuedBytesPerPeer(bound));

        List<RaftMessage> batch = List.of(append(0, BATCH_PAYLOAD));
        int[] offered = {0};
        Await.until(() -> {
            t.send(2, batch);
            offered[0]++;
            return t.stats().bytesSent() >= window;
        }, () -> "the stream carried what the window allows: " + t.stats());
        for (int i = 0; i < 640; i++) { // 40 MiB: far more than the queue, the window and a frame hold
            t.send(2, batch);
            offered[0]++;
        }

        TransportStats stats = t.stats();
        int frame = TransportConfig.DEFAULTS.maxFrameBytes();
        assertTrue(stats.queuedBytes() <= bound, "queued within the bound: " + stats);
        assertTrue(stats.bytesSent() <= window + frame + BATCH_PAYLOAD, "writes stop when flow control says so: " + stats);
        long accepted = offered[0] - stats.batchesDropped();
        assertTrue(accepted * BATCH_PAYLOAD <= bound + window + frame + 2L * BATCH_PAYLOAD,
                "only what the queue and the window hold was taken: " + accepted + " of " + offered[0] + ", " + stats);
    }

    @Test
    void batchesForAPeerWithoutAnAddressAreDroppedAndCounted() {
        GrpcTransport t = transport(TransportConfig.DEFAULTS);
        t.send(7, List.of());
        Await.until(() -> t.stats().batchesDropped() == 1, () -> t.stats().toString());
        for (int i = 0; i < 5; i++) {
            t.send(7, List.of());
        }
        assertEquals(6, t.stats().batchesDropped(), "dropped at once while the peer is unreachable");
        assertEquals(0, t.stats().queuedBytes());
    }

    @Test
    void aPeerThatMovedIsReachedAtItsNewAddress() throws Exception {
        Inbox before = new Inbox();
        Server old = serve(2, before);
        GrpcTransport t = transport(TransportConfig.DEFAULTS.withBackoff(Duration.ofMillis(20), Duration.ofMillis(200)));
        t.send(2, List.of());
        assertEquals(new Inbox.Received(1, List.of()), before.take());

        Servers.stop(old);
        Inbox after = new Inbox();
        serve(2, after);
        Await.until(() -> {
            t.send(2, List.of());
            return !after.isEmpty();
        }, () -> "nothing reached the new address: " + t.stats());
        assertEquals(new Inbox.Received(1, List.of()), after.take());
        assertTrue(t.stats().reconnects() >= 1, t.stats().toString());
    }

    @Test
    void closeReleasesTheThreadAndLaterCallsFailOrDrop() throws Exception {
        serve(2, new Inbox());
        GrpcTransport t = transport(TransportConfig.DEFAULTS);
        assertEquals(PEER, t.identify(2).get(10, TimeUnit.SECONDS).member());
        t.close();
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .noneMatch(th -> th.getName().equals("flotilla-raft-transport-1") && th.isAlive()));
        long dropped = t.stats().batchesDropped();
        t.send(2, List.of());
        assertEquals(dropped + 1, t.stats().batchesDropped());
        ExecutionException e = assertThrows(ExecutionException.class, () -> t.identify(2).get(10, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, e.getCause());
    }
}
