package io.flotilla.raft.driver;

import io.flotilla.raft.Entry;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.Membership;
import io.flotilla.raft.MemoryStorage;
import io.flotilla.raft.RaftNode;
import io.flotilla.raft.Role;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static io.flotilla.raft.driver.SteppedCluster.member;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The driver on its own loop threads and the real clock; the test only waits on latches, with timeouts. */
class RaftDriverThreadsTest {
    private static final int GROUPS = 30;
    private static final int VALUES = 10;

    @Test
    void threeNodesOnLoopThreadsElectCommitAndApplyEveryProposalInOrder() throws Exception {
        LocalNetwork network = new LocalNetwork();
        Membership membership = Membership.ofVoters(member(1), member(2), member(3));
        Map<String, List<String>> applied = new ConcurrentHashMap<>();
        Map<Long, Semaphore> noopsApplied = new ConcurrentHashMap<>();
        CountDownLatch everyReplicaDone = new CountDownLatch(GROUPS * 3);
        List<RaftDriver> drivers = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            RaftDriver driver = new RaftDriver(member(id), DriverConfig.DEFAULTS.withLoops(2), network.endpoint(id),
                    System::nanoTime);
            network.attach(driver);
            drivers.add(driver);
        }
        try {
            drivers.forEach(RaftDriver::start);
            for (long g = 1; g <= GROUPS; g++) {
                Semaphore noops = noopsApplied.computeIfAbsent(g, x -> new Semaphore(0));
                for (RaftDriver driver : drivers) {
                    List<String> values = applied.computeIfAbsent(driver.self().nodeId() + "/" + g,
                            x -> new CopyOnWriteArrayList<>());
                    MemoryStorage storage = new MemoryStorage(membership);
                    driver.addGroup(g, storage, new MemoryPersistence(storage), committed -> {
                        for (Entry e : committed) {
                            if (e.type() == Entry.Type.NOOP) {
                                noops.release();
                            } else if (e.type() == Entry.Type.DATA) {
                                values.add(StandardCharsets.UTF_8.decode(e.payload().duplicate()).toString());
                                if (values.size() == VALUES) {
                                    everyReplicaDone.countDown();
                                }
                            }
                        }
                    }).get(10, TimeUnit.SECONDS);
                }
            }
            for (long g = 1; g <= GROUPS; g++) {
                proposeAtTheLeader(drivers, g, noopsApplied.get(g));
            }
            assertTrue(everyReplicaDone.await(30, TimeUnit.SECONDS), everyReplicaDone.getCount() + " replicas unfinished");
            for (long g = 1; g <= GROUPS; g++) {
                long group = g;
                List<String> expected = IntStream.range(0, VALUES).mapToObj(i -> group + "-" + i).toList();
                for (int id = 1; id <= 3; id++) {
                    assertEquals(expected, applied.get(id + "/" + g), "node " + id + " group " + g);
                }
            }
        } finally {
            for (RaftDriver driver : drivers) {
                driver.close();
            }
        }
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("flotilla-raft-") && t.isAlive()), "close() stopped every loop thread");
    }

    @Test
    void aCommandAfterCloseIsRefusedInsteadOfWaitingForAStoppedLoop() throws Exception {
        RaftDriver driver = new RaftDriver(member(1), DriverConfig.DEFAULTS.withLoops(1), (to, batch) -> { },
                System::nanoTime);
        driver.start();
        driver.close();
        CompletableFuture<Role> late = driver.call(1, RaftNode::role);
        assertTrue(late.isCompletedExceptionally(), "refused at once");
        assertInstanceOf(IllegalStateException.class,
                assertThrows(ExecutionException.class, () -> late.get(10, TimeUnit.SECONDS)).getCause());
    }

    /**
     * Proposes the group's values in one action on whichever member leads; if none does yet,
     * waits for the next no-op to be applied (an election ended) and looks again.
     */
    private static void proposeAtTheLeader(List<RaftDriver> drivers, long groupId, Semaphore noops) throws Exception {
        for (int attempt = 0; attempt < 20; attempt++) {
            for (RaftDriver driver : drivers) {
                boolean proposed = driver.call(groupId, node -> proposeAllIfLeader(node, groupId)).get(10, TimeUnit.SECONDS);
                if (proposed) {
                    return;
                }
            }
            assertTrue(noops.tryAcquire(10, TimeUnit.SECONDS), "no election ended in group " + groupId);
        }
        fail("no leader accepted group " + groupId + "'s proposals");
    }

    private static boolean proposeAllIfLeader(RaftNode node, long groupId) {
        if (node.role() != Role.LEADER) {
            return false;
        }
        for (int i = 0; i < VALUES; i++) {
            node.propose(ByteBuffer.wrap((groupId + "-" + i).getBytes(StandardCharsets.UTF_8)), 1);
        }
        return true;
    }
}
