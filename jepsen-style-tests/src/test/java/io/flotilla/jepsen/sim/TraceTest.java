package io.flotilla.jepsen.sim;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class TraceTest {
    @Test
    void sameLinesSameHashAndTheTailKeepsTheLastLines() {
        Trace a = new Trace(2, true);
        Trace b = new Trace(0, false);
        for (String line : List.of("1 tick n0", "2 tick n1", "3 recv x")) {
            a.add(line);
            b.add(line);
        }
        assertEquals(a.hash(), b.hash());
        assertEquals(a.hash(), a.hash(), "hashing does not consume the digest");
        assertEquals(List.of("2 tick n1", "3 recv x"), a.tail());
        assertEquals(3, a.all().size());
        b.add("4");
        assertNotEquals(a.hash(), b.hash());
        Trace c = new Trace(0, false);
        c.add("1 tick n0\n2 tick n1");
        c.add("3 recv x");
        Trace d = new Trace(0, false);
        d.add("1 tick n0");
        d.add("2 tick n1\n3 recv x");
        assertEquals(c.hash(), d.hash(), "lines are newline-joined: the trace is the text, not the calls");
    }
}
