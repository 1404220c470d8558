package io.flotilla.cli.perf;

import io.flotilla.api.v1.FetchedRecord;
import io.flotilla.cli.CliContext;
import io.flotilla.cli.ClusterOptions;
import io.flotilla.cli.OutputOption;
import io.flotilla.cli.client.Consumer;
import io.flotilla.cli.client.ConsumerConfig;
import io.flotilla.cli.client.FlotillaClient;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code flotilla perf consume}: reads a topic from its start and reports throughput and latency. */
@Command(name = "consume", mixinStandardHelpOptions = true,
        description = {"Read a topic's records from the oldest held, every partition from its leader, and report "
                + "records/s, MB/s and each record's end-to-end latency: from its timestamp (the producer's, or "
                + "the leader's append time) to its arrival here.",
            "Run it beside 'perf produce' to measure end-to-end latency; over a backlog the latency is the age "
                + "of the records. Stops after --records records, or when none arrived for --idle-timeout-ms."},
        footer = "Exit codes: 0 --records were read; 1 fewer arrived, or the cluster refused; 2 bad usage.")
final class PerfConsumeCommand implements Callable<Integer> {

    private final CliContext context;

    @Spec
    private CommandSpec spec;

    @Mixin
    private ClusterOptions cluster;

    @Parameters(index = "0", paramLabel = "TOPIC", defaultValue = "perf",
            description = "The topic to read (default: ${DEFAULT-VALUE}).")
    private String topic;

    @Option(names = "--records", paramLabel = "N", defaultValue = "1000000",
            description = "Stop after this many records (default: ${DEFAULT-VALUE}).")
    private long records;

    @Option(names = "--idle-timeout-ms", paramLabel = "MS", defaultValue = "10000",
            description = "Stop when no record arrived for this long (default: ${DEFAULT-VALUE}).")
    private long idleTimeoutMs;

    @Mixin
    private OutputOption output;

    PerfConsumeCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws InterruptedException {
        if (records < 1) {
            throw new ParameterException(spec.commandLine(), "--records must be at least 1, not " + records);
        }
        if (idleTimeoutMs < 1) {
            throw new ParameterException(spec.commandLine(), "--idle-timeout-ms must be at least 1, not "
                    + idleTimeoutMs);
        }
        try (FlotillaClient client = cluster.connect();
             LatencyLog log = new LatencyLog(context.progress());
             Consumer consumer = Consumer.start(client, topic, List.of(), Consumer.StartAt.EARLIEST,
                     ConsumerConfig.DEFAULTS, warning -> context.err().println("flotilla perf consume: " + warning))) {
            long start = System.nanoTime();
            long last = start;
            while (log.records() < records) {
                List<FetchedRecord> batch = consumer.poll(idleTimeoutMs).records();
                if (batch.isEmpty()) {
                    break;
                }
                long nowMs = System.currentTimeMillis();
                for (int i = 0; i < batch.size() && log.records() < records; i++) {
                    FetchedRecord r = batch.get(i);
                    log.record(TimeUnit.MILLISECONDS.toNanos(nowMs - r.getTimestampMs()), r.getValue().size());
                }
                last = System.nanoTime();
            }
            PerfFigures figures = new PerfFigures("perf consume", log.records(), 0, log.bytes(), (last - start) / 1e9,
                    log.finish());
            context.out().print(output.json() ? figures.json() : figures.table());
            if (log.records() < records) {
                context.err().println("flotilla perf consume: only " + log.records() + " of " + records
                        + " records arrived; none for the last " + idleTimeoutMs + " ms");
                return 1;
            }
            return 0;
        }
    }
}
