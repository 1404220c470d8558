package io.flotilla.cli.topic;

import io.flotilla.api.v1.PartitionStatus;
import io.flotilla.api.v1.ReplicaRole;
import io.flotilla.api.v1.ReplicaStatus;
import io.flotilla.api.v1.TopicDescription;
import io.flotilla.cli.Table;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/** A topic as DescribeTopics (or CreateTopic) returns it, for people. */
final class TopicPrinter {

    private TopicPrinter() {}

    static void print(TopicDescription topic, PrintStream out) {
        out.println("topic " + topic.getName() + (topic.getInternal() ? " (internal)" : "") + ": "
                + topic.getPartitionCount() + " partitions, replication factor " + topic.getReplicationFactor());
        out.println("config: " + TopicConfigs.format(topic.getConfig()));
        String overrides = TopicConfigs.format(topic.getOverrides());
        out.println("set explicitly: " + (overrides.isEmpty() ? "nothing (all defaults)" : overrides));
        Table table = new Table("PARTITION", "LEADER", "TERM", "REPLICAS", "HIGH-WATERMARK", "LOG-START", "STATUS");
        for (PartitionStatus p : topic.getPartitionsList()) {
            table.row(p.getPartition(), p.getLeaderNodeId() == 0 ? "-" : p.getLeaderNodeId(), p.getLeaderTerm(),
                    replicas(p), offset(p.getHighWatermark()), offset(p.getLogStartOffset()), status(p));
        }
        table.print(out);
    }

    /** "1,2,3", with what is unusual about a replica in brackets: "1,2(behind),4(learner)". */
    private static String replicas(PartitionStatus p) {
        StringJoiner out = new StringJoiner(",");
        for (ReplicaStatus r : p.getReplicasList()) {
            List<String> notes = new ArrayList<>();
            if (r.getRole() == ReplicaRole.REPLICA_ROLE_LEARNER) {
                notes.add("learner");
            } else if (r.getRole() == ReplicaRole.REPLICA_ROLE_LEAVING) {
                notes.add("leaving");
            }
            if (!r.getCaughtUp()) {
                notes.add("behind");
            }
            out.add(r.getNodeId() + (notes.isEmpty() ? "" : "(" + String.join(" ", notes) + ")"));
        }
        return out.length() == 0 ? "-" : out.toString();
    }

    private static String status(PartitionStatus p) {
        List<String> problems = new ArrayList<>();
        if (p.getLeaderNodeId() == 0) {
            problems.add("no leader");
        } else if (p.getPreferredLeaderNodeId() != 0 && p.getLeaderNodeId() != p.getPreferredLeaderNodeId()) {
            problems.add("led by other than node " + p.getPreferredLeaderNodeId());
        }
        if (p.getUnderReplicated()) {
            problems.add("under-replicated");
        }
        return problems.isEmpty() ? "ok" : String.join(", ", problems);
    }

    private static String offset(long offset) {
        return offset < 0 ? "-" : Long.toString(offset);
    }
}
