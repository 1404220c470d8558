package io.flotilla.cli.topic;

import io.flotilla.api.v1.AdminGrpc;
import io.flotilla.api.v1.DescribeTopicsRequest;
import io.flotilla.api.v1.DescribeTopicsResponse;
import io.flotilla.api.v1.TopicDescription;
import io.flotilla.cli.CliContext;
import io.flotilla.cli.ClusterOptions;
import io.flotilla.cli.OutputOption;
import io.flotilla.cli.client.FlotillaClient;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code flotilla topic describe}. */
@Command(name = "describe", mixinStandardHelpOptions = true,
        description = "Show topics: configuration, and per partition its leader, replicas, high watermark and "
                + "log start (as leaders last reported them, about once a second).")
final class TopicDescribeCommand implements Callable<Integer> {

    private final CliContext context;

    @Mixin
    private ClusterOptions cluster;

    @Mixin
    private OutputOption output;

    @Parameters(paramLabel = "NAME", arity = "1..*", description = "Topics to describe.")
    private List<String> names;

    TopicDescribeCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        try (FlotillaClient client = cluster.connect()) {
            DescribeTopicsResponse described = client.callAnyNode(ch -> AdminGrpc.newBlockingStub(ch)
                    .describeTopics(DescribeTopicsRequest.newBuilder().addAllNames(names).build()));
            output.print(described, context.out(), out -> {
                for (int i = 0; i < described.getTopicsCount(); i++) {
                    if (i > 0) {
                        out.println();
                    }
                    TopicPrinter.print(described.getTopics(i), out);
                }
            });
        }
        return 0;
    }
}
