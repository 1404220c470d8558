package io.flotilla.cli.cluster;

import io.flotilla.api.v1.AdminGrpc;
import io.flotilla.api.v1.TransferLeadershipRequest;
import io.flotilla.api.v1.TransferLeadershipResponse;
import io.flotilla.cli.CliContext;
import io.flotilla.cli.ClusterOptions;
import io.flotilla.cli.OutputOption;
import io.flotilla.cli.client.FlotillaClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code flotilla cluster transfer-leader}. */
@Command(name = "transfer-leader", mixinStandardHelpOptions = true,
        description = {"Move a partition's leadership to another of its replicas, which becomes its preferred leader "
                + "(so the leader balancer keeps it there).",
            "Waits until the target leads, or --timeout-ms passed; in the second case the target stays preferred and "
                + "the balancer hands over when it can."},
        footer = "Exit codes: 0 the target leads; 1 refused, or not done within the timeout; 2 bad usage.")
final class ClusterTransferLeaderCommand implements Callable<Integer> {

    private final CliContext context;

    @Spec
    private CommandSpec spec;

    @Mixin
    private ClusterOptions cluster;

    @Mixin
    private OutputOption output;

    @Parameters(index = "0", paramLabel = "TOPIC", description = "The partition's topic.")
    private String topic;

    @Parameters(index = "1", paramLabel = "PARTITION", description = "The partition's index.")
    private int partition;

    @Option(names = "--to", paramLabel = "NODE",
            description = "The replica to lead. Default: the most caught-up replica other than the leader.")
    private int target;

    @Option(names = "--wait-ms", paramLabel = "MS", defaultValue = "10000",
            description = "How long to wait for the target to lead (default: ${DEFAULT-VALUE}; at most 60000).")
    private int waitMs;

    ClusterTransferLeaderCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        if (partition < 0 || target < 0 || waitMs < 1 || waitMs > 60_000) {
            throw new ParameterException(spec.commandLine(), "PARTITION and --to must be 0 or more and --wait-ms "
                    + "1..60000, not " + partition + ", " + target + " and " + waitMs);
        }
        try (FlotillaClient client = cluster.connect()) {
            TransferLeadershipResponse r = client.callAnyNode(ch -> AdminGrpc.newBlockingStub(ch)
                    .transferLeadership(TransferLeadershipRequest.newBuilder().setTopic(topic).setPartition(partition)
                            .setTargetNodeId(target).setTimeoutMs(waitMs).build()));
            output.print(r, context.out(), out -> out.println(r.getDone()
                    ? topic + "-" + partition + " is led by node " + r.getLeaderNodeId() + " (term " + r.getLeaderTerm()
                            + ")"
                    : topic + "-" + partition + ": the target did not lead within " + waitMs + " ms (led by node "
                            + r.getLeaderNodeId() + "); it stays the preferred leader and the balancer hands over "
                            + "when it can"));
            return r.getDone() ? 0 : 1;
        }
    }
}
