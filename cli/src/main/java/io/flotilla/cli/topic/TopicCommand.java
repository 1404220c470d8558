package io.flotilla.cli.topic;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code flotilla topic}: groups the topic commands. */
@Command(name = "topic", description = "Create, describe, list, alter and delete topics.",
        mixinStandardHelpOptions = true,
        subcommands = {TopicCreateCommand.class, TopicDescribeCommand.class, TopicListCommand.class,
            TopicDeleteCommand.class, TopicAlterCommand.class})
public final class TopicCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing a topic command: create, describe, list, alter or delete");
    }
}
