package io.flotilla.log.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/** Prints the figures twice: as a table for people, then as one JSON line for scripts. */
final class Report {
    private static final String ROW = "%-36s %8s %6s %8s %6s %10s %7s %9s %9s %9s%n";
    private static final String NONE = "-";

    private final Map<String, Object> context = new LinkedHashMap<>();
    private final List<Figure> figures;
    private final List<String> warnings;

    Report(BenchOptions options, Path runDir, int recordsPerBatch, int batchBytes, List<Figure> figures,
           List<String> warnings) throws IOException {
        this.figures = figures;
        this.warnings = warnings;
        FileStore store = Files.getFileStore(runDir);
        context.put("date", Instant.now().toString());
        context.put("cpus", Runtime.getRuntime().availableProcessors());
        context.put("memoryBytes", ((com.sun.management.OperatingSystemMXBean)
                ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize());
        context.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        context.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        context.put("dir", runDir.toString());
        context.put("device", store.name());
        context.put("fileSystem", store.type());
        context.put("bytesPerMeasurement", options.bytes());
        context.put("maxSecondsPerAppendRun", options.maxSeconds());
        context.put("segmentBytes", options.segmentBytes());
        context.put("recordBytes", LogBenchmark.RECORD_BYTES);
        context.put("recordsPerBatch", recordsPerBatch);
        context.put("batchBytes", batchBytes);
    }

    void print(PrintStream out) {
        context.forEach((key, value) -> out.printf("%-24s %s%n", key, value));
        out.println();
        out.printf(ROW, "figure", "MB", "s", "MB/s", "ratio", "records/s", "fsyncs", "p50 us", "p99 us", "max us");
        for (Figure f : figures) {
            out.printf(ROW, f.label(),
                    f.hasThroughput() ? fixed(f.bytes() / 1e6, 0) : NONE,
                    fixed(f.seconds(), 2),
                    f.hasThroughput() ? fixed(f.megabytesPerSecond(), 1) : NONE,
                    f.baseline() != null ? fixed(f.ratio(), 2) : NONE,
                    f.records() >= 0 ? fixed(f.recordsPerSecond(), 0) : NONE,
                    f.fsyncs() >= 0 ? Long.toString(f.fsyncs()) : NONE,
                    f.latency() != null ? fixed(f.latencyMicros(50), 0) : NONE,
                    f.latency() != null ? fixed(f.latencyMicros(99), 0) : NONE,
                    f.latency() != null ? fixed(f.maxLatencyMicros(), 0) : NONE);
        }
        out.println("MB = 10^6 bytes. Ratios: appends to the faster disk sequential write, reads to the plain file read."
                + " Reads are served from the page cache (the data was just written), not from the disk.");
        warnings.forEach(warning -> out.println("WARNING: " + warning));
        out.println(json());
    }

    private String json() {
        Map<String, Object> byId = new LinkedHashMap<>();
        for (Figure f : figures) {
            byId.put(f.id(), fields(f));
        }
        Map<String, Object> root = new LinkedHashMap<>(context);
        root.put("figures", byId);
        root.put("warnings", warnings);
        return Json.write(root);
    }

    private static Map<String, Object> fields(Figure f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seconds", f.seconds());
        if (f.hasThroughput()) {
            m.put("bytes", f.bytes());
            m.put("mbPerSec", f.megabytesPerSecond());
        }
        if (f.baseline() != null) {
            m.put("ratio", f.ratio());
            m.put("ratioTo", f.baseline().id());
        }
        if (f.records() >= 0) {
            m.put("records", f.records());
            m.put("recordsPerSec", f.recordsPerSecond());
        }
        if (f.fsyncs() >= 0) {
            m.put("fsyncs", f.fsyncs());
        }
        if (f.latency() != null) {
            m.put("p50Us", f.latencyMicros(50));
            m.put("p99Us", f.latencyMicros(99));
            m.put("maxUs", f.maxLatencyMicros());
        }
        return m;
    }

    private static String fixed(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    /** Just enough JSON for maps, lists, strings and numbers: the benchmark has no JSON library to hand. */
    private static final class Json {
        private Json() {
        }

        static String write(Object value) {
            StringBuilder out = new StringBuilder();
            append(out, value);
            return out.toString();
        }

        private static void append(StringBuilder out, Object value) {
            if (value instanceof Map<?, ?> map) {
                appendJoined(out, '{', map.entrySet(), '}', entry -> {
                    appendString(out, entry.getKey().toString());
                    out.append(':');
                    append(out, entry.getValue());
                });
            } else if (value instanceof List<?> list) {
                appendJoined(out, '[', list, ']', element -> append(out, element));
            } else if (value instanceof Double d) {
                out.append(Double.isFinite(d) ? fixed(d, 3) : "null");
            } else if (value instanceof Number n) {
                out.append(n);
            } else {
                appendString(out, String.valueOf(value));
            }
        }

        private static <T> void appendJoined(StringBuilder out, char open, Iterable<T> items, char close,
                                             Consumer<T> appendItem) {
            out.append(open);
            String separator = "";
            for (T item : items) {
                out.append(separator);
                appendItem.accept(item);
                separator = ",";
            }
            out.append(close);
        }

        private static void appendString(StringBuilder out, String s) {
            out.append('"');
            for (char c : s.toCharArray()) {
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    default -> {
                        if (c < 0x20) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            out.append('"');
        }
    }
}
