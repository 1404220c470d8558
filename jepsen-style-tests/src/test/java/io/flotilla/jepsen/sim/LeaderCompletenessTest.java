package io.flotilla.jepsen.sim;

import org.junit.jupiter.api.Test;

import static io.flotilla.jepsen.sim.Fixtures.data;
import static io.flotilla.jepsen.sim.Fixtures.noop;
import static io.flotilla.jepsen.sim.Fixtures.view;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LeaderCompletenessTest {
    private final LogView committed = view(noop(0, 1), data(1, 2, 1, 10), data(3, 1, 11));

    @Test
    void aLeaderHoldingEveryCommittedEntryPasses() {
        LogView leader = view(noop(0, 1), data(1, 2, 1, 10), data(3, 1, 11), data(4, 1, 12), noop(5, 3));
        assertDoesNotThrow(() -> LeaderCompleteness.check(1, 3, leader, committed, 4, 0));
        // Entries committed after the election are not its business.
        LogView shorter = view(noop(0, 1), data(1, 2, 1, 10), noop(3, 3));
        assertDoesNotThrow(() -> LeaderCompleteness.check(1, 3, shorter, committed, 3, 0));
    }

    @Test
    void aLeaderMissingACommittedEntryFails() {
        LogView leader = view(noop(0, 1), data(1, 2, 1, 10), noop(3, 2));
        InvariantViolation v = assertThrows(InvariantViolation.class,
                () -> LeaderCompleteness.check(2, 2, leader, committed, 4, 500));
        assertEquals(LeaderCompleteness.NAME, v.invariant());
        assertEquals("leader-completeness: n2 became leader of term 2 at 500 ms without committed entry [3 t1 v11]: "
                + "its log has [3 t2 NOOP] at offset 3 (log ends at 4)", v.getMessage());
    }

    @Test
    void aLeaderWithADifferentCommittedEntryFails() {
        LogView leader = view(noop(0, 1), data(1, 2, 1, 99), data(3, 1, 11), noop(4, 2));
        assertThrows(InvariantViolation.class, () -> LeaderCompleteness.check(0, 2, leader, committed, 4, 0));
    }

    @Test
    void theCheckWaitsForTheLeadersTermToBeDurableAndForgetsCrashedLeaders() {
        LeaderCompleteness check = new LeaderCompleteness(3);
        LogView durable = view(noop(0, 1));
        check.elected(1, 1, 2, 4, 100);
        // Its durable log lags: the rest may still be in its in-flight Ready.
        assertDoesNotThrow(() -> check.persisted(1, 1, durable, committed));
        durable.append(noop(1, 2));
        assertThrows(InvariantViolation.class, () -> check.persisted(1, 1, durable, committed));

        check.elected(2, 1, 3, 4, 100);
        check.crashed(2);
        assertDoesNotThrow(() -> check.persisted(2, 1, view(noop(0, 3)), committed));
    }
}
