package io.flotilla.cli;

import io.flotilla.cli.cluster.ClusterCommand;
import io.flotilla.cli.group.GroupCommand;
import io.flotilla.cli.local.LocalCommand;
import io.flotilla.cli.perf.PerfCommand;
import io.flotilla.cli.topic.TopicCommand;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The {@code flotilla} command. */
@Command(name = "flotilla", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Flotilla: a Kafka-style message broker where every partition is its own Raft group.",
        subcommands = {ServerCommand.class, LocalCommand.class, TopicCommand.class, ProduceCommand.class, ConsumeCommand.class,
            ClusterCommand.class, PerfCommand.class, GroupCommand.class,
            CommandLine.HelpCommand.class, AutoComplete.GenerateCompletion.class},
        footer = {"", "Exit codes: 0 done; 1 the cluster refused or could not be reached (the message says why); "
                + "2 bad usage.",
            "Try: flotilla local, then in another terminal: flotilla topic create orders --partitions 3; "
                + "seq 10 | flotilla produce orders; flotilla consume orders --from-beginning --max 10"})
public final class Main implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(CliContext.system(), args));
    }

    /** Runs a command line and returns its exit code. */
    public static int run(CliContext context, String... args) {
        return commandLine(context).execute(args);
    }

    /** The whole command tree, writing to the context's streams. */
    static CommandLine commandLine(CliContext context) {
        ErrorHandler errors = new ErrorHandler();
        return new CommandLine(new Main(), new CommandFactory(context))
                .setOut(new PrintWriter(context.out(), true, StandardCharsets.UTF_8))
                .setErr(new PrintWriter(context.err(), true, StandardCharsets.UTF_8))
                .setParameterExceptionHandler(errors)
                .setExecutionExceptionHandler(errors);
    }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing a command: server, local, topic, produce, consume, group, cluster, perf or help");
    }

    @Command(name = "version", description = "Print the version.")
    int version() {
        spec.commandLine().getOut().println("flotilla " + VersionProvider.version());
        return 0;
    }
}
