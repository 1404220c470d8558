package io.flotilla.log.bench;

import org.HdrHistogram.Histogram;

/**
 * One measured line of the report. A figure has a throughput (bytes over time), a latency
 * distribution, or both; the optional parts are -1 or null when they do not apply.
 *
 * @param id       stable key for the JSON output, e.g. {@code log.groupCommit.w16}
 * @param label    what a reader of the table sees
 * @param bytes    bytes moved, -1 for a latency-only figure
 * @param nanos    wall time of the whole measurement
 * @param records  records moved, -1 when not counted
 * @param fsyncs   fsyncs that made writes durable, -1 when not counted
 * @param latency  per-operation latency in nanoseconds, or null
 * @param baseline the disk figure this one is a ratio of, or null
 */
record Figure(String id, String label, long bytes, long nanos, long records, long fsyncs, Histogram latency,
              Figure baseline) {

    private static final double NANOS_PER_SECOND = 1e9;
    private static final double BYTES_PER_MB = 1e6;

    static Figure throughput(String id, String label, long bytes, long nanos) {
        return new Figure(id, label, bytes, nanos, -1, -1, null, null);
    }

    static Figure latencyOnly(String id, String label, long nanos, Histogram latency) {
        return new Figure(id, label, -1, nanos, -1, -1, latency, null);
    }

    Figure withRecords(long count) {
        return new Figure(id, label, bytes, nanos, count, fsyncs, latency, baseline);
    }

    Figure withFsyncs(long count) {
        return new Figure(id, label, bytes, nanos, records, count, latency, baseline);
    }

    Figure withLatency(Histogram histogram) {
        return new Figure(id, label, bytes, nanos, records, fsyncs, histogram, baseline);
    }

    Figure relativeTo(Figure disk) {
        return new Figure(id, label, bytes, nanos, records, fsyncs, latency, disk);
    }

    double seconds() {
        return nanos / NANOS_PER_SECOND;
    }

    boolean hasThroughput() {
        return bytes >= 0;
    }

    /** Decimal megabytes (10^6 bytes) per second, as disk tools report them. */
    double megabytesPerSecond() {
        return bytes / BYTES_PER_MB / seconds();
    }

    double recordsPerSecond() {
        return records / seconds();
    }

    double ratio() {
        return megabytesPerSecond() / baseline.megabytesPerSecond();
    }

    /** Latency at {@code percentile} (0-100) in microseconds. */
    double latencyMicros(double percentile) {
        return latency.getValueAtPercentile(percentile) / 1e3;
    }

    double maxLatencyMicros() {
        return latency.getMaxValue() / 1e3;
    }
}
