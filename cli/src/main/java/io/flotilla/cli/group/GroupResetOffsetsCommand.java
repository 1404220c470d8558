package io.flotilla.cli.group;

import io.flotilla.api.v1.OffsetReset;
import io.flotilla.api.v1.OffsetSpec;
import io.flotilla.api.v1.ResetOffsetsRequest;
import io.flotilla.api.v1.ResetOffsetsResponse;
import io.flotilla.api.v1.TopicPartitions;
import io.flotilla.cli.CliContext;
import io.flotilla.cli.ClusterOptions;
import io.flotilla.cli.OutputOption;
import io.flotilla.cli.Table;
import io.flotilla.cli.TimeArgument;
import io.flotilla.cli.client.FlotillaClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code flotilla group reset-offsets}. */
@Command(name = "reset-offsets", mixinStandardHelpOptions = true,
        description = {"Set a consumer group's committed offsets for a topic's partitions (or some of them) to the "
                + "earliest record held, the latest (the high watermark: skip everything written so far), the first "
                + "record at or after a time, or a given offset. Prints each partition's offset before and after.",
            "Only a group without active members, so that no consumer overwrites the reset: the coordinator refuses "
                + "otherwise. All the partitions are reset together, or none is."})
final class GroupResetOffsetsCommand implements Callable<Integer> {

    private final CliContext context;

    @Spec
    private CommandSpec spec;

    @Mixin
    private ClusterOptions cluster;

    @Mixin
    private OutputOption output;

    @Parameters(index = "0", paramLabel = "GROUP", description = "The group; it must exist.")
    private String group;

    @Option(names = "--topic", paramLabel = "TOPIC", required = true, description = "The topic whose offsets to reset.")
    private String topic;

    @Option(names = "--partition", paramLabel = "P",
            description = "Only this partition; repeatable. Default: every partition of the topic.")
    private List<Integer> partitions = new ArrayList<>();

    @ArgGroup(exclusive = true, multiplicity = "1")
    private Target to;

    /** Where to: exactly one. */
    static final class Target {
        @Option(names = "--to-earliest", required = true, description = "The oldest record each partition holds.")
        boolean earliest;

        @Option(names = "--to-latest", required = true,
                description = "Each partition's high watermark: the group skips every record written so far.")
        boolean latest;

        @Option(names = "--to-offset", paramLabel = "N", required = true,
                description = "Offset N in every partition named; it must lie between the partition's log start "
                        + "and its high watermark.")
        Long offset;

        @Option(names = "--to-time", paramLabel = "TIME", required = true,
                description = "The first record stamped at or after TIME: " + TimeArgument.FORMS + ".")
        String time;
    }

    @Option(names = "--dry-run", description = "Print the offsets the reset would set, changing nothing.")
    private boolean dryRun;

    GroupResetOffsetsCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        for (int p : partitions) {
            if (p < 0) {
                throw new ParameterException(spec.commandLine(), "--partition must be 0 or more, not " + p);
            }
        }
        ResetOffsetsRequest request = ResetOffsetsRequest.newBuilder().setGroupId(group)
                .addPartitions(TopicPartitions.newBuilder().setTopic(topic).addAllPartitions(partitions))
                .setSpec(offsetSpec()).setDryRun(dryRun).build();
        try (FlotillaClient client = cluster.connect()) {
            ResetOffsetsResponse reset = Coordinator.call(client, group, stub -> stub.resetOffsets(request));
            output.print(reset, context.out(), out -> {
                out.println((dryRun ? "would reset (dry run, nothing changed)" : "reset") + " the offsets of group "
                        + group + ":");
                Table table = new Table("TOPIC", "PARTITION", "PREVIOUS-OFFSET", "NEW-OFFSET");
                for (OffsetReset r : reset.getOffsetsList()) {
                    table.row(r.getTopic(), r.getPartition(), r.getPreviousOffset() < 0 ? "-" : r.getPreviousOffset(),
                            r.getNewOffset());
                }
                table.print(out);
            });
        }
        return 0;
    }

    private OffsetSpec offsetSpec() {
        OffsetSpec.Builder where = OffsetSpec.newBuilder(); // a oneof: set exactly one
        if (to.earliest) {
            where.setEarliest(true);
        } else if (to.latest) {
            where.setLatest(true);
        } else if (to.offset != null) {
            if (to.offset < 0) {
                throw new ParameterException(spec.commandLine(), "--to-offset must be 0 or more, not " + to.offset);
            }
            where.setOffset(to.offset);
        } else {
            try {
                where.setTimestampMs(TimeArgument.epochMs(to.time));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--to-time: " + e.getMessage());
            }
        }
        return where.build();
    }
}
