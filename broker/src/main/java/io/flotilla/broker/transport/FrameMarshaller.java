package io.flotilla.broker.transport;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.ExtensionRegistryLite;
import com.google.protobuf.UnsafeByteOperations;
import io.flotilla.api.internal.v1.SendBatchesRequest;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Parses SendBatches frames with aliasing: the frame is read into one array, and every
 * {@code bytes} field (entry payloads, snapshot chunks) is a view of that array rather than a
 * copy, as protobuf's stock parser makes. The price: a payload a receiver keeps keeps the whole
 * frame (at most the sender's frame size, 1 MiB by default) reachable until it lets go.
 */
final class FrameMarshaller implements MethodDescriptor.Marshaller<InboundFrame> {

    @Override
    public InputStream stream(InboundFrame frame) {
        if (frame.request() == null) {
            throw new IllegalArgumentException("an unparseable frame cannot be sent: " + frame.parseError());
        }
        return frame.request().toByteString().newInput();
    }

    @Override
    public InboundFrame parse(InputStream in) {
        try {
            return parse(readFully(in));
        } catch (IOException e) {
            throw new UncheckedIOException("reading a SendBatches frame", e);
        }
    }

    /** Parses {@code bytes}, which the frame's payloads then share. */
    static InboundFrame parse(byte[] bytes) {
        // Protobuf aliases only input it may treat as immutable, which a wrapped array counts as.
        CodedInputStream in = UnsafeByteOperations.unsafeWrap(bytes).newCodedInput();
        in.enableAliasing(true);
        try {
            return new InboundFrame(SendBatchesRequest.parseFrom(in, ExtensionRegistryLite.getEmptyRegistry()),
                    bytes.length, null);
        } catch (IOException e) { // an InvalidProtocolBufferException: nothing else reads here
            return new InboundFrame(null, bytes.length, e.getMessage());
        }
    }

    private static byte[] readFully(InputStream in) throws IOException {
        if (in instanceof KnownLength) { // gRPC's message streams: one exact allocation
            byte[] bytes = new byte[in.available()];
            int read = in.readNBytes(bytes, 0, bytes.length);
            if (read == bytes.length) {
                return bytes;
            }
            throw new IOException("a frame announced " + bytes.length + " bytes but held " + read);
        }
        return in.readAllBytes();
    }
}
