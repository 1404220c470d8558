package io.flotilla.jepsen.sim;

import io.flotilla.raft.Entry;
import io.flotilla.raft.RaftMessage;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What serialization does to entries crossing a network or a disk: every copy gets its own
 * payload bytes, read-only, so no node can see (or corrupt) another's buffers, and a replica that
 * writes into a payload it did not create fails loudly.
 */
public final class Wire {
    private Wire() {
    }

    public static RaftMessage copy(RaftMessage m) {
        if (m instanceof RaftMessage.AppendRequest a && !a.entries().isEmpty()) {
            return new RaftMessage.AppendRequest(a.groupId(), a.from(), a.to(), a.term(), a.prevEnd(), a.prevTerm(),
                    copy(a.entries()), a.commitEnd(), a.round());
        }
        if (m instanceof RaftMessage.InstallSnapshot i) {
            return new RaftMessage.InstallSnapshot(i.groupId(), i.from(), i.to(), i.term(), i.snapshot(), i.position(),
                    copy(i.data()), i.round());
        }
        return m;
    }

    public static List<Entry> copy(List<Entry> entries) {
        List<Entry> out = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            out.add(new Entry(e.baseOffset(), e.count(), e.term(), e.type(), copy(e.payload())));
        }
        return out;
    }

    private static ByteBuffer copy(ByteBuffer data) {
        ByteBuffer bytes = ByteBuffer.allocate(data.remaining());
        bytes.put(data.duplicate()).flip();
        return bytes.asReadOnlyBuffer();
    }
}
