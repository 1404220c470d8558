package io.flotilla.jepsen.sim;

import io.flotilla.raft.Entry;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.MemoryStorage;
import io.flotilla.raft.Membership;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Hand-built entries, storages and logs for the checker tests. */
final class Fixtures {
    static final Membership THREE = Membership.ofVoters(member(0), member(1), member(2));

    private Fixtures() {
    }

    static MemberId member(int node) {
        return new MemberId(node, Simulation.INCARNATION);
    }

    static Entry data(long base, int count, long term, long value) {
        return new Entry(base, count, term, Entry.Type.DATA, Entries.value(value));
    }

    static Entry data(long base, long term, long value) {
        return data(base, 1, term, value);
    }

    static Entry noop(long base, long term) {
        return new Entry(base, 1, term, Entry.Type.NOOP, ByteBuffer.allocate(0));
    }

    /** A durable log in a MemoryStorage, as a node would hold it. */
    static MemoryStorage storage(Entry... entries) {
        MemoryStorage s = new MemoryStorage(THREE);
        s.append(List.of(entries));
        return s;
    }

    static LogView view(MemoryStorage storage) {
        return LogView.of(storage.allEntries());
    }

    static LogView view(Entry... entries) {
        return view(storage(entries));
    }

    static List<LogView> views(MemoryStorage... storages) {
        List<LogView> out = new ArrayList<>();
        for (MemoryStorage s : storages) {
            out.add(view(s));
        }
        return out;
    }
}
