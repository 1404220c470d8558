package io.flotilla.cli.group;

import io.flotilla.api.v1.ConsumerGroupsGrpc;
import io.flotilla.api.v1.GroupListing;
import io.flotilla.api.v1.ListGroupsRequest;
import io.flotilla.api.v1.ListGroupsResponse;
import io.flotilla.cli.ApiEnums;
import io.flotilla.cli.CliContext;
import io.flotilla.cli.ClusterOptions;
import io.flotilla.cli.OutputOption;
import io.flotilla.cli.Table;
import io.flotilla.cli.client.FlotillaClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code flotilla group list}. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List the consumer groups of the cluster with their state, member count and coordinator node.",
        footer = "Exit codes: 0 the list is complete; 1 refused, or some coordinator did not answer (the groups it "
                + "holds are missing from the list); 2 bad usage.")
final class GroupListCommand implements Callable<Integer> {

    private final CliContext context;

    @Spec
    private CommandSpec spec;

    @Mixin
    private ClusterOptions cluster;

    @Mixin
    private OutputOption output;

    GroupListCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        try (FlotillaClient client = cluster.connect()) {
            ListGroupsResponse listed = client.callAnyNode(ch -> ConsumerGroupsGrpc.newBlockingStub(ch)
                    .listGroups(ListGroupsRequest.getDefaultInstance()));
            output.print(listed, context.out(), out -> {
                Table table = new Table("GROUP", "STATE", "MEMBERS", "COORDINATOR");
                for (GroupListing g : listed.getGroupsList()) {
                    table.row(g.getGroupId(), ApiEnums.shortName(g.getState()), g.getMemberCount(),
                            g.getCoordinatorNodeId());
                }
                table.print(out);
            });
            if (!listed.getComplete()) {
                context.err().println(spec.qualifiedName() + ": the list is incomplete: some coordinator did not "
                        + "answer, and the groups it holds are missing; try again shortly");
                return 1;
            }
        }
        return 0;
    }
}
