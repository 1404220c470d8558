package io.flotilla.jepsen.sim;

import org.junit.jupiter.api.Test;

import static io.flotilla.jepsen.sim.Fixtures.data;
import static io.flotilla.jepsen.sim.Fixtures.noop;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StateMachineSafetyTest {
    @Test
    void nodesApplyingTheSameEntriesPass() {
        StateMachineSafety check = new StateMachineSafety(3);
        assertTrue(check.applied(0, noop(0, 1)));
        assertTrue(check.applied(0, data(1, 3, 1, 10)));
        assertFalse(check.applied(1, noop(0, 1)));
        assertFalse(check.applied(1, data(1, 3, 1, 10)));
        assertTrue(check.applied(1, data(4, 2, 11)));
        assertEquals(5, check.committed().end());
        // After a restart a node replays its state machine from the log start.
        check.restarted(0, 0);
        assertFalse(check.applied(0, noop(0, 1)));
    }

    @Test
    void differentEntriesAtOneOffsetFail() {
        StateMachineSafety check = new StateMachineSafety(3);
        check.applied(0, noop(0, 1));
        check.applied(0, data(1, 1, 10));
        check.applied(2, noop(0, 1));
        InvariantViolation v = assertThrows(InvariantViolation.class, () -> check.applied(2, data(1, 2, 20)));
        assertEquals(StateMachineSafety.NAME, v.invariant());
        assertEquals("state-machine-safety: n2 applies [1 t2 v20] at offset 1 but n0 applied [1 t1 v10] there",
                v.getMessage());
    }

    @Test
    void differentBoundariesFail() {
        StateMachineSafety check = new StateMachineSafety(2);
        check.applied(0, data(0, 3, 1, 10));
        InvariantViolation v = assertThrows(InvariantViolation.class, () -> check.applied(1, data(0, 2, 1, 10)));
        assertTrue(v.getMessage().contains("n1 applies [0..1 t1 v10] at offset 0 but n0 applied [0..2 t1 v10] there"),
                v.getMessage());
        StateMachineSafety other = new StateMachineSafety(2);
        other.applied(0, data(0, 2, 1, 10));
        other.applied(0, data(2, 2, 1, 11));
        other.applied(1, data(0, 2, 1, 10));
        InvariantViolation mid = assertThrows(InvariantViolation.class, () -> other.applied(1, data(2, 1, 1, 12)));
        assertTrue(mid.getMessage().contains("n1 applies [2 t1 v12] at offset 2 but n0 applied [2..3 t1 v11] there"),
                mid.getMessage());
    }

    @Test
    void theSameNodeDisagreeingWithItselfAfterARestartFails() {
        StateMachineSafety check = new StateMachineSafety(1);
        check.applied(0, data(0, 1, 10));
        check.restarted(0, 0);
        assertThrows(InvariantViolation.class, () -> check.applied(0, data(0, 2, 11)));
    }

    @Test
    void gapsAndRepeatsFail() {
        StateMachineSafety check = new StateMachineSafety(2);
        check.applied(0, data(0, 1, 10));
        InvariantViolation gap = assertThrows(InvariantViolation.class, () -> check.applied(0, data(2, 1, 12)));
        assertTrue(gap.getMessage().endsWith("has applied up to offset 1: offsets 1..1 would be skipped"),
                gap.getMessage());
        InvariantViolation repeat = assertThrows(InvariantViolation.class, () -> check.applied(0, data(0, 1, 10)));
        assertTrue(repeat.getMessage().endsWith("it would apply offsets again"), repeat.getMessage());
    }

    @Test
    void aProposalAppliedAtTwoOffsetsFails() {
        StateMachineSafety check = new StateMachineSafety(1);
        check.applied(0, data(0, 1, 10));
        check.applied(0, noop(1, 2));
        InvariantViolation v = assertThrows(InvariantViolation.class, () -> check.applied(0, data(2, 2, 10)));
        assertTrue(v.getMessage().contains("already applied at offset 0"), v.getMessage());
    }
}
