package io.flotilla.jepsen.sim;

import io.flotilla.raft.Entry;
import io.flotilla.raft.Membership;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static io.flotilla.jepsen.sim.Fixtures.THREE;
import static io.flotilla.jepsen.sim.Fixtures.data;
import static io.flotilla.jepsen.sim.Fixtures.member;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LivenessCheckTest {
    /** n2 is removed and n3 joins as a learner at offset 5. */
    private static final Membership CHANGED = THREE.remove(member(2)).addLearner(member(3));
    private static final Entry CHANGE = new Entry(5, 1, 1, Entry.Type.MEMBERSHIP, CHANGED.encode());

    private static LivenessCheck healedAfterTheChange() {
        LivenessCheck check = new LivenessCheck(4, THREE, new SplittableRandom(1));
        check.applied(0, CHANGE);
        check.start(100);
        return check;
    }

    @Test
    void aProbeMustReachEveryMemberOfTheMembershipInForceAtItsOffset() {
        LivenessCheck check = healedAfterTheChange();
        Entry probe = data(6, 1, -1);
        check.applied(0, probe);
        check.applied(1, probe);
        assertFalse(check.satisfied(), "the learner n3 has not applied it");
        check.applied(3, probe);
        assertTrue(check.satisfied(), "n2 was removed before the probe's offset: it never gets the probe");
    }

    @Test
    void aProbeBeforeTheChangeMustReachTheMembersBeforeIt() {
        LivenessCheck check = healedAfterTheChange();
        Entry probe = data(2, 1, -1); // n0 applied it before the change; the others apply it now
        check.applied(0, probe);
        check.applied(1, probe);
        assertFalse(check.satisfied(), "n2 is still a member at offset 2");
        check.applied(2, probe);
        assertTrue(check.satisfied(), "n3 joined after offset 2: it need not have applied it");
    }
}
