package io.flotilla.jepsen.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Real namespaces and firewall rules: a partition cuts exactly the links it names, healing
 * restores them, and closing leaves nothing behind. Needs root, {@code ip} and {@code iptables}
 * (.ci/run installs iptables); without them it fails saying what is missing.
 */
class NodeNetworkTest {

    @Test
    void anIsolatedNodeReachesNoPeerWhileTheOthersStillReachEachOtherUntilHealed() {
        String namespaces;
        String name;
        try (NodeNetwork network = NodeNetwork.create(3)) {
            name = network.name();
            namespaces = Commands.check("ip", "netns", "list");
            assertTrue(network.reaches(1, 2) && network.reaches(2, 3) && network.reaches(3, 1), "all linked at first");

            network.apply(Partition.isolate(1, 3));
            assertFalse(network.reaches(1, 2), "1 is cut off from 2");
            assertFalse(network.reaches(3, 1), "3 is cut off from 1");
            assertTrue(network.reaches(2, 3), "2 and 3 still talk");

            network.apply(Partition.halves(List.of(3, 1, 2)));
            assertTrue(network.reaches(1, 2), "a new partition replaces the old one");
            assertFalse(network.reaches(2, 3), "3 is the minority half now");

            network.heal();
            assertTrue(network.reaches(3, 1) && network.reaches(2, 3), "healed");
        }
        assertTrue(namespaces.contains(name + "-3"), namespaces);
        assertFalse(Commands.check("ip", "netns", "list").contains(name + "-"), "namespaces removed");
        assertEquals("", Commands.run(List.of("ip", "link", "show", name), null).ok() ? "bridge left" : "");
    }

    @Test
    void aVethLeftWithoutItsBridgeByAnEarlierRunIsRemovedAndCannotCollide() {
        // What a run leaves when something still holds its namespace as it closes: the host end
        // of a veth whose bridge is gone (CI once failed on such a leftover with a reused pid).
        String orphan = "fj" + Long.toHexString(System.nanoTime() & 0xffffffL) + "v1";
        Commands.check("ip", "link", "add", orphan, "type", "veth", "peer", "name", orphan.replace('v', 'p'));
        try (NodeNetwork network = NodeNetwork.create(1)) {
            assertFalse(Commands.run(List.of("ip", "link", "show", orphan), null).ok(), orphan + " removed");
            assertTrue(network.reaches(1, 1), "the new network works");
        } finally {
            Commands.run(List.of("ip", "link", "del", orphan), null);
        }
    }
}
