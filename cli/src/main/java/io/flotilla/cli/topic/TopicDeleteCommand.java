package io.flotilla.cli.topic;

import io.flotilla.api.v1.AdminGrpc;
import io.flotilla.api.v1.DeleteTopicRequest;
import io.flotilla.cli.CliContext;
import io.flotilla.cli.ClusterOptions;
import io.flotilla.cli.client.FlotillaClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code flotilla topic delete}. */
@Command(name = "delete", mixinStandardHelpOptions = true,
        description = "Delete a topic and all its records. The name can be reused at once.")
final class TopicDeleteCommand implements Callable<Integer> {

    private final CliContext context;

    @Mixin
    private ClusterOptions cluster;

    @Parameters(index = "0", paramLabel = "NAME", description = "The topic to delete.")
    private String name;

    TopicDeleteCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        try (FlotillaClient client = cluster.connect()) {
            client.callAnyNode(ch -> AdminGrpc.newBlockingStub(ch)
                    .deleteTopic(DeleteTopicRequest.newBuilder().setName(name).build()));
            context.out().println("deleted topic " + name);
        }
        return 0;
    }
}
