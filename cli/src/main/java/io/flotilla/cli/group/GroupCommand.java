package io.flotilla.cli.group;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code flotilla group}: groups the consumer group commands. */
@Command(name = "group", description = "List, describe and delete consumer groups, and reset their committed offsets.",
        mixinStandardHelpOptions = true,
        subcommands = {GroupListCommand.class, GroupDescribeCommand.class, GroupResetOffsetsCommand.class,
            GroupDeleteCommand.class})
public final class GroupCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing a group command: list, describe, reset-offsets or delete");
    }
}
