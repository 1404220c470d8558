package io.flotilla.jepsen.sim;

import io.flotilla.raft.RaftMessage;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static io.flotilla.jepsen.sim.Fixtures.member;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimNetworkTest {
    private final Scheduler scheduler = new Scheduler();
    private final SimNetwork net = new SimNetwork(5, new Range(1, 20), scheduler, new SplittableRandom(7));

    /** Row a, column b: 'x' if a reaches b, '.' if not. */
    private String matrix() {
        StringBuilder sb = new StringBuilder();
        for (int a = 0; a < 5; a++) {
            for (int b = 0; b < 5; b++) {
                sb.append(a == b ? '-' : net.canReach(a, b) ? 'x' : '.');
            }
            sb.append(a < 4 ? "/" : "");
        }
        return sb.toString();
    }

    @Test
    void symmetricSplitCutsBothWays() {
        net.split(List.of(0, 1));
        assertEquals("-x.../x-.../..-xx/..x-x/..xx-", matrix());
    }

    @Test
    void isolationCutsOneNodeOff() {
        net.isolate(2);
        assertEquals("-x.xx/x-.xx/..-../xx.-x/xx.x-", matrix());
    }

    @Test
    void oneWayCutsOnlyTheSidesOutgoingLinks() {
        net.oneWay(List.of(0));
        assertEquals("-..../x-xxx/xx-xx/xxx-x/xxxx-", matrix());
        net.oneWay(List.of(3, 4));
        assertEquals("-xxxx/x-xxx/xx-xx/...-x/...x-", matrix());
    }

    @Test
    void bridgeConnectsTwoHalvesOnlyThroughOneNode() {
        net.bridge(2, List.of(0, 1));
        assertEquals("-xx../x-x../xx-xx/..x-x/..xx-", matrix());
        assertThrows(IllegalArgumentException.class, () -> net.bridge(1, List.of(0, 1)));
    }

    @Test
    void aPartitionReplacesThePreviousOneAndHealRestoresAll() {
        net.split(List.of(0, 1));
        net.isolate(4);
        assertEquals("-xxx./x-xx./xx-x./xxx-./....-", matrix());
        net.heal();
        assertEquals("-xxxx/x-xxx/xx-xx/xxx-x/xxxx-", matrix());
    }

    @Test
    void cutMessagesAreLostAndOthersArriveWithinTheDelayRange() {
        net.split(List.of(0));
        assertEquals("cut", net.send(heartbeat(0, 1)));
        assertEquals("", net.send(heartbeat(1, 2)));
        assertEquals(1, scheduler.pending());
        Scheduler.Scheduled delivery = scheduler.next();
        assertTrue(delivery.time() >= 1 && delivery.time() <= 20, "delay " + delivery.time());
        assertEquals(1, net.lostToPartitions());
    }

    @Test
    void lossAndDuplicationFollowTheirRates() {
        net.setDropRate(1.0);
        assertEquals("lost", net.send(heartbeat(0, 1)));
        net.setDropRate(0);
        net.setDuplicateRate(1.0);
        assertEquals("dup", net.send(heartbeat(0, 1)));
        assertEquals(2, scheduler.pending());
        net.healAll();
        assertEquals("", net.send(heartbeat(0, 1)));
    }

    @Test
    void slowNetworkDelaysChangeUntilHealed() {
        net.setDelay(new Range(100, 100));
        net.send(heartbeat(0, 1));
        assertEquals(100, scheduler.next().time());
        net.healAll();
        net.send(heartbeat(0, 1));
        assertTrue(scheduler.next().time() <= 120);
    }

    private static RaftMessage heartbeat(int from, int to) {
        return new RaftMessage.AppendRequest(1, member(from), member(to), 1, 0, 0, List.of(), 0, 0);
    }
}
