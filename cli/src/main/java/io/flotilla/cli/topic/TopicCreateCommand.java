package io.flotilla.cli.topic;

import io.flotilla.api.v1.AdminGrpc;
import io.flotilla.api.v1.CreateTopicRequest;
import io.flotilla.api.v1.CreateTopicResponse;
import io.flotilla.cli.CliContext;
import io.flotilla.cli.ClusterOptions;
import io.flotilla.cli.client.FlotillaClient;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code flotilla topic create}. */
@Command(name = "create", mixinStandardHelpOptions = true,
        description = "Create a topic. Returns once every partition has elected a leader (or after 10 s), "
                + "so records can be produced at once.")
final class TopicCreateCommand implements Callable<Integer> {

    private final CliContext context;

    @Spec
    private CommandSpec spec;

    @Mixin
    private ClusterOptions cluster;

    @Parameters(index = "0", paramLabel = "NAME",
            description = "1..249 characters of a-z A-Z 0-9 . _ -, not starting with __.")
    private String name;

    @Option(names = "--partitions", paramLabel = "N", description = "Partitions, 1..4096 (default: 1).")
    private Integer partitions;

    @Option(names = "--replication-factor", paramLabel = "R",
            description = "Replicas per partition, 1..7 and at most the number of nodes "
                    + "(default: 3, or the number of nodes when fewer).")
    private Integer replicationFactor;

    @Option(names = "--config", paramLabel = "KEY=VALUE",
            description = "A setting that differs from the default; repeatable. Keys: retention_ms, retention_bytes, "
                    + "max_batch_bytes, flush_policy (fsync|page_cache), flush_interval_ms, segment_bytes, segment_ms "
                    + "(admin.proto, TopicConfig; retention.ms spelling works too).")
    private Map<String, String> config = new LinkedHashMap<>();

    TopicCreateCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        CreateTopicRequest.Builder request = CreateTopicRequest.newBuilder().setName(name);
        if (partitions != null) {
            request.setPartitionCount(atLeastOne("--partitions", partitions));
        }
        if (replicationFactor != null) {
            request.setReplicationFactor(atLeastOne("--replication-factor", replicationFactor));
        }
        try {
            request.setConfig(TopicConfigs.parse(config));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--config: " + e.getMessage());
        }
        try (FlotillaClient client = cluster.connect()) {
            CreateTopicResponse created = client.callAnyNode(ch -> AdminGrpc.newBlockingStub(ch)
                    .createTopic(request.build()));
            context.out().println("created topic " + name);
            TopicPrinter.print(created.getTopic(), context.out());
        }
        return 0;
    }

    private int atLeastOne(String option, int value) {
        if (value < 1) {
            throw new ParameterException(spec.commandLine(), option + " must be at least 1, not " + value);
        }
        return value;
    }
}
