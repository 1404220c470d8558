package io.flotilla.jepsen.sim;

import io.flotilla.raft.MemoryStorage;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.flotilla.jepsen.sim.Fixtures.data;
import static io.flotilla.jepsen.sim.Fixtures.noop;
import static io.flotilla.jepsen.sim.Fixtures.storage;
import static io.flotilla.jepsen.sim.Fixtures.views;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogMatchingTest {
    @Test
    void legalLogsPass() {
        // n1 is behind, n2 holds an uncommitted suffix of an older term that n0 replaced.
        MemoryStorage n0 = storage(noop(0, 1), data(1, 2, 1, 10), noop(3, 3), data(4, 3, 11));
        MemoryStorage n1 = storage(noop(0, 1), data(1, 2, 1, 10));
        MemoryStorage n2 = storage(noop(0, 1), data(1, 2, 1, 10), noop(3, 2), data(4, 2, 2, 12));
        assertDoesNotThrow(() -> new LogMatching(views(n0, n1, n2)).checkAll());
    }

    @Test
    void sameOffsetAndTermWithDifferentEntriesFails() {
        MemoryStorage n0 = storage(noop(0, 1), data(1, 2, 10));
        MemoryStorage n1 = storage(noop(0, 1), data(1, 2, 99));
        InvariantViolation v = assertThrows(InvariantViolation.class,
                () -> new LogMatching(views(n0, n1)).checkAll());
        assertEquals(LogMatching.NAME, v.invariant());
        assertEquals("log-matching: n1 and n0 both hold an entry at offset 1 of term 2 but they differ: "
                + "n1 has [1 t2 v99], n0 has [1 t2 v10]", v.getMessage());
    }

    @Test
    void sameEntryAfterDifferentPrefixesFails() {
        // (2, t3) is identical on both, but the entries before it differ (and have different terms).
        MemoryStorage n0 = storage(noop(0, 1), data(1, 2, 7), data(2, 3, 10));
        MemoryStorage n1 = storage(noop(0, 1), data(1, 1, 8), data(2, 3, 10));
        InvariantViolation v = assertThrows(InvariantViolation.class,
                () -> new LogMatching(views(n0, n1)).checkAll());
        assertEquals("log-matching: n1 and n0 both hold an entry at offset 2 of term 3, identical, but their logs "
                + "before it differ: at offset 1 n1 has [1 t1 v8], n0 has [1 t2 v7]", v.getMessage());
    }

    @Test
    void differentRecordCountsAtOneOffsetFail() {
        MemoryStorage n0 = storage(noop(0, 1), data(1, 3, 1, 10));
        MemoryStorage n1 = storage(noop(0, 1), data(1, 2, 1, 10));
        InvariantViolation v = assertThrows(InvariantViolation.class,
                () -> new LogMatching(views(n0, n1)).checkAll());
        assertTrue(v.getMessage().contains("n1 has [1..2 t1 v10], n0 has [1..3 t1 v10]"), v.getMessage());
    }

    @Test
    void anEntryRemovedAndLaterContradictedStillFails() {
        MemoryStorage n0 = storage(noop(0, 1), data(1, 2, 10));
        MemoryStorage n1 = storage(noop(0, 1));
        List<LogView> logs = views(n0, n1);
        LogMatching check = new LogMatching(logs);
        check.checkAll();
        logs.get(0).truncateFrom(1);
        int first = logs.get(1).apply(-1, List.of(data(1, 2, 11)));
        assertThrows(InvariantViolation.class, () -> check.check(1, first));
    }
}
