package io.flotilla.broker.transport;

import io.flotilla.api.internal.v1.RaftBatch;
import io.flotilla.api.internal.v1.RaftEntry;
import io.flotilla.api.internal.v1.RaftMembership;
import io.flotilla.api.internal.v1.RaftPeerMessage;
import io.flotilla.api.internal.v1.RaftSnapshot;
import io.flotilla.api.internal.v1.SendBatchesRequest;
import io.flotilla.raft.Entry;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.RaftMessage;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RaftMessageCodecTest {
    private static final MemberId A = new MemberId(1, 0xA);
    private static final MemberId B = new MemberId(2, 0xB);

    @Test
    void everyMessageKindSurvivesTheWireWithRandomContents() {
        long seed = Long.getLong("flotilla.seed", new SecureRandom().nextLong());
        System.out.println("RaftMessageCodecTest: seed " + seed + " (replay: -Dflotilla.seed=" + seed + ")");
        RandomRaftMessages random = new RandomRaftMessages(new Random(seed));
        for (int kind = 0; kind < RandomRaftMessages.KINDS; kind++) {
            for (int i = 0; i < 200; i++) {
                List<RaftMessage> sent = List.of(random.of(kind), random.of(kind));
                assertEquals(sent, throughTheWire(sent), "seed " + seed + ", kind " + kind + ", try " + i);
            }
        }
    }

    @Test
    void anEmptyBatchDecodesAsAnEmptyBatch() {
        assertEquals(List.of(), throughTheWire(List.of()));
    }

    /** Encodes a batch into a frame's bytes and decodes it as the receiver does. */
    private static List<RaftMessage> throughTheWire(List<RaftMessage> batch) {
        byte[] bytes = SendBatchesRequest.newBuilder().addBatches(RaftMessageCodec.encodeBatch(batch)).build().toByteArray();
        InboundFrame frame = FrameMarshaller.parse(bytes);
        assertNull(frame.parseError());
        return RaftMessageCodec.decodeBatch(frame.request().getBatches(0));
    }

    @Test
    void encodingWrapsAPayloadInsteadOfCopyingIt() {
        ByteBuffer payload = ByteBuffer.wrap("before".getBytes(StandardCharsets.US_ASCII));
        RaftPeerMessage encoded = RaftMessageCodec.encode(append(new Entry(0, 1, 1, Entry.Type.DATA, payload)));
        payload.put(0, (byte) 'B');
        assertEquals("Before", encoded.getAppendRequest().getEntries(0).getPayload().toStringUtf8());
    }

    @Test
    void decodedPayloadsAreReadOnlyViewsOfTheReceivedFrame() {
        byte[] marker = "payload-marker".getBytes(StandardCharsets.US_ASCII);
        RaftMessage sent = append(new Entry(7, 1, 3, Entry.Type.DATA, ByteBuffer.wrap(marker)));
        byte[] frame = SendBatchesRequest.newBuilder().addBatches(RaftMessageCodec.encodeBatch(List.of(sent))).build()
                .toByteArray();
        Entry received = ((RaftMessage.AppendRequest) RaftMessageCodec.decodeBatch(
                FrameMarshaller.parse(frame).request().getBatches(0)).get(0)).entries().get(0);
        assertTrue(received.payload().isReadOnly());

        frame[indexOf(frame, marker)] = 'P';
        assertEquals("Payload-marker", StandardCharsets.US_ASCII.decode(received.payload().duplicate()).toString(),
                "the payload is the frame's bytes, not a copy");
    }

    @Test
    void bytesThatDoNotParseBecomeAnUnparseableFrameRatherThanAnException() {
        InboundFrame frame = FrameMarshaller.parse(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
        assertNull(frame.request());
        assertEquals(4, frame.sizeBytes());
        assertTrue(frame.parseError() != null && !frame.parseError().isEmpty());
    }

    @Test
    void invalidMessagesAreRejectedNamingTheField() {
        RaftPeerMessage valid = RaftMessageCodec.encode(append(new Entry(0, 5, 2, Entry.Type.DATA, ByteBuffer.allocate(3))));
        assertRejected(valid, m -> m.toBuilder().clearKind().build(), "no message kind is set");
        assertRejected(valid, m -> m.toBuilder().setTerm(-1).build(), "term must be >= 0, got -1");
        assertRejected(valid, m -> m.toBuilder().setFromNodeId(0).build(), "from_node_id must be >= 1, got 0");
        assertRejected(valid, m -> m.toBuilder().setToNodeId(-4).build(), "to_node_id must be >= 1, got -4");
        assertRejected(valid, m -> withAppend(m, a -> a.setPrevEnd(-2)), "prev_end must be >= 0, got -2");
        assertRejected(valid, m -> withAppend(m, a -> a.setCommitEnd(-1)), "commit_end must be >= 0");
        assertRejected(valid, m -> withEntry(m, e -> e.setCount(0)), "entries[0].count must be >= 1, got 0");
        assertRejected(valid, m -> withEntry(m, e -> e.setTerm(0)), "entries[0].term must be >= 1, got 0");
        assertRejected(valid, m -> withEntry(m, e -> e.setBaseOffset(-9)), "entries[0].base_offset must be >= 0");
        assertRejected(valid, m -> withEntry(m, e -> e.setTypeValue(99)), "entries[0].type 99 is not an entry type");
        assertRejected(valid, m -> withEntry(m, e -> e.setType(RaftEntry.Type.TYPE_UNSPECIFIED)),
                "entries[0].type 0 is not an entry type");
        assertRejected(valid, m -> withEntry(m, e -> e.setType(RaftEntry.Type.TYPE_NOOP)),
                "a NOOP entry occupies one offset, not 5");

        RaftPeerMessage snapshot = RaftMessageCodec.encode(new RandomRaftMessages(new Random(1)).of(2, A, B));
        assertRejected(snapshot, m -> withSnapshot(m, s -> s.clearMembership()), "snapshot has no membership");
        assertRejected(snapshot, m -> withSnapshot(m, s -> s.setMembership(RaftMembership.getDefaultInstance())),
                "a group needs at least one voter");
        assertRejected(snapshot, m -> withSnapshot(m, s -> s.setSizeBytes(-1)), "snapshot.size_bytes must be >= 0");
        assertRejected(snapshot, m -> m.toBuilder().setInstallSnapshot(m.getInstallSnapshot().toBuilder()
                .clearSnapshot()).build(), "install_snapshot has no snapshot");
    }

    @Test
    void aBatchNamesItsInvalidMessage() {
        RaftPeerMessage valid = RaftMessageCodec.encode(new RaftMessage.TimeoutNow(4, A, B, 9));
        RaftBatch batch = RaftBatch.newBuilder().addMessages(valid).addMessages(valid.toBuilder().setTerm(-3)).build();
        InvalidRaftMessageException e = assertThrows(InvalidRaftMessageException.class,
                () -> RaftMessageCodec.decodeBatch(batch));
        assertEquals("message 1 of 2: group 4, timeout_now: term must be >= 0, got -3", e.getMessage());
    }

    private static void assertRejected(RaftPeerMessage valid, UnaryOperator<RaftPeerMessage> spoil, String expected) {
        RaftMessageCodec.decode(valid);
        InvalidRaftMessageException e = assertThrows(InvalidRaftMessageException.class,
                () -> RaftMessageCodec.decode(spoil.apply(valid)));
        assertTrue(e.getMessage().contains(expected), "\"" + e.getMessage() + "\" should say \"" + expected + "\"");
    }

    private static RaftPeerMessage withAppend(RaftPeerMessage m, UnaryOperator<RaftPeerMessage.AppendRequest.Builder> f) {
        return m.toBuilder().setAppendRequest(f.apply(m.getAppendRequest().toBuilder())).build();
    }

    private static RaftPeerMessage withEntry(RaftPeerMessage m, UnaryOperator<RaftEntry.Builder> f) {
        return withAppend(m, a -> a.setEntries(0, f.apply(a.getEntries(0).toBuilder())));
    }

    private static RaftPeerMessage withSnapshot(RaftPeerMessage m, UnaryOperator<RaftSnapshot.Builder> f) {
        return m.toBuilder().setInstallSnapshot(m.getInstallSnapshot().toBuilder()
                .setSnapshot(f.apply(m.getInstallSnapshot().getSnapshot().toBuilder()))).build();
    }

    private static RaftMessage append(Entry... entries) {
        return new RaftMessage.AppendRequest(1, A, B, 3, 0, 0, List.of(entries), 0, 0);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("the frame does not hold the payload's bytes");
    }
}
