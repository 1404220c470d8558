package io.flotilla.jepsen.sim;

import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * The simulated clock and its queue of future events, ordered by time and then by the order
 * they were scheduled in, so equal times never depend on anything but the program's own order.
 */
public final class Scheduler {
    /** An event due at {@code time}; {@code seq} breaks ties in scheduling order. */
    public record Scheduled(long time, long seq, SimEvent event) {
    }

    private static final Comparator<Scheduled> ORDER =
            Comparator.comparingLong(Scheduled::time).thenComparingLong(Scheduled::seq);

    private final PriorityQueue<Scheduled> queue = new PriorityQueue<>(ORDER);
    private long now;
    private long nextSeq;

    /** Current simulated time in ms: the time of the event being handled. */
    public long now() {
        return now;
    }

    public void at(long time, SimEvent event) {
        if (time < now) {
            throw new IllegalArgumentException("cannot schedule " + event + " at " + time + " ms, before now ("
                    + now + " ms)");
        }
        queue.add(new Scheduled(time, nextSeq++, event));
    }

    public void after(long delayMs, SimEvent event) {
        at(now + delayMs, event);
    }

    public boolean hasNext() {
        return !queue.isEmpty();
    }

    /** Removes the earliest event and moves the clock to its time. */
    public Scheduled next() {
        Scheduled s = queue.remove();
        now = s.time();
        return s;
    }

    public int pending() {
        return queue.size();
    }
}
