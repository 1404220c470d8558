package io.flotilla.broker.transport;

import io.flotilla.raft.Entry;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.Membership;
import io.flotilla.raft.MemoryStorage;
import io.flotilla.raft.RaftNode;
import io.flotilla.raft.Role;
import io.flotilla.raft.driver.Applier;
import io.flotilla.raft.driver.DriverConfig;
import io.flotilla.raft.driver.MemoryPersistence;
import io.flotilla.raft.driver.RaftDriver;
import io.grpc.Server;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Three Raft drivers on their own threads, joined by real gRPC servers and transports on
 * loopback: elections, replication, and a node whose server goes away and comes back on its port.
 */
class GrpcClusterTest {
    private static final int GROUPS = 4;
    private static final int PER_GROUP = 250;
    private static final TransportConfig CONFIG = TransportConfig.DEFAULTS.withBackoff(Duration.ofMillis(20),
            Duration.ofMillis(300));

    /** One node: its driver, transport, service and server, and what each of its replicas applied. */
    private static final class Node {
        final MemberId self;
        final GrpcTransport transport;
        final RaftDriver driver;
        final RaftTransportService service;
        final Map<Long, AppliedLog> applied = new HashMap<>();
        Server server;

        Node(int id, Map<Integer, String> addresses) {
            self = new MemberId(id, 0xF1070000L + id);
            transport = new GrpcTransport(self, CONFIG, addresses::get);
            driver = new RaftDriver(self, DriverConfig.DEFAULTS.withLoops(2), transport, System::nanoTime);
            service = new RaftTransportService(self, () -> "test", driver::receive);
        }
    }

    /** The data values one replica applied, in order; NOOPs (a won election) release the group's semaphore. */
    private static final class AppliedLog implements Applier {
        private final List<String> values = new ArrayList<>();
        private final Semaphore elections;

        AppliedLog(Semaphore elections) {
            this.elections = elections;
        }

        @Override
        public synchronized void apply(List<Entry> committed) {
            for (Entry e : committed) {
                if (e.type() == Entry.Type.NOOP) {
                    elections.release();
                } else if (e.type() == Entry.Type.DATA) {
                    values.add(StandardCharsets.UTF_8.decode(e.payload().duplicate()).toString());
                }
            }
            notifyAll();
        }

        synchronized List<String> values() {
            return List.copyOf(values);
        }

        /** Waits until the values applied so far pass {@code test}; false if they do not in time. */
        synchronized boolean await(Predicate<List<String>> test, long timeoutMillis) throws InterruptedException {
            long deadline = System.currentTimeMillis() + timeoutMillis;
            while (!test.test(values)) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return false;
                }
                wait(left);
            }
            return true;
        }
    }

    @Test
    void threeNodesOverGrpcCommitAThousandProposalsAndANodeWhoseServerRestartedCatchesUp() throws Exception {
        Map<Integer, String> addresses = new ConcurrentHashMap<>();
        Map<Long, Semaphore> elections = new ConcurrentHashMap<>();
        List<Node> nodes = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            nodes.add(new Node(id, addresses));
        }
        try {
            for (Node n : nodes) {
                n.server = Servers.start(0, n.service);
                addresses.put(n.self.nodeId(), Servers.target(n.server));
                n.driver.start();
            }
            Membership membership = Membership.ofVoters(nodes.get(0).self, nodes.get(1).self, nodes.get(2).self);
            for (long g = 1; g <= GROUPS; g++) {
                Semaphore won = elections.computeIfAbsent(g, x -> new Semaphore(0));
                for (Node n : nodes) {
                    AppliedLog log = new AppliedLog(won);
                    n.applied.put(g, log);
                    MemoryStorage storage = new MemoryStorage(membership);
                    n.driver.addGroup(g, storage, new MemoryPersistence(storage), log).get(10, TimeUnit.SECONDS);
                }
            }

            for (long g = 1; g <= GROUPS; g++) {
                proposeUntilApplied(g, values("a", g, PER_GROUP), nodes, elections.get(g));
            }
            for (long g = 1; g <= GROUPS; g++) {
                assertEquals(nodes.get(0).applied.get(g).values(), nodes.get(2).applied.get(g).values());
                assertEquals(nodes.get(0).applied.get(g).values(), nodes.get(1).applied.get(g).values());
            }

            // Node 3 stops hearing anyone (it still talks), so the others carry on without it.
            Node third = nodes.get(2);
            int port = third.server.getPort();
            Servers.stop(third.server);
            for (long g = 1; g <= GROUPS; g++) {
                proposeUntilApplied(g, values("b", g, 50), nodes.subList(0, 2), elections.get(g));
            }

            third.server = Servers.start(port, third.service);
            for (long g = 1; g <= GROUPS; g++) {
                List<String> log = nodes.get(0).applied.get(g).values();
                assertTrue(log.containsAll(values("a", g, PER_GROUP)) && log.containsAll(values("b", g, 50)));
                assertEquals(log, nodes.get(1).applied.get(g).values(), "group " + g);
                assertTrue(third.applied.get(g).await(log::equals, Await.TIMEOUT.toMillis()),
                        "node 3 caught up in group " + g + ": " + third.applied.get(g).values().size() + " of "
                                + log.size() + " values");
            }
            for (Node n : nodes.subList(0, 2)) {
                assertTrue(n.transport.stats().reconnects() >= 1, "node " + n.self + " reconnected to node 3: "
                        + n.transport.stats());
            }
        } finally {
            for (Node n : nodes) {
                n.driver.close();
            }
            for (Node n : nodes) {
                n.transport.close();
            }
            for (Node n : nodes) {
                Servers.stop(n.server);
            }
        }
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("flotilla-raft-") && t.isAlive()), "every thread stopped");
    }

    private static List<String> values(String prefix, long group, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + group + "-" + i).toList();
    }

    /**
     * Proposes {@code values} at whichever of {@code acceptors} leads the group, until every
     * acceptor applied them all; waits for an election while none leads. A leader may lose its
     * leadership before committing: then the values are proposed again at the next one.
     */
    private static void proposeUntilApplied(long group, List<String> values, List<Node> acceptors, Semaphore elections)
            throws Exception {
        long deadline = System.nanoTime() + Await.TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            elections.drainPermits(); // only an election ending from now on is news
            boolean proposed = false;
            for (Node n : acceptors) {
                if (n.driver.call(group, node -> proposeIfLeader(node, values)).get(10, TimeUnit.SECONDS)) {
                    proposed = true;
                    break;
                }
            }
            if (!proposed) {
                elections.tryAcquire(1, TimeUnit.SECONDS);
            } else if (appliedEverywhere(group, values, acceptors)) {
                return;
            }
        }
        fail("group " + group + " did not apply " + values.size() + " values on nodes " + acceptors.stream()
                .map(n -> n.self.nodeId()).toList());
    }

    private static boolean appliedEverywhere(long group, List<String> values, List<Node> acceptors)
            throws InterruptedException {
        for (Node n : acceptors) {
            if (!n.applied.get(group).await(applied -> applied.containsAll(values), 5_000)) {
                return false;
            }
        }
        return true;
    }

    private static boolean proposeIfLeader(RaftNode node, List<String> values) {
        if (node.role() != Role.LEADER) {
            return false;
        }
        for (String v : values) {
            node.propose(ByteBuffer.wrap(v.getBytes(StandardCharsets.UTF_8)), 1);
        }
        return true;
    }
}
