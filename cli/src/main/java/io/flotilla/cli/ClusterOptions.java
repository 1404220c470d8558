package io.flotilla.cli;

import io.flotilla.cli.client.Bootstrap;
import io.flotilla.cli.client.ClientConfig;
import io.flotilla.cli.client.FlotillaClient;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The options of every command that talks to a cluster: where it is, and how long to wait. */
public final class ClusterOptions {

    private final CliContext context;

    @Spec(Spec.Target.MIXEE)
    private CommandSpec command;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT[,...]",
            description = "Nodes to start from; the others are found from them. Default: $" + Bootstrap.ENV
                    + ", else " + Bootstrap.DEFAULT + " (node 1 of 'flotilla local').")
    private String bootstrap;

    @Option(names = "--timeout-ms", paramLabel = "MS", defaultValue = "" + ClientConfig.DEFAULT_REQUEST_TIMEOUT_MS,
            description = "Deadline of each call to the cluster (default: ${DEFAULT-VALUE}).")
    private long timeoutMs;

    public ClusterOptions(CliContext context) {
        this.context = context;
    }

    /** Opens a client to the cluster these options name. */
    public FlotillaClient connect() {
        if (timeoutMs < 1) {
            throw new ParameterException(command.commandLine(), "--timeout-ms must be at least 1, not " + timeoutMs);
        }
        try {
            return new FlotillaClient(ClientConfig.defaults(Bootstrap.resolve(bootstrap, context.env()))
                    .withRequestTimeoutMs(timeoutMs));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(command.commandLine(), e.getMessage());
        }
    }
}
