package io.flotilla.cli.perf;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latencies and counts recorded by many threads while a run goes on, with a progress line on a
 * terminal once a second (rate and p99 of that second). Recording takes no lock and allocates
 * nothing (HdrHistogram's {@link Recorder}); the intervals add up to the run's histogram.
 */
final class LatencyLog implements AutoCloseable {
    /** Up to an hour, 3 significant digits. */
    private static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);

    private final Recorder recorder = new Recorder(HIGHEST_MICROS, 3);
    private final Histogram total = new Histogram(HIGHEST_MICROS, 3);
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final PrintStream progress;
    private final ScheduledExecutorService ticker;
    private Histogram interval;
    private long lastRecords;
    private final long startNanos = System.nanoTime();

    /** @param progress where the progress line goes, or null for none */
    LatencyLog(PrintStream progress) {
        this.progress = progress;
        this.ticker = progress == null ? null : Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "perf-progress");
            t.setDaemon(true);
            return t;
        });
        if (ticker != null) {
            ticker.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
        }
    }

    /** One record done after {@code nanos}; {@code valueBytes} of payload. */
    void record(long nanos, int valueBytes) {
        recorder.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, nanos / 1000)));
        records.incrementAndGet();
        bytes.addAndGet(valueBytes);
    }

    long records() {
        return records.get();
    }

    long bytes() {
        return bytes.get();
    }

    private synchronized void tick() {
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);
        long now = records.get();
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        progress.printf(Locale.ROOT, "\r%,12d records, %,10d records/s in the last second, p99 %.2f ms, %.0f s ",
                now, now - lastRecords, interval.getValueAtPercentile(99) / 1000.0, seconds);
        progress.flush();
        lastRecords = now;
    }

    /** Stops the progress line and returns every latency recorded. */
    Histogram finish() throws InterruptedException {
        close();
        if (ticker != null) {
            ticker.awaitTermination(5, TimeUnit.SECONDS);
        }
        synchronized (this) {
            return drain();
        }
    }

    private Histogram drain() {
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);
        if (progress != null) {
            progress.print("\r" + " ".repeat(90) + "\r");
            progress.flush();
        }
        return total.copy();
    }

    @Override
    public void close() {
        if (ticker != null) {
            ticker.shutdownNow();
        }
    }
}
