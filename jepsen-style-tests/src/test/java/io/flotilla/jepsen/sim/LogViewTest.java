package io.flotilla.jepsen.sim;

import org.junit.jupiter.api.Test;

import java.util.List;

import static io.flotilla.jepsen.sim.Fixtures.data;
import static io.flotilla.jepsen.sim.Fixtures.noop;
import static io.flotilla.jepsen.sim.Fixtures.view;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LogViewTest {
    @Test
    void prefixHashesAgreeExactlyWhileTheLogsAgree() {
        LogView a = view(noop(0, 1), data(1, 3, 1, 7), data(4, 1, 2, 8));
        LogView b = view(noop(0, 1), data(1, 3, 1, 7), data(4, 1, 2, 9));
        assertEquals(a.chainHash(0), b.chainHash(0));
        assertEquals(a.chainHash(1), b.chainHash(1));
        assertNotEquals(a.chainHash(2), b.chainHash(2));
        LogView otherTerm = view(noop(0, 1), data(1, 3, 2, 7));
        assertNotEquals(a.chainHash(1), otherTerm.chainHash(1));
        LogView otherCount = view(noop(0, 1), data(1, 2, 1, 7));
        assertNotEquals(a.chainHash(1), otherCount.chainHash(1));
    }

    @Test
    void findsEntriesByOffsetAndTruncatesAtBoundaries() {
        LogView log = view(noop(0, 1), data(1, 3, 1, 7), data(4, 1, 2, 8));
        assertEquals(5, log.end());
        assertEquals(1, log.indexCovering(3));
        assertEquals(-1, log.indexOfBase(3));
        assertEquals(2, log.indexOfBase(4));
        assertNull(log.covering(5));
        assertThrows(IllegalStateException.class, () -> log.truncateFrom(2));
        assertEquals(2, log.truncateFrom(1));
        assertEquals(1, log.end());
        assertEquals(1, log.apply(-1, List.of(data(1, 2, 5))));
        assertEquals(2, log.end());
        assertEquals(2, log.lastTerm());
        assertThrows(IllegalStateException.class, () -> log.append(data(5, 2, 6)));
    }
}
