package io.flotilla.cli.cluster;

import io.flotilla.api.v1.AdminGrpc;
import io.flotilla.api.v1.LeaderMove;
import io.flotilla.api.v1.RebalanceLeadersRequest;
import io.flotilla.api.v1.RebalanceLeadersResponse;
import io.flotilla.cli.CliContext;
import io.flotilla.cli.ClusterOptions;
import io.flotilla.cli.OutputOption;
import io.flotilla.cli.Table;
import io.flotilla.cli.client.FlotillaClient;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code flotilla cluster rebalance-leaders}. */
@Command(name = "rebalance-leaders", mixinStandardHelpOptions = true,
        description = {"Spread partition leadership evenly over the alive nodes: choose each partition's preferred "
                + "leader among its replicas, commit the changed preferences, and let the leader balancer move "
                + "leadership. Prints the moves."})
final class ClusterRebalanceLeadersCommand implements Callable<Integer> {

    private final CliContext context;

    @Spec
    private CommandSpec spec;

    @Mixin
    private ClusterOptions cluster;

    @Mixin
    private OutputOption output;

    @Parameters(paramLabel = "TOPIC", arity = "0..*", description = "Only these topics. Default: every partition.")
    private List<String> topics = List.of();

    @Option(names = "--dry-run", description = "List the moves without changing anything.")
    private boolean dryRun;

    @Option(names = "--wait-ms", paramLabel = "MS", defaultValue = "0",
            description = "Wait up to MS for the moves to happen (default: ${DEFAULT-VALUE}: answer once committed).")
    private int waitMs;

    ClusterRebalanceLeadersCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        if (waitMs < 0 || waitMs > 60_000) {
            throw new ParameterException(spec.commandLine(), "--wait-ms must be 0..60000, not " + waitMs);
        }
        try (FlotillaClient client = cluster.connect()) {
            RebalanceLeadersResponse r = client.callAnyNode(ch -> AdminGrpc.newBlockingStub(ch)
                    .rebalanceLeaders(RebalanceLeadersRequest.newBuilder().setDryRun(dryRun).addAllTopics(topics)
                            .setWaitMs(waitMs).build()));
            output.print(r, context.out(), out -> {
                if (r.getMovesCount() == 0) {
                    out.println("leadership is already even: nothing to move");
                    return;
                }
                Table table = new Table("TOPIC", "PARTITION", "FROM", "TO", "DONE");
                for (LeaderMove m : r.getMovesList()) {
                    table.row(m.getTopic(), m.getPartition(), m.getFromNodeId() == 0 ? "-" : m.getFromNodeId(),
                            m.getToNodeId(), dryRun ? "dry run" : m.getDone() ? "yes" : "not yet");
                }
                table.print(out);
            });
            return 0;
        }
    }
}
