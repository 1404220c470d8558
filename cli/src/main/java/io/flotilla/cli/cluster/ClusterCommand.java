package io.flotilla.cli.cluster;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code flotilla cluster}: groups the commands about the cluster as a whole. */
@Command(name = "cluster", description = "The cluster as a whole: nodes, controller, partition health, partition leadership.",
        mixinStandardHelpOptions = true, subcommands = {ClusterStatusCommand.class, ClusterTransferLeaderCommand.class,
            ClusterRebalanceLeadersCommand.class})
public final class ClusterCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing a cluster command: status, transfer-leader or rebalance-leaders");
    }
}
