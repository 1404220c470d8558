package io.flotilla.jepsen.sim;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SchedulerTest {
    @Test
    void eventsComeInTimeOrderAndTiesInSchedulingOrder() {
        Scheduler s = new Scheduler();
        s.at(30, new SimEvent.Propose(3));
        s.at(10, new SimEvent.Propose(1));
        s.at(30, new SimEvent.Propose(4));
        s.at(10, new SimEvent.Propose(2));
        s.at(20, new SimEvent.Probe());
        List<String> order = new ArrayList<>();
        while (s.hasNext()) {
            Scheduler.Scheduled next = s.next();
            assertEquals(next.time(), s.now());
            order.add(next.time() + ":" + next.event());
            if (next.event() instanceof SimEvent.Probe) {
                s.after(10, new SimEvent.Propose(5)); // lands at 30, after the two already there
                s.after(0, new SimEvent.Propose(0)); // now: before anything later
            }
        }
        assertEquals(List.of("10:Propose[client=1]", "10:Propose[client=2]", "20:Probe[]", "20:Propose[client=0]",
                "30:Propose[client=3]", "30:Propose[client=4]", "30:Propose[client=5]"), order);
        assertFalse(s.hasNext());
    }

    @Test
    void thePastCannotBeScheduled() {
        Scheduler s = new Scheduler();
        s.at(50, new SimEvent.Probe());
        s.next();
        assertThrows(IllegalArgumentException.class, () -> s.at(49, new SimEvent.Probe()));
    }
}
