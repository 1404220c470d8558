package io.flotilla.cli.topic;

import io.flotilla.api.v1.AdminGrpc;
import io.flotilla.api.v1.ListTopicsRequest;
import io.flotilla.api.v1.ListTopicsResponse;
import io.flotilla.api.v1.TopicListing;
import io.flotilla.cli.CliContext;
import io.flotilla.cli.ClusterOptions;
import io.flotilla.cli.OutputOption;
import io.flotilla.cli.Table;
import io.flotilla.cli.client.FlotillaClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code flotilla topic list}. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List topics by name.")
final class TopicListCommand implements Callable<Integer> {

    private final CliContext context;

    @Mixin
    private ClusterOptions cluster;

    @Mixin
    private OutputOption output;

    @Option(names = "--internal", description = "Include the cluster's internal topics (names starting __).")
    private boolean internal;

    TopicListCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        try (FlotillaClient client = cluster.connect()) {
            ListTopicsResponse listed = client.callAnyNode(ch -> AdminGrpc.newBlockingStub(ch)
                    .listTopics(ListTopicsRequest.newBuilder().setIncludeInternal(internal).build()));
            output.print(listed, context.out(), out -> {
                Table table = new Table("NAME", "PARTITIONS", "REPLICATION-FACTOR");
                for (TopicListing t : listed.getTopicsList()) {
                    table.row(t.getName() + (t.getInternal() ? " (internal)" : ""), t.getPartitionCount(),
                            t.getReplicationFactor());
                }
                table.print(out);
            });
        }
        return 0;
    }
}
