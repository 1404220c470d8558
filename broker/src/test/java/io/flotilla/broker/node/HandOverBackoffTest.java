package io.flotilla.broker.node;

import io.flotilla.raft.MemberId;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HandOverBackoffTest {
    private static final long SECOND = 1_000_000_000L;
    private static final MemberId TWO = new MemberId(2, 22);
    private static final MemberId THREE = new MemberId(3, 33);

    private final HandOverBackoff backoff = new HandOverBackoff(2 * SECOND, 64 * SECOND);

    @Test
    void eachTryThatDidNotTakeDoublesTheWaitUpToTheCap() {
        long now = 0;
        assertTrue(backoff.mayTry(7, THREE, now), "never tried");
        long[] waits = {2, 4, 8, 16, 32, 64, 64, 64};
        for (long wait : waits) {
            backoff.tried(7, THREE, now);
            assertFalse(backoff.mayTry(7, THREE, now + wait * SECOND - 1), "wait " + wait + " s not over");
            now += wait * SECOND;
            assertTrue(backoff.mayTry(7, THREE, now), "wait " + wait + " s over");
        }
    }

    @Test
    void aGroupNoLongerLedIsForgottenSoItsNextHandOverIsTriedAtOnce() {
        backoff.tried(7, THREE, 0);
        backoff.tried(7, THREE, 2 * SECOND);
        backoff.tried(8, THREE, 2 * SECOND);
        backoff.retainLed(Set.of(8L));

        assertTrue(backoff.mayTry(7, THREE, 2 * SECOND), "the hand-over took: the group starts afresh");
        assertFalse(backoff.mayTry(8, THREE, 2 * SECOND), "still led: still waiting");
    }

    @Test
    void aNewPreferredLeaderIsTriedAtOnceAndStartsItsOwnBackoff() {
        backoff.tried(7, THREE, 0);
        backoff.tried(7, THREE, 2 * SECOND);
        assertTrue(backoff.mayTry(7, TWO, 2 * SECOND));
        backoff.tried(7, TWO, 2 * SECOND);
        assertTrue(backoff.mayTry(7, TWO, 4 * SECOND), "one interval after the new target's first try");
    }

    @Test
    void theWaitNeverOverflows() {
        assertEquals(64 * SECOND, backoff.waitAfter(Integer.MAX_VALUE));
        assertEquals(64 * SECOND, backoff.waitAfter(62));
        assertEquals(2 * SECOND, backoff.waitAfter(0));
        assertThrows(IllegalArgumentException.class, () -> new HandOverBackoff(2 * SECOND, SECOND));
    }
}
