package io.flotilla.jepsen.sim;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ElectionSafetyTest {
    @Test
    void oneLeaderPerTermPasses() {
        ElectionSafety check = new ElectionSafety();
        assertTrue(check.observe(1, 0, 100));
        assertFalse(check.observe(1, 0, 110));
        assertTrue(check.observe(2, 1, 300));
        assertTrue(check.observe(4, 0, 500));
        assertEquals(3, check.elections());
    }

    @Test
    void twoLeadersInOneTermFail() {
        ElectionSafety check = new ElectionSafety();
        check.observe(3, 2, 100);
        check.observe(4, 1, 200);
        InvariantViolation v = assertThrows(InvariantViolation.class, () -> check.observe(3, 0, 250));
        assertEquals(ElectionSafety.NAME, v.invariant());
        assertEquals("election-safety: two leaders in term 3: n2 (leader since 100 ms) and n0 (leader at 250 ms)",
                v.getMessage());
    }
}
