package io.flotilla.broker.transport;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition that no future or latch signals (counters), checking it every millisecond, with a timeout. */
final class Await {
    static final Duration TIMEOUT = Duration.ofSeconds(20);

    private Await() {
    }

    static void until(BooleanSupplier condition, Supplier<String> what) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + TIMEOUT + ": " + what.get());
            }
            LockSupport.parkNanos(1_000_000);
        }
    }
}
