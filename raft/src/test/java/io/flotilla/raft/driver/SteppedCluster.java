package io.flotilla.raft.driver;

import io.flotilla.raft.Entry;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.Membership;
import io.flotilla.raft.MemoryStorage;
import io.flotilla.raft.RaftMessage;
import io.flotilla.raft.RaftNode;
import io.flotilla.raft.RaftStorage;
import io.flotilla.raft.ReadState;
import io.flotilla.raft.Role;
import io.flotilla.raft.Snapshot;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Drivers of a few nodes in one test, stepped on the test's thread with a manual clock: no
 * loop threads, no sleeps, and the same run every time. Nodes talk over a {@link LocalNetwork};
 * every batch sent is also recorded for the test to inspect.
 */
final class SteppedCluster {
    static final long TICK = DriverConfig.DEFAULTS.tickNanos();
    static final int ELECTION_TICKS = DriverConfig.DEFAULTS.raft().electionTimeoutTicks();

    /** A batch as it left its sender. */
    record Sent(int from, int to, List<RaftMessage> messages) {
    }

    private record Replica(int nodeId, long groupId) {
    }

    private long now;
    private final LongSupplier clock = () -> now;
    final LocalNetwork network = new LocalNetwork();
    final Map<Integer, RaftDriver> drivers = new HashMap<>();
    final List<Sent> sent = new ArrayList<>();
    private final Map<Replica, MemoryStorage> storages = new HashMap<>();
    private final Map<Replica, List<Entry>> applied = new HashMap<>();
    private final Map<Replica, List<Snapshot>> restored = new HashMap<>();
    private final Map<Replica, List<ReadState>> reads = new HashMap<>();
    private final Map<Replica, Throwable> stopped = new HashMap<>();
    private final Map<Replica, List<Leadership>> told = new HashMap<>();
    /** Per node, a loop that takes no turns (as if stuck in a blocking call), if any. */
    private final Map<Integer, Integer> stalled = new HashMap<>();
    private final int loops;
    private final Membership membership;

    SteppedCluster(int nodes, DriverConfig config) {
        MemberId[] members = new MemberId[nodes];
        for (int id = 1; id <= nodes; id++) {
            members[id - 1] = member(id);
            Transport endpoint = network.endpoint(id);
            int from = id;
            RaftDriver driver = new RaftDriver(member(id), config, (to, batch) -> {
                sent.add(new Sent(from, to, List.copyOf(batch)));
                endpoint.send(to, batch);
            }, clock);
            network.attach(driver);
            drivers.put(id, driver);
        }
        membership = Membership.ofVoters(members);
        loops = config.loops();
    }

    static MemberId member(int nodeId) {
        return new MemberId(nodeId, 1000 + nodeId);
    }

    /** Adds group {@code groupId} on every node, each replica with its own in-memory log. */
    void addGroup(long groupId) {
        for (int id : drivers.keySet()) {
            MemoryStorage storage = newStorage(id, groupId);
            addReplica(id, groupId, storage, new MemoryPersistence(storage), recorder(id, groupId));
        }
    }

    /** Like {@link #addGroup}, each replica writing through a {@link HeldWrites}; returns them by node id. */
    HeldWrites[] addGroupHoldingWrites(long groupId) {
        HeldWrites[] writes = new HeldWrites[drivers.size() + 1];
        for (int id : drivers.keySet()) {
            MemoryStorage storage = newStorage(id, groupId);
            writes[id] = new HeldWrites(storage);
            addReplica(id, groupId, storage, writes[id], recorder(id, groupId));
        }
        return writes;
    }

    /** {@link #addGroupHoldingWrites}, then ticks until it has a leader and goes quiet (writes not held yet). */
    HeldWrites[] settledGroupHoldingWrites(long groupId) {
        HeldWrites[] writes = addGroupHoldingWrites(groupId);
        tickUntilQuiet(20 * ELECTION_TICKS);
        return writes;
    }

    private MemoryStorage newStorage(int nodeId, long groupId) {
        MemoryStorage storage = new MemoryStorage(membership);
        storages.put(new Replica(nodeId, groupId), storage);
        return storage;
    }

    void addReplica(int nodeId, long groupId, RaftStorage storage, GroupPersistence persistence, Applier applier) {
        CompletableFuture<Void> added = drivers.get(nodeId).addGroup(groupId, storage, persistence, applier);
        runUntilIdle();
        added.join();
    }

    /** An applier that records what replica (node, group) applies, restores, is told of reads and why it stopped. */
    Applier recorder(int nodeId, long groupId) {
        Replica replica = new Replica(nodeId, groupId);
        List<Entry> log = applied.computeIfAbsent(replica, r -> new ArrayList<>());
        List<Snapshot> snapshots = restored.computeIfAbsent(replica, r -> new ArrayList<>());
        List<ReadState> answers = reads.computeIfAbsent(replica, r -> new ArrayList<>());
        List<Leadership> leaderships = told.computeIfAbsent(replica, r -> new ArrayList<>());
        return new Applier() {
            @Override
            public void leadership(MemberId leader, long term) {
                leaderships.add(new Leadership(leader, term));
            }

            @Override
            public void apply(List<Entry> committed) {
                log.addAll(committed);
            }

            @Override
            public void restore(Snapshot snapshot) {
                snapshots.add(snapshot);
            }

            @Override
            public void reads(List<ReadState> readStates) {
                answers.addAll(readStates);
            }

            @Override
            public void stopped(Throwable cause) {
                Throwable earlier = stopped.putIfAbsent(replica, cause);
                if (earlier != null) {
                    throw new AssertionError(replica + " was stopped twice: " + earlier + ", then " + cause);
                }
            }
        };
    }

    /** From now on, loop {@code loop} of node {@code nodeId} takes no turns, as if stuck in a blocking call. */
    void stall(int nodeId, int loop) {
        stalled.put(nodeId, loop);
    }

    /** Lets a stalled loop turn again. */
    void unstall(int nodeId) {
        stalled.remove(nodeId);
    }

    /** One turn of each loop of node {@code nodeId} but a stalled one; returns the work done. */
    private int turn(int nodeId) {
        RaftDriver driver = drivers.get(nodeId);
        Integer stuck = stalled.get(nodeId);
        if (stuck == null) {
            return driver.doWork();
        }
        int work = 0;
        for (int i = 0; i < loops; i++) {
            if (i != stuck) {
                work += driver.loop(i).doWork();
            }
        }
        return work;
    }

    /** Steps every driver until a whole round does nothing; returns the rounds taken. */
    int runUntilIdle() {
        for (int round = 1; round <= 10_000; round++) {
            int work = 0;
            for (int nodeId : drivers.keySet()) {
                work += turn(nodeId);
            }
            if (work == 0) {
                return round;
            }
        }
        throw new AssertionError("the drivers never went idle");
    }

    /** Advances the clock by one tick without running anything. */
    void advanceClock() {
        now += TICK;
    }

    /** Advances the clock one tick at a time, running the drivers until idle after each. */
    void tick(int ticks) {
        for (int i = 0; i < ticks; i++) {
            advanceClock();
            runUntilIdle();
        }
    }

    /** Ticks until {@code done} holds, at most {@code maxTicks}; returns the ticks taken. */
    int tickUntil(java.util.function.BooleanSupplier done, int maxTicks) {
        int ticks = 0;
        while (!done.getAsBoolean() && ticks < maxTicks) {
            tick(1);
            ticks++;
        }
        return ticks;
    }

    /** Runs {@code query} on a node's member of a group, on its loop, and returns the answer. */
    <T> T query(int nodeId, long groupId, Function<RaftNode, T> query) {
        CompletableFuture<T> answer = drivers.get(nodeId).call(groupId, query);
        runUntilIdle();
        return answer.join();
    }

    /** The node that leads {@code groupId} among {@code nodes}, or -1; fails if two do in one term. */
    int leaderOf(long groupId, int... nodes) {
        int leader = -1;
        long leaderTerm = -1;
        for (int id : nodes) {
            long[] roleTerm = query(id, groupId, n -> new long[] {n.role() == Role.LEADER ? 1 : 0, n.term()});
            if (roleTerm[0] == 1 && roleTerm[1] >= leaderTerm) {
                if (roleTerm[1] == leaderTerm) {
                    throw new AssertionError("nodes " + leader + " and " + id + " both lead group " + groupId);
                }
                leader = id;
                leaderTerm = roleTerm[1];
            }
        }
        return leader;
    }

    int leaderOf(long groupId) {
        return leaderOf(groupId, drivers.keySet().stream().mapToInt(Integer::intValue).toArray());
    }

    /** Proposes {@code value} to the group's member on {@code nodeId} (its leader) without running the drivers. */
    CompletableFuture<Entry> propose(int nodeId, long groupId, String value) {
        return drivers.get(nodeId).call(groupId, n -> n.propose(ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8)), 1));
    }

    /** What a replica's applier was told of its group's leadership, in order. */
    List<Leadership> toldLeadership(int nodeId, long groupId) {
        return told.get(new Replica(nodeId, groupId));
    }

    record Leadership(MemberId leader, long term) {
    }

    /** The data values a replica applied, in order. */
    List<String> appliedValues(int nodeId, long groupId) {
        List<String> out = new ArrayList<>();
        for (Entry e : applied.get(new Replica(nodeId, groupId))) {
            if (e.type() == Entry.Type.DATA) {
                out.add(StandardCharsets.UTF_8.decode(e.payload().duplicate()).toString());
            }
        }
        return out;
    }

    List<Entry> applied(int nodeId, long groupId) {
        return applied.get(new Replica(nodeId, groupId));
    }

    List<Snapshot> restored(int nodeId, long groupId) {
        return restored.get(new Replica(nodeId, groupId));
    }

    List<ReadState> reads(int nodeId, long groupId) {
        return reads.get(new Replica(nodeId, groupId));
    }

    /** Why the driver stopped a replica (added with {@link #recorder}), or null while it runs. */
    Throwable stopped(int nodeId, long groupId) {
        return stopped.get(new Replica(nodeId, groupId));
    }

    /**
     * A replica's in-memory log (added by {@link #addGroup} or {@link #addGroupHoldingWrites});
     * touch it only through {@link #query}, on its loop, or while the cluster is not running.
     */
    MemoryStorage storage(int nodeId, long groupId) {
        return storages.get(new Replica(nodeId, groupId));
    }

    int awakeGroups(int nodeId) {
        return drivers.get(nodeId).stats().awakeGroups();
    }

    /** Replicas awake on all nodes together: 0 when the whole cluster is quiet. */
    int awakeGroups() {
        int awake = 0;
        for (RaftDriver driver : drivers.values()) {
            awake += driver.stats().awakeGroups();
        }
        return awake;
    }

    /** Ticks until every replica on every node is quiet (every group led and settled); fails after {@code maxTicks}. */
    void tickUntilQuiet(int maxTicks) {
        tickUntil(() -> awakeGroups() == 0, maxTicks);
        if (awakeGroups() != 0) {
            throw new AssertionError(awakeGroups() + " replicas still awake after " + maxTicks + " ticks");
        }
    }

    /** Three nodes hosting groups 1..groups, ticked until every group is led and quiet. */
    static SteppedCluster settled(DriverConfig config, int groups) {
        SteppedCluster c = new SteppedCluster(3, config);
        for (long g = 1; g <= groups; g++) {
            c.addGroup(g);
        }
        c.tickUntilQuiet(20 * ELECTION_TICKS);
        return c;
    }

    /** The membership every group of this cluster starts with: all its nodes as voters. */
    Membership membership() {
        return membership;
    }

    long totalTicks() {
        return drivers.values().stream().mapToLong(d -> d.stats().ticks()).sum();
    }
}
