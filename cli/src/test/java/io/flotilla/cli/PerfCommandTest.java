package io.flotilla.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.flotilla.api.v1.Record;
import io.flotilla.cli.client.FakeCluster;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** perf produce and perf consume through the command line, against fake nodes. */
class PerfCommandTest {

    private static final Pattern JSON = Pattern.compile("\\{\"command\":\"(perf \\w+)\",\"records\":(\\d+),"
            + "\"failed\":(\\d+),\"bytes\":(\\d+),\"seconds\":([\\d.]+),\"records_per_second\":([\\d.]+),"
            + "\"mb_per_second\":([\\d.]+),\"latency_ms\":\\{\"p50\":([\\d.]+),\"p99\":([\\d.]+),"
            + "\"p99_9\":([\\d.]+),\"max\":([\\d.]+)}}\n");

    private FakeCluster cluster;

    @BeforeEach
    void start() throws IOException {
        cluster = new FakeCluster(2, "orders", 3);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void produceWritesEveryRecordOfTheGivenSizeAndPrintsTheFiguresAsJson() {
        CliRun r = CliRun.run("", "perf", "produce", "orders", "--records", "3000", "--record-size", "100",
                "--output", "json", "--bootstrap", cluster.bootstrap());

        assertEquals(0, r.code(), r.err());
        Matcher m = json(r.out());
        assertEquals("perf produce", m.group(1));
        assertEquals("3000", m.group(2), "records acknowledged");
        assertEquals("0", m.group(3), "failed");
        assertEquals("300000", m.group(4), "value bytes");
        double p50 = Double.parseDouble(m.group(8));
        double p99 = Double.parseDouble(m.group(9));
        double max = Double.parseDouble(m.group(11));
        assertTrue(p50 > 0 && p50 <= p99 && p99 <= max, r.out());
        List<Record> written = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            written.addAll(cluster.log(p));
        }
        assertEquals(3000, written.size(), "every record reached a partition once");
        assertTrue(written.stream().allMatch(rec -> rec.getValue().size() == 100 && !rec.hasKey()));
    }

    @Test
    void atAFixedRateTheRunLastsAtLeastUntilTheLastRecordsIntendedSendTime() {
        CliRun r = CliRun.run("", "perf", "produce", "orders", "--records", "200", "--rate", "1000",
                "--output", "json", "--bootstrap", cluster.bootstrap());

        assertEquals(0, r.code(), r.err());
        Matcher m = json(r.out());
        assertEquals("200", m.group(2));
        // record n is meant to go at start + (n - 1) ms, so the last one no sooner than 199 ms in
        assertTrue(Double.parseDouble(m.group(5)) >= 0.199, r.out());
    }

    @Test
    void produceTablePrintsThroughputAndLatencyPercentiles() {
        CliRun r = CliRun.run("", "perf", "produce", "orders", "--records", "500", "--record-size", "10",
                "--bootstrap", cluster.bootstrap());

        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().matches("500 records in [\\d.]+ s: [\\d,]+ records/s, [\\d.]+ MB/s\n"
                + "latency ms: p50 [\\d.]+, p99 [\\d.]+, p99\\.9 [\\d.]+, max [\\d.]+\n"), r.out());
    }

    @Test
    void consumeReadsTheRecordsAskedForAndReportsTheirBytes() {
        cluster.preload(0, records(4, 50));
        cluster.preload(2, records(6, 50));

        CliRun r = CliRun.run("", "perf", "consume", "orders", "--records", "10", "--output", "json",
                "--bootstrap", cluster.bootstrap());

        assertEquals(0, r.code(), r.err());
        Matcher m = json(r.out());
        assertEquals("perf consume", m.group(1));
        assertEquals("10", m.group(2));
        assertEquals("500", m.group(4));
    }

    @Test
    void consumeThatRunsOutOfRecordsSaysHowManyArrivedAndExits1() {
        cluster.preload(1, records(3, 5));

        CliRun r = CliRun.run("", "perf", "consume", "orders", "--records", "10", "--idle-timeout-ms", "300",
                "--bootstrap", cluster.bootstrap());

        assertEquals(1, r.code(), r.err());
        assertTrue(r.out().startsWith("3 records in "), r.out());
        assertArrayEquals(new String[] {"flotilla perf consume: only 3 of 10 records arrived; none for the last 300 ms"},
                r.errLines());
    }

    @Test
    void badSettingsAreUsageErrorsThatSendNothing() {
        assertUsage("flotilla perf produce: --records must be at least 1, not 0", "produce", "--records", "0");
        assertUsage("flotilla perf produce: --producers must be 1..64, not 65", "produce", "--producers", "65");
        assertUsage("flotilla perf produce: --rate must be 0 (as fast as possible) or more, not -5", "produce",
                "--rate", "-5");
        assertUsage("flotilla perf produce: Invalid value for option '--output': expected one of [table, json] "
                + "(case-sensitive) but was 'xml'", "produce", "--output", "xml");
        assertUsage("flotilla perf consume: --idle-timeout-ms must be at least 1, not 0", "consume",
                "--idle-timeout-ms", "0");
        assertEquals(0, cluster.received.size(), "nothing was sent");
    }

    private void assertUsage(String message, String... args) {
        String[] line = new String[args.length + 3];
        line[0] = "perf";
        System.arraycopy(args, 0, line, 1, args.length);
        line[args.length + 1] = "--bootstrap";
        line[args.length + 2] = cluster.bootstrap();
        CliRun r = CliRun.run("", line);
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith(message), r.err());
    }

    private static Matcher json(String out) {
        Matcher m = JSON.matcher(out);
        assertTrue(m.matches(), out);
        return m;
    }

    private static List<Record> records(int count, int valueBytes) {
        List<Record> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(Record.newBuilder().setValue(ByteString.copyFrom(new byte[valueBytes]))
                    .setTimestampMs(System.currentTimeMillis()).build());
        }
        return records;
    }
}
