package io.flotilla.broker.transport;

import io.flotilla.raft.Entry;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.Membership;
import io.flotilla.raft.RaftMessage;
import io.flotilla.raft.Snapshot;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

/** Raft messages of every kind with random contents, from one seeded Random. */
final class RandomRaftMessages {
    /** The message kinds, in the order of {@link #of(int, MemberId, MemberId)}. */
    static final int KINDS = 8;

    private final Random random;

    RandomRaftMessages(Random random) {
        this.random = random;
    }

    MemberId member() {
        return new MemberId(1 + random.nextInt(Integer.MAX_VALUE - 1), random.nextLong());
    }

    /** A message of kind {@code kind} (0 .. KINDS - 1) between two random members. */
    RaftMessage of(int kind) {
        return of(kind, member(), member());
    }

    RaftMessage of(int kind, MemberId from, MemberId to) {
        long group = random.nextLong() & Long.MAX_VALUE;
        long term = count();
        return switch (kind) {
            case 0 -> new RaftMessage.AppendRequest(group, from, to, term, count(), count(), entries(), count(), count());
            case 1 -> new RaftMessage.AppendResponse(group, from, to, term, random.nextBoolean(), count(), count(),
                    count(), count(), random.nextBoolean());
            case 2 -> new RaftMessage.InstallSnapshot(group, from, to, term, snapshot(), count(), bytes(4096), count());
            case 3 -> new RaftMessage.SnapshotResponse(group, from, to, term, count(), count(), count(), count());
            case 4 -> new RaftMessage.VoteRequest(group, from, to, term, count(), count(), random.nextBoolean(),
                    random.nextBoolean());
            case 5 -> new RaftMessage.VoteResponse(group, from, to, term, random.nextBoolean(), random.nextBoolean());
            case 6 -> new RaftMessage.TimeoutNow(group, from, to, term);
            case 7 -> new RaftMessage.Quiesce(group, from, to, term, count());
            default -> throw new IllegalArgumentException("no message kind " + kind);
        };
    }

    /** A batch of 0 to {@code max} messages of random kinds, all from {@code from} to {@code to}. */
    List<RaftMessage> batch(int max, MemberId from, MemberId to) {
        int n = random.nextInt(max + 1);
        List<RaftMessage> batch = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            batch.add(of(random.nextInt(KINDS), from, to));
        }
        return batch;
    }

    /** A non-negative long: small, large, or 0, as offsets, terms and rounds come. */
    private long count() {
        return switch (random.nextInt(3)) {
            case 0 -> 0;
            case 1 -> random.nextInt(1000);
            default -> random.nextLong() & Long.MAX_VALUE >>> 1;
        };
    }

    private List<Entry> entries() {
        int n = random.nextInt(5);
        long offset = random.nextInt(1 << 20);
        long term = 1 + random.nextInt(100);
        List<Entry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Entry.Type type = Entry.Type.values()[random.nextInt(Entry.Type.values().length)];
            int count = type == Entry.Type.DATA ? 1 + random.nextInt(500) : 1;
            entries.add(new Entry(offset, count, term, type, type == Entry.Type.NOOP ? ByteBuffer.allocate(0) : bytes(2048)));
            offset += count;
            term += random.nextInt(2);
        }
        return entries;
    }

    private Snapshot snapshot() {
        TreeSet<MemberId> voters = new TreeSet<>();
        TreeSet<MemberId> learners = new TreeSet<>();
        int members = 1 + random.nextInt(5);
        for (int i = 0; i < members; i++) {
            (i == 0 || random.nextBoolean() ? voters : learners).add(member());
        }
        return new Snapshot(count(), count(), new Membership(voters, learners), count());
    }

    /** Up to {@code max} random bytes, sometimes none. */
    ByteBuffer bytes(int max) {
        byte[] b = new byte[random.nextInt(max + 1)];
        random.nextBytes(b);
        return ByteBuffer.wrap(b);
    }
}
