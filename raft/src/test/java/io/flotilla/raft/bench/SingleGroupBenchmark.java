package io.flotilla.raft.bench;

import io.flotilla.raft.Entry;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.Membership;
import io.flotilla.raft.MemoryStorage;
import io.flotilla.raft.RaftConfig;
import io.flotilla.raft.RaftMessage;
import io.flotilla.raft.RaftNode;
import io.flotilla.raft.Ready;
import io.flotilla.raft.Role;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Throughput of the Raft state machine alone: one 3-replica group, in-memory storage, messages
 * delivered in-process on one thread. Payload bytes are copied where a real deployment moves
 * them (each append request delivered is the receiver's own copy, as after deserialization;
 * each persisted entry is copied into storage memory), so the figures count consensus CPU plus
 * that memory traffic: an upper bound that the disk and network then lower.
 *
 * <p>Run with {@code raft/bench.sh [seconds]} (see raft/BENCHMARKS.md).
 */
public final class SingleGroupBenchmark {
    private static final long GROUP = 1;

    private final Map<MemberId, RaftNode> nodes = new HashMap<>();
    private final Map<MemberId, MemoryStorage> storages = new HashMap<>();
    private final ArrayDeque<RaftMessage> network = new ArrayDeque<>();
    private long committedEntries;

    private SingleGroupBenchmark() {
        MemberId[] ids = {new MemberId(1, 1), new MemberId(2, 2), new MemberId(3, 3)};
        Membership membership = Membership.ofVoters(ids);
        RaftConfig config = RaftConfig.DEFAULTS.withFlowControl(256, 64L << 20, 1L << 20);
        for (MemberId id : ids) {
            MemoryStorage storage = new MemoryStorage(membership);
            storages.put(id, storage);
            nodes.put(id, new RaftNode(GROUP, id, config, storage, new SplittableRandom(id.nodeId())));
        }
    }

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        System.out.printf("%-34s %12s %12s %10s%n", "workload", "entries/s", "records/s", "MB/s");
        for (int[] shape : new int[][] {{1024, 1}, {64 * 1024, 64}}) {
            new SingleGroupBenchmark().measure(shape[0], shape[1], seconds * 0.2, false); // warm-up
            new SingleGroupBenchmark().measure(shape[0], shape[1], seconds, true);
        }
    }

    /** Proposes entries of {@code entryBytes} ({@code records} records each), 64 per round, for {@code seconds}. */
    private void measure(int entryBytes, int records, double seconds, boolean report) {
        RaftNode leader = electFirstLeader();
        ByteBuffer payload = ByteBuffer.wrap(new byte[entryBytes]).asReadOnlyBuffer();
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        long proposed = 0;
        long startCommitted = committedEntries;
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 64; i++) {
                leader.propose(payload.duplicate(), records);
                proposed++;
            }
            pump();
            compact();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        long committed = committedEntries - startCommitted;
        if (committed < proposed / 2) {
            throw new IllegalStateException("only " + committed + " of " + proposed + " entries committed");
        }
        if (report) {
            System.out.printf("%-34s %12.0f %12.0f %10.1f%n", "3 replicas, " + entryBytes / 1024 + " KiB entries",
                    committed / elapsed, committed * (double) records / elapsed,
                    committed * (double) entryBytes / elapsed / 1e6);
        }
    }

    private RaftNode electFirstLeader() {
        RaftNode first = nodes.get(new MemberId(1, 1));
        for (int i = 0; i < 100 && first.role() != Role.LEADER; i++) {
            first.tick();
            pump();
        }
        return first;
    }

    /** Runs every Ready and delivers every message until the group is quiet. */
    private void pump() {
        boolean busy = true;
        while (busy) {
            busy = false;
            for (Map.Entry<MemberId, RaftNode> e : nodes.entrySet()) {
                RaftNode node = e.getValue();
                while (node.hasReady()) {
                    Ready ready = node.ready();
                    network.addAll(ready.sendNow());
                    storages.get(e.getKey()).persist(written(ready));
                    network.addAll(ready.sendAfterPersist());
                    if (node.role() == Role.LEADER) {
                        committedEntries += ready.committed().stream().filter(x -> x.type() == Entry.Type.DATA).count();
                    }
                    node.advance(ready);
                    busy = true;
                }
            }
            while (!network.isEmpty()) {
                RaftMessage m = network.poll();
                nodes.get(m.to()).step(m instanceof RaftMessage.AppendRequest r ? received(r) : m);
                busy = true;
            }
        }
    }

    /** The Ready with its entries' bytes copied, as writing them to storage would. */
    private static Ready written(Ready ready) {
        return new Ready(ready.sendNow(), ready.snapshotChunk(), ready.truncateFrom(), copies(ready.entries()),
                ready.hardState(), ready.sendAfterPersist(), ready.committed(), ready.readStates());
    }

    /** The request as its receiver deserializes it: its own copy of every payload. */
    private static RaftMessage.AppendRequest received(RaftMessage.AppendRequest r) {
        return new RaftMessage.AppendRequest(r.groupId(), r.from(), r.to(), r.term(), r.prevEnd(), r.prevTerm(),
                copies(r.entries()), r.commitEnd(), r.round());
    }

    private static List<Entry> copies(List<Entry> entries) {
        return entries.stream().map(e -> new Entry(e.baseOffset(), e.count(), e.term(), e.type(),
                ByteBuffer.allocate(e.payload().remaining()).put(e.payload().duplicate()).flip())).toList();
    }

    /** Keeps memory flat: drops what every replica has committed (the in-memory log would grow without bound). */
    private void compact() {
        long committed = Long.MAX_VALUE;
        for (RaftNode node : nodes.values()) {
            committed = Math.min(committed, node.commitEnd());
        }
        for (MemoryStorage storage : storages.values()) {
            long end = Math.min(committed, storage.endOffset());
            if (end > storage.startOffset()) {
                storage.compact(storage.entryBase(end - 1), new byte[0]);
            }
        }
    }
}
