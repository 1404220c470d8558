package io.flotilla.broker.storage;

import io.flotilla.raft.Snapshot;
import io.flotilla.raft.SnapshotChunk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The snapshot a follower is receiving, chunk by chunk, in the file
 * {@code incoming-snapshot} of the group directory, so a large one does not sit on the heap
 * while it arrives. Chunks are not fsynced: a restarted member starts every transfer over from
 * position 0 (Raft forgets a transfer in progress, and {@link LogStorage#open} deletes the
 * file), so a chunk only has to outlive the process, and the installed snapshot is made durable
 * in the node store. Used by one thread at a time (the group's disk worker, then close).
 */
final class IncomingSnapshot {
    static final String NAME = "incoming-snapshot";

    private final Path file;
    private Snapshot receiving;
    private FileChannel channel;

    IncomingSnapshot(Path groupDir) {
        this.file = groupDir.resolve(NAME);
    }

    /** Writes a chunk at its position; position 0, or another snapshot than the one in progress, starts over. */
    void write(SnapshotChunk chunk) throws IOException {
        if (chunk.position() == 0 || !chunk.snapshot().equals(receiving)) {
            discard();
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.READ, StandardOpenOption.WRITE);
            receiving = chunk.snapshot();
        }
        ByteBuffer data = chunk.data().duplicate();
        for (long at = chunk.position(); data.hasRemaining(); ) {
            at += channel.write(data, at);
        }
    }

    /** The whole snapshot received, after its last chunk; the file is deleted. */
    byte[] take() throws IOException {
        if (receiving == null) {
            throw new IllegalStateException("no snapshot is being received");
        }
        ByteBuffer bytes = ByteBuffer.allocate(Math.toIntExact(receiving.sizeBytes()));
        while (bytes.hasRemaining()) {
            if (channel.read(bytes, bytes.position()) < 0) {
                throw new IOException(file + " ends at byte " + bytes.position() + " of a snapshot of "
                        + receiving.sizeBytes());
            }
        }
        discard();
        return bytes.array();
    }

    /** Forgets the transfer in progress, if any, and deletes its file. */
    void discard() throws IOException {
        receiving = null;
        if (channel != null) {
            channel.close();
            channel = null;
        }
        Files.deleteIfExists(file);
    }
}
