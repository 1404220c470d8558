package io.flotilla.broker.storage;

import io.flotilla.log.LogConfig;
import io.flotilla.raft.Entry;
import io.flotilla.raft.Membership;
import io.flotilla.raft.NotLeaderException;
import io.flotilla.raft.RaftNode;
import io.flotilla.raft.Role;
import io.flotilla.raft.driver.DriverConfig;
import io.flotilla.raft.driver.LocalNetwork;
import io.flotilla.raft.driver.RaftDriver;
import io.flotilla.store.NodeStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static io.flotilla.broker.storage.TestEntries.member;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Three nodes run one data partition's group on real drivers (loop threads, the real clock)
 * over {@link LocalNetwork}, each with {@link LogStorage} and {@link LogPersistence} on its own
 * node store: they elect, commit 2,000 data entries, shut down, and start again from disk.
 */
class LogStorageClusterTest {
    private static final long GROUP = 11;
    private static final int ENTRIES = 2_000;
    private static final int PER_CALL = 100;
    private static final Membership VOTERS = Membership.ofVoters(member(1), member(2), member(3));

    @TempDir(factory = ScratchDirs.class)
    Path dir;

    /** One node: its node store, storage services, the group's storage, and what its applier applied. */
    private final class Node implements AutoCloseable {
        final int id;
        final NodeStore store;
        final NodeStorage storage;
        LogStorage group;
        RaftDriver driver;
        final List<Entry> applied = new ArrayList<>();
        final Semaphore appliedEntries = new Semaphore(0);

        Node(int id) {
            this.id = id;
            this.store = NodeStore.open(dir.resolve("node-" + id).resolve("store"));
            this.storage = new NodeStorage(store, StorageConfig.DEFAULTS);
        }

        /** Opens the group from disk and hosts it on a fresh driver joined to {@code network}. */
        void start(LocalNetwork network) throws Exception {
            group = LogStorage.open(GROUP, dir.resolve("node-" + id).resolve("group-" + GROUP), LogConfig.DEFAULTS,
                    storage, VOTERS, true, System::currentTimeMillis);
            driver = new RaftDriver(member(id), DriverConfig.DEFAULTS.withLoops(1), network.endpoint(id),
                    System::nanoTime);
            network.attach(driver);
            driver.start();
            synchronized (applied) {
                applied.clear();
            }
            driver.addGroup(GROUP, group, new LogPersistence(group), committed -> {
                synchronized (applied) {
                    for (Entry e : committed) {
                        applied.add(copy(e));
                    }
                }
                appliedEntries.release(committed.size());
            }).get(10, TimeUnit.SECONDS);
        }

        /** Removes the group (its write in flight lands first), stops the driver, closes the storage. */
        void stop() throws Exception {
            driver.removeGroup(GROUP).get(10, TimeUnit.SECONDS);
            driver.close();
            group.close();
        }

        List<Entry> appliedSoFar() {
            synchronized (applied) {
                return List.copyOf(applied);
            }
        }

        @Override
        public void close() throws Exception {
            try {
                if (driver != null) {
                    driver.close();
                }
                if (group != null) {
                    group.close();
                }
            } finally {
                storage.close();
                store.close();
            }
        }
    }

    @Test
    void threeNodesCommitTwoThousandBatchesAndReadThemBackAfterARestartWithANewLeader() throws Exception {
        List<Node> nodes = new ArrayList<>();
        try {
            for (int id = 1; id <= 3; id++) {
                nodes.add(new Node(id));
            }
            LocalNetwork network = new LocalNetwork();
            for (Node node : nodes) {
                node.start(network);
            }
            proposeAtTheLeader(nodes);
            for (Node node : nodes) {
                awaitData(node, ENTRIES);
            }
            List<Entry> committed = dataOf(nodes.get(0).appliedSoFar());
            assertEquals(ENTRIES, committed.size());
            for (Node node : nodes) {
                assertEquals(committed, dataOf(node.appliedSoFar()), "node " + node.id + " applied the same batches");
            }
            long termBefore = lastTerm(nodes.get(0).appliedSoFar());

            for (Node node : nodes) {
                node.stop();
            }
            LocalNetwork restarted = new LocalNetwork();
            for (Node node : nodes) {
                node.start(restarted);
            }
            for (Node node : nodes) {
                awaitNoopAfter(node, termBefore);
            }
            assertTrue(hasLeader(nodes), "a leader serves the restarted group");
            for (Node node : nodes) {
                List<Entry> stored = dataOf(node.group.entries(node.group.startOffset(), Long.MAX_VALUE, Long.MAX_VALUE));
                assertEquals(committed, stored.subList(0, Math.min(stored.size(), ENTRIES)),
                        "node " + node.id + " reads every committed batch at its offset, byte for byte");
                assertEquals(committed, dataOf(node.appliedSoFar()).subList(0, ENTRIES),
                        "node " + node.id + " applied them again from its log after the restart");
            }
        } finally {
            for (Node node : nodes) {
                node.close();
            }
        }
    }

    /** Proposes every entry at whichever node leads; while none does, waits for an election to commit its no-op. */
    private static void proposeAtTheLeader(List<Node> nodes) throws Exception {
        int proposed = 0;
        for (int attempt = 0; attempt < 50 && proposed < ENTRIES; attempt++) {
            for (Node node : nodes) {
                while (proposed < ENTRIES) {
                    int first = proposed;
                    try {
                        node.driver.call(GROUP, raft -> proposeFrom(raft, first)).get(10, TimeUnit.SECONDS);
                    } catch (ExecutionException e) {
                        if (!(e.getCause() instanceof NotLeaderException)) {
                            throw e;
                        }
                        break;
                    }
                    proposed += PER_CALL;
                }
            }
            if (proposed < ENTRIES) {
                assertTrue(nodes.get(0).appliedEntries.tryAcquire(10, TimeUnit.SECONDS), "no election ended");
            }
        }
        assertEquals(ENTRIES, proposed, "no leader took the proposals");
    }

    private static Void proposeFrom(RaftNode raft, int first) {
        for (int i = first; i < first + PER_CALL; i++) {
            List<String> values = new ArrayList<>();
            for (int r = 0; r <= i % 3; r++) {
                values.add("entry-" + i + "-record-" + r);
            }
            raft.propose(TestEntries.batch(0, 0, values), values.size());
        }
        return null;
    }

    private static void awaitData(Node node, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (dataOf(node.appliedSoFar()).size() < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !node.appliedEntries.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                fail("node " + node.id + " applied " + dataOf(node.appliedSoFar()).size() + " of " + count + " batches");
            }
        }
    }

    /** Waits until {@code node} applied a no-op of a term after {@code term}: a new leader committed its first entry. */
    private static void awaitNoopAfter(Node node, long term) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (node.appliedSoFar().stream().noneMatch(e -> e.type() == Entry.Type.NOOP && e.term() > term)) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !node.appliedEntries.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                fail("node " + node.id + " applied no entry of a leader elected after the restart");
            }
        }
    }

    private static boolean hasLeader(List<Node> nodes) throws Exception {
        for (Node node : nodes) {
            if (node.driver.call(GROUP, RaftNode::role).get(10, TimeUnit.SECONDS) == Role.LEADER) {
                return true;
            }
        }
        return false;
    }

    private static long lastTerm(List<Entry> entries) {
        return entries.get(entries.size() - 1).term();
    }

    private static List<Entry> dataOf(List<Entry> entries) {
        return entries.stream().filter(e -> e.type() == Entry.Type.DATA).toList();
    }

    /** The applier's payloads are views of the storage's read buffers: keep a copy. */
    private static Entry copy(Entry e) {
        ByteBuffer bytes = ByteBuffer.allocate(e.sizeInBytes()).put(e.payload().duplicate()).flip();
        return new Entry(e.baseOffset(), e.count(), e.term(), e.type(), bytes);
    }
}
