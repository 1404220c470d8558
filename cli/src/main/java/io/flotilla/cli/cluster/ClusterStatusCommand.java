package io.flotilla.cli.cluster;

import io.flotilla.api.v1.AdminGrpc;
import io.flotilla.api.v1.DescribeClusterRequest;
import io.flotilla.api.v1.DescribeClusterResponse;
import io.flotilla.api.v1.NodeState;
import io.flotilla.api.v1.NodeStatus;
import io.flotilla.api.v1.PartitionSummary;
import io.flotilla.cli.CliContext;
import io.flotilla.cli.ClusterOptions;
import io.flotilla.cli.OutputOption;
import io.flotilla.cli.Table;
import io.flotilla.cli.client.FlotillaClient;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code flotilla cluster status}. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show the cluster as its controller sees it: every node with its state and the partitions it "
                + "leads and holds, the controller's leader, and partition health (leaderless, under-replicated, "
                + "led by a node other than the preferred one).",
            "Nodes report to the controller about once a second, so figures may be that old."})
final class ClusterStatusCommand implements Callable<Integer> {

    private final CliContext context;

    @Mixin
    private ClusterOptions cluster;

    @Mixin
    private OutputOption output;

    ClusterStatusCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        try (FlotillaClient client = cluster.connect()) {
            DescribeClusterResponse status = client.callAnyNode(ch -> AdminGrpc.newBlockingStub(ch)
                    .describeCluster(DescribeClusterRequest.getDefaultInstance()));
            output.print(status, context.out(), out -> print(status, out));
        }
        return 0;
    }

    private static void print(DescribeClusterResponse status, PrintStream out) {
        out.println("cluster " + status.getClusterId() + ": " + status.getNodesCount() + " nodes, controller "
                + (status.getController().getLeaderNodeId() == 0 ? "without a leader"
                        : "led by node " + status.getController().getLeaderNodeId() + " (term "
                                + status.getController().getLeaderTerm() + ")"));
        Table nodes = new Table("NODE", "ADDRESS", "STATE", "LEADS", "REPLICAS", "PREFERRED-LEADER", "LAST-HEARD",
                "CONTROLLER-VOTER");
        for (NodeStatus n : status.getNodesList()) {
            nodes.row(n.getIdentity().getNodeId(), n.getAddress(), state(n.getState()), n.getLeaderCount(),
                    n.getReplicaCount(), n.getPreferredLeaderCount(), heard(n.getLastHeardMsAgo()),
                    n.getControllerVoter() ? "yes" : "no");
        }
        nodes.print(out);
        PartitionSummary s = status.getSummary();
        out.println("partitions: " + s.getPartitionCount() + ", leaderless " + s.getLeaderlessCount()
                + ", under-replicated " + s.getUnderReplicatedCount() + ", not on their preferred leader "
                + s.getNotPreferredLeaderCount());
    }

    private static String state(NodeState state) {
        return switch (state) {
            case NODE_STATE_ALIVE -> "alive";
            case NODE_STATE_UNREACHABLE -> "UNREACHABLE";
            default -> "unknown";
        };
    }

    private static String heard(long msAgo) {
        return msAgo < 0 ? "never" : String.format(Locale.ROOT, "%.1f s ago", msAgo / 1000.0);
    }
}
