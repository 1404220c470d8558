package io.flotilla.raft;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A few members in one test, driven message by message: no threads, no sleeps. Readies are
 * persisted at once; messages wait in a queue until the test delivers them, so a test can
 * drop, inspect or rewrite any of them.
 */
final class TestCluster {
    static final long GROUP = 7;

    final Map<MemberId, RaftNode> nodes = new HashMap<>();
    final Map<MemberId, MemoryStorage> storages = new HashMap<>();
    final Map<MemberId, List<Entry>> applied = new HashMap<>();
    /** Per member, the snapshots it installed, in order: its state machine was restored from each. */
    final Map<MemberId, List<Snapshot>> installed = new HashMap<>();
    final Map<MemberId, List<ReadState>> reads = new HashMap<>();
    final ArrayDeque<RaftMessage> inFlight = new ArrayDeque<>();
    final Set<MemberId> isolated = new HashSet<>();
    private final RaftConfig config;
    /** Per member, the extra ticks added to its election timeout: tests choose who times out first. */
    private final Map<MemberId, Integer> timeoutExtra = new HashMap<>();

    TestCluster(int voters, RaftConfig config) {
        this.config = config;
        MemberId[] ids = new MemberId[voters];
        for (int i = 0; i < voters; i++) {
            ids[i] = member(i + 1);
        }
        Membership membership = Membership.ofVoters(ids);
        for (MemberId id : ids) {
            add(id, new MemoryStorage(membership));
        }
    }

    static MemberId member(int nodeId) {
        return new MemberId(nodeId, 100 + nodeId);
    }

    void add(MemberId id, MemoryStorage storage) {
        storages.put(id, storage);
        applied.put(id, new ArrayList<>());
        installed.put(id, new ArrayList<>());
        reads.put(id, new ArrayList<>());
        timeoutExtra.put(id, Math.min(id.nodeId() - 1, config.electionTimeoutTicks() - 1)); // node 1 times out first
        nodes.put(id, newNode(id));
    }

    private RaftNode newNode(MemberId id) {
        RandomGenerator fixed = new RandomGenerator() {
            @Override
            public long nextLong() {
                return 0;
            }

            @Override
            public int nextInt(int bound) {
                return Math.min(timeoutExtra.get(id), bound - 1);
            }
        };
        return new RaftNode(GROUP, id, config, storages.get(id), fixed);
    }

    RaftNode node(int nodeId) {
        return nodes.get(member(nodeId));
    }

    /** Handles every pending Ready of every node: persist, then queue its messages. */
    void process() {
        boolean progressed = true;
        while (progressed) {
            progressed = false;
            for (Map.Entry<MemberId, RaftNode> e : nodes.entrySet()) {
                RaftNode node = e.getValue();
                while (node.hasReady()) {
                    Ready ready = node.ready();
                    inFlight.addAll(ready.sendNow());
                    storages.get(e.getKey()).persist(ready);
                    inFlight.addAll(ready.sendAfterPersist());
                    if (ready.installsSnapshot()) {
                        installed.get(e.getKey()).add(ready.snapshotChunk().snapshot());
                        applied.get(e.getKey()).clear(); // the state machine is the snapshot's now
                    }
                    applied.get(e.getKey()).addAll(ready.committed());
                    reads.get(e.getKey()).addAll(ready.readStates());
                    node.advance(ready);
                    progressed = true;
                }
            }
        }
    }

    /** Delivers queued messages (and those they cause) until none are left; isolated members send and receive nothing. */
    void deliverAll() {
        deliverWhile(m -> true);
    }

    /** Delivers queued messages that pass {@code filter}; the rest are dropped. */
    void deliverWhile(Predicate<RaftMessage> filter) {
        process();
        while (!inFlight.isEmpty()) {
            RaftMessage m = inFlight.poll();
            if (filter.test(m) && !isolated.contains(m.from()) && !isolated.contains(m.to()) && nodes.containsKey(m.to())) {
                nodes.get(m.to()).step(m);
            }
            process();
        }
    }

    /** Ticks one node until its role changes away from {@code from}, delivering messages after each tick. */
    void tickUntilNotRole(RaftNode node, Role from, int maxTicks) {
        for (int i = 0; i < maxTicks && node.role() == from; i++) {
            node.tick();
            deliverAll();
        }
    }

    /** Ticks every node once and delivers. */
    void tickAll() {
        for (RaftNode node : nodes.values()) {
            node.tick();
        }
        deliverAll();
    }

    /**
     * Elects {@code nodeId}: it gets the shortest election timeout, everyone's clock runs, and it
     * times out first (the others' leases on the old leader expire on the way).
     */
    RaftNode elect(int nodeId) {
        for (MemberId id : nodes.keySet()) {
            timeoutExtra.put(id, id.equals(member(nodeId)) ? 0 : config.electionTimeoutTicks() - 1);
        }
        RaftNode node = node(nodeId);
        for (int i = 0; i < 100 && node.role() != Role.LEADER; i++) {
            tickAll();
        }
        if (node.role() != Role.LEADER) {
            throw new AssertionError(node + " did not become leader");
        }
        return node;
    }

    Entry propose(RaftNode leader, String value) {
        Entry e = leader.propose(ByteBuffer.wrap(value.getBytes()), 1);
        deliverAll();
        return e;
    }

    /**
     * Node 1 leads and commits "shared", then is cut off and appends {@code lost} entries
     * ("lost0"...) nobody else gets, while nodes 2 and 3 elect node 2, which commits {@code kept}
     * entries ("kept0"...). Node 1 stays isolated; returns node 2.
     */
    RaftNode divergeFromIsolatedOldLeader(int lost, int kept) {
        RaftNode oldLeader = elect(1);
        propose(oldLeader, "shared");
        isolated.add(member(1));
        for (int i = 0; i < lost; i++) {
            oldLeader.propose(ByteBuffer.wrap(("lost" + i).getBytes()), 1);
        }
        deliverAll();
        RaftNode newLeader = elect(2);
        for (int i = 0; i < kept; i++) {
            propose(newLeader, "kept" + i);
        }
        return newLeader;
    }

    /** Node 3 misses ten entries, which node 1 (leading) then compacts into a snapshot of {@code state}; all connected again. */
    static TestCluster laggingFollowerAndCompactedLeader(RaftConfig config, byte[] state) {
        TestCluster c = new TestCluster(3, config);
        RaftNode leader = c.elect(1);
        c.isolated.add(member(3));
        for (int i = 0; i < 10; i++) {
            c.propose(leader, "v" + i);
        }
        c.storages.get(member(1)).compact(leader.commitEnd(), state);
        c.isolated.clear();
        return c;
    }

    static String valueOf(Entry e) {
        byte[] bytes = new byte[e.payload().remaining()];
        e.payload().duplicate().get(bytes);
        return new String(bytes);
    }

    /** The data values a member applied, in order. */
    List<String> appliedValues(int nodeId) {
        List<String> out = new ArrayList<>();
        for (Entry e : applied.get(member(nodeId))) {
            if (e.type() == Entry.Type.DATA) {
                out.add(valueOf(e));
            }
        }
        return out;
    }

    /** Restarts a member from its storage: its volatile state is gone. */
    void restart(int nodeId) {
        MemberId id = member(nodeId);
        nodes.put(id, newNode(id));
        applied.put(id, new ArrayList<>());
    }
}
