package io.flotilla.cli.perf;

import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * The result of one perf run, as printed: how many records, how fast, and how long each took.
 *
 * @param records records acknowledged (produce) or delivered (consume)
 * @param failed records not written (produce); 0 for consume
 * @param bytes their values' bytes
 * @param seconds from the first send (or fetch) to the last acknowledgement (or delivery)
 * @param latency microseconds per record
 */
record PerfFigures(String command, long records, long failed, long bytes, double seconds, Histogram latency) {

    double recordsPerSecond() {
        return seconds > 0 ? records / seconds : 0;
    }

    double megabytesPerSecond() {
        return seconds > 0 ? bytes / seconds / 1_000_000 : 0;
    }

    /** A latency percentile in milliseconds. */
    double ms(double percentile) {
        return latency.getValueAtPercentile(percentile) / 1000.0;
    }

    double maxMs() {
        return latency.getMaxValue() / 1000.0;
    }

    /** For people: two lines. */
    String table() {
        return String.format(Locale.ROOT, "%,d records in %.2f s: %,.0f records/s, %.2f MB/s%s%n"
                        + "latency ms: p50 %.2f, p99 %.2f, p99.9 %.2f, max %.2f%n",
                records, seconds, recordsPerSecond(), megabytesPerSecond(),
                failed == 0 ? "" : String.format(Locale.ROOT, "; %,d records NOT written", failed),
                ms(50), ms(99), ms(99.9), maxMs());
    }

    /** For scripts: one JSON object on one line. */
    String json() {
        return String.format(Locale.ROOT, "{\"command\":\"%s\",\"records\":%d,\"failed\":%d,\"bytes\":%d,"
                        + "\"seconds\":%.3f,\"records_per_second\":%.1f,\"mb_per_second\":%.3f,"
                        + "\"latency_ms\":{\"p50\":%.3f,\"p99\":%.3f,\"p99_9\":%.3f,\"max\":%.3f}}%n",
                command, records, failed, bytes, seconds, recordsPerSecond(), megabytesPerSecond(),
                ms(50), ms(99), ms(99.9), maxMs());
    }
}
