package io.flotilla.cli;

import io.flotilla.api.v1.FetchedRecord;
import io.flotilla.cli.client.ClientException;
import io.flotilla.cli.client.Consumer;
import io.flotilla.cli.client.ConsumerConfig;
import io.flotilla.cli.client.FlotillaClient;
import io.flotilla.cli.client.GroupConsumer;
import io.flotilla.cli.client.GroupConsumerConfig;
import io.flotilla.cli.client.TopicPartition;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
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
                + "partitions interleave. Runs until --max records were printed, or Ctrl-C.",
            "With --group, reads as a member of a consumer group: the group's members share the topic's "
                + "partitions, each starts at the group's committed offset, and what is printed is committed."})
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

    @Option(names = "--group", paramLabel = "GROUP",
            description = "Consume as a member of this consumer group (joined on start, left on exit or Ctrl-C): "
                    + "read the partitions the group assigns, each from the group's committed offset (without one: "
                    + "where --from-beginning, --offset or --from-time say, else from the end), and commit each "
                    + "record once printed, so the next member goes on after it.")
    private String group;

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
        if (group != null && partition != null) {
            throw new ParameterException(spec.commandLine(), "--partition and --group exclude each other: a group "
                    + "member reads the partitions its group assigns it");
        }
        Consumer.StartAt from = startAt();
        long limit = max == null ? Long.MAX_VALUE : max;
        try (FlotillaClient client = cluster.connect()) {
            return group == null ? consume(client, from, printer, limit) : consumeInGroup(client, from, printer, limit);
        }
    }

    private int consume(FlotillaClient client, Consumer.StartAt from, RecordFormat printer, long limit)
            throws IOException, InterruptedException {
        try (Consumer consumer = Consumer.start(client, topic, partition == null ? List.of() : List.of(partition),
                from, ConsumerConfig.DEFAULTS, this::warn)) {
            print(consumer::poll, (polled, count) -> { }, printer, limit);
            return 0;
        }
    }

    /** As a group member, committing each batch once printed; Ctrl-C leaves the group before the JVM exits. */
    private int consumeInGroup(FlotillaClient client, Consumer.StartAt from, RecordFormat printer, long limit)
            throws IOException, InterruptedException {
        client.refreshMetadata(List.of(topic)); // a topic that does not exist is an error here, as without --group
        GroupConsumer consumer = GroupConsumer.start(client, group, List.of(topic),
                GroupConsumerConfig.DEFAULTS.withResetTo(from), new GroupConsumer.Listener() {
                    @Override
                    public void warn(String message) {
                        ConsumeCommand.this.warn(message);
                    }
                });
        AtomicBoolean interrupted = new AtomicBoolean();
        Thread leaveOnExit = new Thread(() -> {
            interrupted.set(true);
            consumer.close();
        }, "flotilla-consume-leave");
        Runtime.getRuntime().addShutdownHook(leaveOnExit);
        try {
            print(() -> consumer.poll(Long.MAX_VALUE), (polled, count) -> commit(consumer, polled, count), printer,
                    limit);
        } catch (IllegalStateException closed) {
            if (!interrupted.get()) {
                throw closed;
            }
        } finally {
            consumer.close();
            if (!interrupted.get()) {
                Runtime.getRuntime().removeShutdownHook(leaveOnExit);
            }
        }
        return 0;
    }

    /** Commits the first {@code count} records of {@code polled}, which were printed. */
    private void commit(GroupConsumer consumer, Consumer.Records polled, int count) {
        TopicPartition p = new TopicPartition(polled.topic(), polled.partition());
        long next = polled.records().get(count - 1).getOffset() + 1;
        try {
            consumer.commit(Map.of(p, next));
        } catch (ClientException e) {
            // The member goes on (it heartbeats through coordinator failovers); these records are
            // printed again by whoever reads the partition next from the group's offset.
            warn("could not commit offset " + next + " of " + p + ": " + e.getMessage());
        }
    }

    /** Where the records to print come from. */
    @FunctionalInterface
    private interface Poll {
        Consumer.Records next() throws InterruptedException;
    }

    /** What follows printing the first {@code count} records of a poll. */
    @FunctionalInterface
    private interface Printed {
        void after(Consumer.Records polled, int count);
    }

    /** Prints polled records until {@code limit} were, or the reader went away (a closed pipe). */
    private void print(Poll poll, Printed printed, RecordFormat printer, long limit)
            throws IOException, InterruptedException {
        PrintStream out = context.out();
        long done = 0;
        while (done < limit) {
            Consumer.Records polled = poll.next();
            List<FetchedRecord> records = polled.records();
            int count = (int) Math.min(records.size(), limit - done);
            for (int i = 0; i < count; i++) {
                printer.print(polled.partition(), records.get(i), out);
            }
            out.flush();
            if (out.checkError()) {
                return;
            }
            if (count > 0) {
                printed.after(polled, count);
            }
            done += count;
        }
    }

    private void warn(String message) {
        context.err().println("flotilla consume: " + message);
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
