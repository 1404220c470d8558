package io.flotilla.jepsen.sim;

import io.flotilla.raft.MemoryStorage;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

import static io.flotilla.jepsen.sim.Fixtures.data;
import static io.flotilla.jepsen.sim.Fixtures.noop;
import static io.flotilla.jepsen.sim.Fixtures.storage;
import static io.flotilla.jepsen.sim.Fixtures.view;
import static io.flotilla.jepsen.sim.Fixtures.views;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommitSafetyTest {
    private static final LogView NOTHING_APPLIED = new LogView();
    private static final SortedSet<Integer> N012 = new TreeSet<>(List.of(0, 1, 2));

    /** A checker over these nodes' logs, where a leader counting n0, n1 and n2 committed up to offset 10. */
    private static CommitSafety threeVoters(MemoryStorage... nodes) {
        CommitSafety check = new CommitSafety(views(nodes));
        check.leaderCommitted(0, 10, N012);
        return check;
    }

    @Test
    void aCommitEndAMajorityHoldsPasses() {
        MemoryStorage n0 = storage(noop(0, 1), data(1, 2, 1, 10));
        MemoryStorage n1 = storage(noop(0, 1), data(1, 2, 1, 10), data(3, 1, 11));
        MemoryStorage n2 = storage();
        CommitSafety check = threeVoters(n0, n1, n2);
        assertDoesNotThrow(() -> check.check(0, 1, 3, NOTHING_APPLIED));
        assertDoesNotThrow(() -> check.check(1, 1, 1, NOTHING_APPLIED));
        assertDoesNotThrow(() -> check.check(2, 1, 0, NOTHING_APPLIED));
        assertDoesNotThrow(() -> check.check(0, 1, 3, view(noop(0, 1), data(1, 2, 1, 10))));
    }

    @Test
    void aCommitEndOnlyAMinorityHoldsFails() {
        MemoryStorage n0 = storage(noop(0, 1), data(1, 2, 1, 10), data(3, 1, 11));
        MemoryStorage n1 = storage(noop(0, 1), data(1, 2, 1, 10));
        MemoryStorage n2 = storage(noop(0, 1));
        CommitSafety check = threeVoters(n0, n1, n2);
        InvariantViolation v = assertThrows(InvariantViolation.class, () -> check.check(0, 1, 4, NOTHING_APPLIED));
        assertEquals(CommitSafety.NAME, v.invariant());
        assertEquals("commit-safety: n0 has commit end 4 but only 1 of the 3 voters n0, n1, n2 durably hold one same "
                + "entry at offset 3 (quorum 2); durable entries there: n0 [3 t1 v11], n1 nothing, n2 nothing",
                v.getMessage());
    }

    @Test
    void aMajorityHoldingDifferentEntriesFails() {
        MemoryStorage n0 = storage(noop(0, 1), data(1, 2, 10));
        MemoryStorage n1 = storage(noop(0, 1), data(1, 3, 11));
        MemoryStorage n2 = storage(noop(0, 1));
        CommitSafety check = threeVoters(n0, n1, n2);
        assertThrows(InvariantViolation.class, () -> check.check(1, 1, 2, NOTHING_APPLIED));
    }

    @Test
    void aMajorityHoldingSomethingOtherThanTheAppliedEntryFails() {
        MemoryStorage n0 = storage(noop(0, 1), data(1, 3, 11));
        MemoryStorage n1 = storage(noop(0, 1), data(1, 3, 11));
        MemoryStorage n2 = storage(noop(0, 1), data(1, 2, 10));
        CommitSafety check = threeVoters(n0, n1, n2);
        LogView applied = view(noop(0, 1), data(1, 2, 10));
        InvariantViolation v = assertThrows(InvariantViolation.class, () -> check.check(0, 1, 2, applied));
        assertTrue(v.getMessage().contains("only 1 of the 3 voters n0, n1, n2 durably hold the applied entry "
                + "[1 t2 v10]"),
                v.getMessage());
    }

    @Test
    void aCommitEndGoingBackFailsWithinALifeOnly() {
        MemoryStorage n0 = storage(noop(0, 1), data(1, 2, 1, 10));
        MemoryStorage n1 = storage(noop(0, 1), data(1, 2, 1, 10));
        CommitSafety check = threeVoters(n0, n1, storage());
        check.check(0, 1, 3, NOTHING_APPLIED);
        InvariantViolation v = assertThrows(InvariantViolation.class, () -> check.check(0, 1, 1, NOTHING_APPLIED));
        assertEquals("commit-safety: n0 (life 1) moved its commit end back from 3 to 1", v.getMessage());
        assertDoesNotThrow(() -> check.check(0, 2, 1, NOTHING_APPLIED));
    }

    @Test
    void aCommitEndNoLeaderReachedFails() {
        MemoryStorage n0 = storage(noop(0, 1), data(1, 2, 1, 10));
        CommitSafety check = new CommitSafety(views(n0, n0, n0));
        check.leaderCommitted(0, 1, N012);
        assertDoesNotThrow(() -> check.check(1, 1, 1, NOTHING_APPLIED));
        InvariantViolation v = assertThrows(InvariantViolation.class, () -> check.check(1, 1, 3, NOTHING_APPLIED));
        assertEquals("commit-safety: n1 has commit end 3 but no leader was seen committing that far", v.getMessage());
    }

    @Test
    void theVotersTheLeaderCountedDecide() {
        // n3 was removed: a leader counting n0, n1, n2 commits what two of them hold, though two of
        // the four former voters would not be a majority.
        MemoryStorage held = storage(noop(0, 1), data(1, 1, 10));
        MemoryStorage n2 = storage(noop(0, 1));
        MemoryStorage n3 = storage(noop(0, 1));
        CommitSafety afterRemoval = new CommitSafety(views(held, held, n2, n3));
        afterRemoval.leaderCommitted(0, 2, N012);
        assertDoesNotThrow(() -> afterRemoval.check(0, 1, 2, NOTHING_APPLIED));

        CommitSafety before = new CommitSafety(views(held, held, n2, n3));
        before.leaderCommitted(0, 2, new TreeSet<>(List.of(0, 1, 2, 3)));
        InvariantViolation v = assertThrows(InvariantViolation.class, () -> before.check(0, 1, 2, NOTHING_APPLIED));
        assertTrue(v.getMessage().contains("only 2 of the 4 voters n0, n1, n2, n3"), v.getMessage());
    }
}
