package io.flotilla.jepsen.process;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Waiting, with a deadline, for a state of real processes that nothing notifies the harness of
 * (replicas agreeing, a node done recovering): asking again and again is all there is.
 */
final class Polls {
    private static final long INTERVAL_MS = 200;

    private Polls() {
    }

    /**
     * Asks {@code difference} (what still differs from the state awaited, or null once there is
     * none) every 200 ms until it answers null or {@code timeoutMs} ran out.
     *
     * @return null once the state was reached, else the last difference
     */
    static String untilNone(Supplier<String> difference, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            String left = difference.get();
            if (left == null || System.nanoTime() - deadline > 0) {
                return left;
            }
            Thread.sleep(INTERVAL_MS); // polling an outcome with a bound, not ordering threads
        }
    }
}
