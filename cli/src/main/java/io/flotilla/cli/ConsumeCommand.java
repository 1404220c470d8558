package io.flotilla.cli;

import io.flotilla.api.v1.FetchedRecord;
import io.flotilla.cli.client.Consumer;
import io.flotilla.cli.client.ConsumerConfig;
import io.flotilla.cli.client.FlotillaClient;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code flotilla consume}: print record values, one per line. */
@Command(name = "consume", mixinStandardHelpOptions = true,
        description = {"Print the value of each committed record of a topic, one per line, as the records arrive "
                + "(a record without a value prints as null).",
            "Reads every partition (or one) from its leader; records of one partition come in offset order, "
                + "partitions interleave. Runs until --max records were printed, or Ctrl-C."})
final class ConsumeCommand implements Callable<Integer> {

    private final CliContext context;

    @Spec
    private CommandSpec spec;

    @Mixin
    private ClusterOptions cluster;

    @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic to read.")
    private String topic;

    @ArgGroup(exclusive = true)
    private Start start;

    /** Where to start; without one of these, only records written from now on. */
    static final class Start {
        @Option(names = "--from-beginning", required = true, description = "Start at the oldest record held.")
        boolean fromBeginning;

        @Option(names = "--offset", paramLabel = "N", required = true,
                description = "Start at offset N of every partition read (outside what a partition holds: its "
                        + "nearest end, with a warning).")
        Long offset;

        @Option(names = "--from-time", paramLabel = "TIME", required = true,
                description = "Start at the first record stamped at or after TIME: " + TimeArgument.FORMS + ".")
        String fromTime;
    }

    @Option(names = "--partition", paramLabel = "P", description = "Read only this partition. Default: all.")
    private Integer partition;

    @Option(names = "--max", paramLabel = "N", description = "Exit after printing N records.")
    private Long max;

    // picocli renders descriptions with String.format: each literal % is doubled.
    @Option(names = "--format", paramLabel = "FMT", defaultValue = "%v",
            description = "How each record prints, followed by a newline (default: ${DEFAULT-VALUE}): %%v value, %%k key, "
                    + "%%o offset, %%p partition, %%t timestamp (ms), %%h headers (k=v,...), %%%% a percent sign, "
                    + "\\t a tab. "
                    + "Absent keys and values print as null.")
    private String format;

    ConsumeCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (partition != null && partition < 0) {
            throw new ParameterException(spec.commandLine(), "--partition must be 0 or more, not " + partition);
        }
        if (max != null && max < 1) {
            throw new ParameterException(spec.commandLine(), "--max must be at least 1, not " + max);
        }
        RecordFormat printer;
        try {
            printer = RecordFormat.parse(format);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--format: " + e.getMessage());
        }
        Consumer.StartAt from = startAt();
        long limit = max == null ? Long.MAX_VALUE : max;
        PrintStream out = context.out();
        try (FlotillaClient client = cluster.connect();
                Consumer consumer = Consumer.start(client, topic, partition == null ? List.of() : List.of(partition),
                        from, ConsumerConfig.DEFAULTS, warning -> context.err().println("flotilla consume: " + warning))) {
            long printed = 0;
            while (printed < limit) {
                Consumer.Records polled = consumer.poll();
                List<FetchedRecord> records = polled.records();
                for (int i = 0; i < records.size() && printed < limit; i++, printed++) {
                    printer.print(polled.partition(), records.get(i), out);
                }
                out.flush();
                if (out.checkError()) {
                    return 0; // the reader went away (a closed pipe): nothing left to do
                }
            }
        }
        return 0;
    }

    private Consumer.StartAt startAt() {
        if (start == null) {
            return Consumer.StartAt.LATEST;
        }
        if (start.fromBeginning) {
            return Consumer.StartAt.EARLIEST;
        }
        if (start.offset != null) {
            if (start.offset < 0) {
                throw new ParameterException(spec.commandLine(), "--offset must be 0 or more, not " + start.offset);
            }
            return new Consumer.StartAt.AtOffset(start.offset);
        }
        try {
            return new Consumer.StartAt.AtTime(TimeArgument.epochMs(start.fromTime));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--from-time: " + e.getMessage());
        }
    }
}
