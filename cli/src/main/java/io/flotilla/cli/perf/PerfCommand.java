package io.flotilla.cli.perf;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code flotilla perf}: groups the load generators. */
@Command(name = "perf", description = "Measure a cluster: produce or consume load with throughput and latency figures.",
        mixinStandardHelpOptions = true, subcommands = {PerfProduceCommand.class, PerfConsumeCommand.class})
public final class PerfCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing a perf command: produce or consume");
    }
}
