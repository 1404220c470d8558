package io.flotilla.log.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Command-line options of {@link LogBenchmark}.
 *
 * @param parentDir    where the run's scratch directory is created; must be on the disk under test
 * @param bytes        data volume of each measurement
 * @param maxSeconds   time cap of each log append measurement, so a slow fsync cannot stall the
 *                     run for minutes; a capped measurement reports the smaller volume it wrote
 * @param segmentBytes segment size of the benchmarked logs
 */
record BenchOptions(Path parentDir, long bytes, long maxSeconds, int segmentBytes) {
    static final String USAGE = """
            usage: LogBenchmark [--dir DIR] [--bytes N[k|m|g]] [--quick] [--max-seconds S] [--segment-bytes N[k|m|g]]
              --dir DIR            parent of the scratch directory (default: java.io.tmpdir); must be a real disk
              --bytes N            data volume per measurement (default 2g)
              --quick              256m per measurement: a smoke run, not a measurement
              --max-seconds S      cap on each log append measurement (default 60)
              --segment-bytes N    log segment size (default: LogConfig.DEFAULTS, 128m)""";

    private static final long DEFAULT_BYTES = 2L << 30;
    private static final long QUICK_BYTES = 256L << 20;
    private static final long DEFAULT_MAX_SECONDS = 60;
    private static final int DEFAULT_SEGMENT_BYTES = 128 << 20;

    /** @throws IllegalArgumentException on an unknown option or a malformed value, with a message for the user */
    static BenchOptions parse(String[] args) {
        Path parent = Path.of(System.getProperty("java.io.tmpdir"));
        long bytes = DEFAULT_BYTES;
        long maxSeconds = DEFAULT_MAX_SECONDS;
        long segmentBytes = DEFAULT_SEGMENT_BYTES;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dir" -> parent = Path.of(value(args, ++i));
                case "--bytes" -> bytes = parseSize(value(args, ++i));
                case "--quick" -> bytes = QUICK_BYTES;
                case "--max-seconds" -> maxSeconds = Long.parseLong(value(args, ++i));
                case "--segment-bytes" -> segmentBytes = parseSize(value(args, ++i));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (bytes <= 0 || maxSeconds <= 0 || segmentBytes <= 0 || segmentBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("sizes and seconds must be positive (segments below 2 GiB)");
        }
        if (!Files.isDirectory(parent)) {
            throw new IllegalArgumentException(parent + " is not a directory");
        }
        return new BenchOptions(parent, bytes, maxSeconds, (int) segmentBytes);
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    /** Parses {@code 4096}, {@code 64k}, {@code 256m} or {@code 2g} (binary units). */
    static long parseSize(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        int shift = switch (s.isEmpty() ? ' ' : s.charAt(s.length() - 1)) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            default -> 0;
        };
        String digits = shift == 0 ? s : s.substring(0, s.length() - 1);
        try {
            return Math.multiplyExact(Long.parseLong(digits), 1L << shift);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("not a size: " + text);
        }
    }
}
