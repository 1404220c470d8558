package io.flotilla.jepsen.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The links each partition kind cuts. */
class PartitionTest {

    @Test
    void isolatingANodeCutsItsLinksBothWaysAndNoOther() {
        Partition p = Partition.isolate(2, 3);
        assertEquals(List.of(2), p.targets());
        assertEquals(Set.of(link(2, 1), link(1, 2), link(2, 3), link(3, 2)), p.cut());
        assertEquals(Set.of(1, 3), p.droppedAt(2));
        assertEquals(Set.of(2), p.droppedAt(1));
    }

    @Test
    void halvesCutTheFirstHalfOfTheOrderFromTheRest() {
        Partition p = Partition.halves(List.of(4, 1, 5, 2, 3));
        assertEquals(List.of(1, 4), p.targets(), "the minority side, sorted");
        assertEquals(12, p.cut().size(), "2 x 3 pairs, both ways");
        assertEquals(Set.of(2, 3, 5), p.droppedAt(1));
        assertEquals(Set.of(1, 4), p.droppedAt(3));
    }

    @Test
    void inAMajorityRingEveryNodeSeesADifferentMajority() {
        for (int n : List.of(5, 7, 9)) {
            List<Integer> order = new java.util.ArrayList<>();
            for (int i = n; i >= 1; i--) {
                order.add(i);
            }
            Partition p = Partition.majorityRing(order);
            Set<Set<Integer>> views = new HashSet<>();
            for (int node = 1; node <= n; node++) {
                Set<Integer> seen = new TreeSet<>();
                for (int other = 1; other <= n; other++) {
                    if (!p.cut().contains(link(other, node))) {
                        seen.add(other);
                    }
                }
                assertTrue(seen.size() > n / 2 && seen.size() < n, n + " nodes: node " + node + " sees " + seen);
                assertTrue(views.add(seen), n + " nodes: two nodes see " + seen);
            }
            for (Partition.Link l : p.cut()) {
                assertTrue(p.cut().contains(link(l.to(), l.from())), "symmetric: " + l);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Partition.majorityRing(List.of(1, 2, 3)));
    }

    @Test
    void oneWayDropsOnlyWhatGoesIntoTheTarget() {
        Partition p = Partition.oneWayInto(3, 3);
        assertEquals(Set.of(link(1, 3), link(2, 3)), p.cut());
        assertEquals(Set.of(1, 2), p.droppedAt(3));
        assertEquals(Set.of(), p.droppedAt(1));
    }

    private static Partition.Link link(int from, int to) {
        return new Partition.Link(from, to);
    }
}
