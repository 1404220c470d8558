package io.flotilla.cli.group;

import io.flotilla.api.v1.DeleteGroupRequest;
import io.flotilla.cli.CliContext;
import io.flotilla.cli.ClusterOptions;
import io.flotilla.cli.client.FlotillaClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code flotilla group delete}. */
@Command(name = "delete", mixinStandardHelpOptions = true,
        description = "Delete a consumer group and its committed offsets. Only a group without active members: "
                + "the coordinator refuses otherwise.")
final class GroupDeleteCommand implements Callable<Integer> {

    private final CliContext context;

    @Mixin
    private ClusterOptions cluster;

    @Parameters(index = "0", paramLabel = "GROUP", description = "The group to delete.")
    private String group;

    GroupDeleteCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        try (FlotillaClient client = cluster.connect()) {
            Coordinator.call(client, group, stub -> stub.deleteGroup(DeleteGroupRequest.newBuilder().setGroupId(group)
                    .build()));
            context.out().println("deleted group " + group);
        }
        return 0;
    }
}
