package io.flotilla.cli.group;

import io.flotilla.api.v1.DescribeGroupRequest;
import io.flotilla.api.v1.DescribeGroupResponse;
import io.flotilla.api.v1.GroupPartition;
import io.flotilla.api.v1.MemberDescription;
import io.flotilla.api.v1.TopicPartitions;
import io.flotilla.cli.ApiEnums;
import io.flotilla.cli.CliContext;
import io.flotilla.cli.ClusterOptions;
import io.flotilla.cli.OutputOption;
import io.flotilla.cli.Table;
import io.flotilla.cli.client.FlotillaClient;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code flotilla group describe}. */
@Command(name = "describe", mixinStandardHelpOptions = true,
        description = {"Show a consumer group as its coordinator knows it: state, group epoch, assignor, the members "
                + "with the partitions each owns, and per partition the committed offset (CURRENT-OFFSET), the high "
                + "watermark (Kafka's LOG-END-OFFSET: the end of what consumers can read), the lag between the two and "
                + "the owning member.",
            "High watermarks come from the coordinator's own replica of each partition, so they may be a little "
                + "behind the leader's; '-' where it holds none, or where nothing was committed."})
final class GroupDescribeCommand implements Callable<Integer> {

    private final CliContext context;

    @Mixin
    private ClusterOptions cluster;

    @Mixin
    private OutputOption output;

    @Parameters(index = "0", paramLabel = "GROUP", description = "The group.")
    private String group;

    GroupDescribeCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        try (FlotillaClient client = cluster.connect()) {
            DescribeGroupResponse described = Coordinator.call(client, group, stub -> stub.describeGroup(
                    DescribeGroupRequest.newBuilder().setGroupId(group).build()));
            output.print(described, context.out(), out -> print(described, out));
        }
        return 0;
    }

    private static void print(DescribeGroupResponse g, PrintStream out) {
        out.println("group " + g.getGroupId() + ": " + ApiEnums.shortName(g.getState()) + ", group epoch "
                + g.getGroupEpoch() + ", assignor " + ApiEnums.shortName(g.getAssignor()) + ", coordinator node "
                + g.getCoordinatorNodeId() + ", " + (g.getMembersCount() == 0 ? "no active members"
                        : g.getMembersCount() + (g.getMembersCount() == 1 ? " member" : " members")));
        if (g.getMembersCount() > 0) {
            Table members = new Table("MEMBER", "CLIENT-ID", "HOST", "EPOCH", "ASSIGNMENT", "LAST-HEARTBEAT");
            for (MemberDescription m : g.getMembersList()) {
                String owned = partitions(m.getAssignmentList());
                String target = partitions(m.getTargetAssignmentList());
                members.row(m.getMemberId(), orDash(m.getClientId()), orDash(m.getClientHost()), m.getMemberEpoch(),
                        owned.equals(target) ? owned : owned + " (target " + target + ")",
                        String.format(Locale.ROOT, "%.1f s ago", m.getLastHeartbeatMsAgo() / 1000.0));
            }
            members.print(out);
        }
        Table partitions = new Table("TOPIC", "PARTITION", "CURRENT-OFFSET", "HIGH-WATERMARK", "LAG", "MEMBER");
        for (GroupPartition p : g.getPartitionsList()) {
            partitions.row(p.getTopic(), p.getPartition(), orDash(p.getCommittedOffset()), orDash(p.getHighWatermark()),
                    orDash(p.getLag()), orDash(p.getOwnerMemberId()));
        }
        partitions.print(out);
    }

    /** "orders(0,1) audit(2)", as Kafka's tools write assignments; "-" for none. */
    private static String partitions(List<TopicPartitions> byTopic) {
        StringJoiner out = new StringJoiner(" ");
        for (TopicPartitions t : byTopic) {
            out.add(t.getTopic() + t.getPartitionsList().stream().map(String::valueOf)
                    .collect(Collectors.joining(",", "(", ")")));
        }
        return orDash(out.toString());
    }

    private static String orDash(String text) {
        return text.isEmpty() ? "-" : text;
    }

    private static String orDash(long offset) {
        return offset < 0 ? "-" : Long.toString(offset);
    }
}
