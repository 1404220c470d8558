package io.flotilla.raft;

import java.nio.ByteBuffer;

/**
 * Part of a snapshot a follower receives: {@code data} belongs at {@code position} of
 * {@code snapshot}'s bytes. The last chunk completes it; persisting that chunk means
 * installing the snapshot (see {@link Ready}).
 */
public record SnapshotChunk(Snapshot snapshot, long position, ByteBuffer data) {
    public SnapshotChunk {
        data = data.asReadOnlyBuffer();
        if (position < 0 || position + data.remaining() > snapshot.sizeBytes()) {
            throw new IllegalArgumentException("chunk [" + position + ", " + (position + data.remaining())
                    + ") is outside the snapshot's " + snapshot.sizeBytes() + " bytes");
        }
    }

    public boolean last() {
        return position + data.remaining() == snapshot.sizeBytes();
    }
}
