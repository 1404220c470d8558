package io.flotilla.cli;

import io.flotilla.api.v1.FetchedRecord;
import io.flotilla.cli.client.Consumer;
import io.flotilla.cli.client.ConsumerConfig;
import io.flotilla.cli.client.FlotillaClient;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
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

    private static final byte[] NULL_VALUE = "null".getBytes(StandardCharsets.UTF_8);

    private final CliContext context;

    @Spec
    private CommandSpec spec;

    @Mixin
    private ClusterOptions cluster;

    @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic to read.")
    private String topic;

    @Option(names = "--from-beginning",
            description = "Start at the oldest record held. Default: only records written from now on.")
    private boolean fromBeginning;

    @Option(names = "--partition", paramLabel = "P", description = "Read only this partition. Default: all.")
    private Integer partition;

    @Option(names = "--max", paramLabel = "N", description = "Exit after printing N records.")
    private Long max;

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
        long limit = max == null ? Long.MAX_VALUE : max;
        PrintStream out = context.out();
        try (FlotillaClient client = cluster.connect();
                Consumer consumer = Consumer.start(client, topic, partition == null ? List.of() : List.of(partition),
                        fromBeginning ? Consumer.StartAt.EARLIEST : Consumer.StartAt.LATEST, ConsumerConfig.DEFAULTS,
                        warning -> context.err().println("flotilla consume: " + warning))) {
            long printed = 0;
            while (printed < limit) {
                List<FetchedRecord> records = consumer.poll();
                for (int i = 0; i < records.size() && printed < limit; i++, printed++) {
                    FetchedRecord r = records.get(i);
                    if (r.hasValue()) {
                        r.getValue().writeTo(out);
                    } else {
                        out.write(NULL_VALUE, 0, NULL_VALUE.length);
                    }
                    out.write('\n');
                }
                out.flush();
                if (out.checkError()) {
                    return 0; // the reader went away (a closed pipe): nothing left to do
                }
            }
        }
        return 0;
    }
}
