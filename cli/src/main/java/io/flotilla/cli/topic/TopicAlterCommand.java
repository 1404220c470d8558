package io.flotilla.cli.topic;

import io.flotilla.api.v1.AdminGrpc;
import io.flotilla.api.v1.AlterReplicationFactorRequest;
import io.flotilla.api.v1.AlterTopicConfigRequest;
import io.flotilla.api.v1.AlterTopicConfigResponse;
import io.flotilla.api.v1.CreatePartitionsRequest;
import io.flotilla.api.v1.DescribeTopicsRequest;
import io.flotilla.cli.CliContext;
import io.flotilla.cli.ClusterOptions;
import io.flotilla.cli.client.FlotillaClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code flotilla topic alter}. */
@Command(name = "alter", mixinStandardHelpOptions = true,
        description = {"Change a topic: its settings (--config, --reset), its partition count (--partitions, only "
                + "upwards) or its replication factor (--replication-factor). Prints the topic afterwards.",
            "Each change is checked in full before anything is applied; --validate-only checks and changes nothing."})
final class TopicAlterCommand implements Callable<Integer> {

    private final CliContext context;

    @Spec
    private CommandSpec spec;

    @Mixin
    private ClusterOptions cluster;

    @Parameters(index = "0", paramLabel = "NAME", description = "The topic.")
    private String name;

    @Option(names = "--config", paramLabel = "KEY=VALUE",
            description = "Set a setting (admin.proto TopicConfig names: retention_ms=86400000; retention.ms works "
                    + "too). Repeatable.")
    private Map<String, String> config = new LinkedHashMap<>();

    @Option(names = "--reset", paramLabel = "KEY", description = "Reset a setting to its default. Repeatable.")
    private List<String> reset = new ArrayList<>();

    @Option(names = "--partitions", paramLabel = "N", description = "Raise the partition count to N (at most 4096).")
    private Integer partitions;

    @Option(names = "--replication-factor", paramLabel = "R",
            description = "Change the replication factor (new replicas copy the log as learners first).")
    private Integer replicationFactor;

    @Option(names = "--validate-only", description = "Check the change and print its outcome without applying it.")
    private boolean validateOnly;

    TopicAlterCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        if (config.isEmpty() && reset.isEmpty() && partitions == null && replicationFactor == null) {
            throw new ParameterException(spec.commandLine(), "nothing to change: give --config, --reset, "
                    + "--partitions or --replication-factor");
        }
        AlterTopicConfigRequest.Builder alter = AlterTopicConfigRequest.newBuilder().setName(name)
                .setValidateOnly(validateOnly);
        try {
            alter.setSet(TopicConfigs.parse(config));
            reset.forEach(key -> alter.addReset(TopicConfigs.fieldName(key)));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        try (FlotillaClient client = cluster.connect()) {
            if (!config.isEmpty() || !reset.isEmpty()) {
                AlterTopicConfigResponse r = client.callAnyNode(ch -> AdminGrpc.newBlockingStub(ch)
                        .alterTopicConfig(alter.build()));
                context.out().println((validateOnly ? "would set " : "set ") + "config of " + name + ": "
                        + TopicConfigs.format(r.getConfig()));
            }
            if (partitions != null) {
                client.callAnyNode(ch -> AdminGrpc.newBlockingStub(ch).createPartitions(CreatePartitionsRequest
                        .newBuilder().setName(name).setPartitionCount(partitions).setValidateOnly(validateOnly).build()));
                context.out().println((validateOnly ? "would raise " : "raised ") + name + " to " + partitions
                        + " partitions");
            }
            if (replicationFactor != null) {
                client.callAnyNode(ch -> AdminGrpc.newBlockingStub(ch).alterReplicationFactor(
                        AlterReplicationFactorRequest.newBuilder().setName(name).setReplicationFactor(replicationFactor)
                                .setValidateOnly(validateOnly).build()));
                context.out().println((validateOnly ? "would change " : "changing ") + name
                        + " to replication factor " + replicationFactor);
            }
            TopicPrinter.print(client.callAnyNode(ch -> AdminGrpc.newBlockingStub(ch).describeTopics(
                    DescribeTopicsRequest.newBuilder().addNames(name).build())).getTopics(0), context.out());
        }
        return 0;
    }
}
