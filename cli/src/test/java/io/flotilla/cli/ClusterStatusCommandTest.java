package io.flotilla.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import io.flotilla.api.v1.DescribeClusterResponse;
import io.flotilla.api.v1.DescribeTopicsResponse;
import io.flotilla.cli.client.FakeCluster;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** cluster status, and --output json on the commands that print the cluster's answers, against fake nodes. */
class ClusterStatusCommandTest {

    private FakeCluster cluster;

    @BeforeEach
    void start() throws IOException {
        cluster = new FakeCluster(2, "orders", 3);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void statusShowsNodesControllerAndPartitionHealth() {
        CliRun r = CliRun.run("", "cluster", "status", "--bootstrap", cluster.bootstrap());

        assertEquals(0, r.code(), r.err());
        assertEquals(String.join("\n",
                "cluster fake-cluster: 2 nodes, controller led by node 1 (term 3)",
                "NODE  ADDRESS" + " ".repeat(cluster.address(1).toString().length() - 5)
                        + "STATE        LEADS  REPLICAS  PREFERRED-LEADER  LAST-HEARD  CONTROLLER-VOTER",
                "1     " + cluster.address(1) + "  alive        2      3         2                 0.0 s ago   yes",
                "2     " + cluster.address(2) + "  UNREACHABLE  1      3         1                 12.3 s ago  yes",
                "partitions: 3, leaderless 0, under-replicated 3, not on their preferred leader 0",
                ""), r.out());
    }

    @Test
    void statusAsJsonIsTheApisAnswerOnOneLine() throws Exception {
        CliRun r = CliRun.run("", "cluster", "status", "--output", "json", "--bootstrap", cluster.bootstrap());

        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().endsWith("\n") && r.out().indexOf('\n') == r.out().length() - 1, r.out());
        DescribeClusterResponse.Builder parsed = DescribeClusterResponse.newBuilder();
        JsonFormat.parser().merge(r.out(), parsed);
        assertEquals("fake-cluster", parsed.getClusterId());
        assertEquals(2, parsed.getNodesCount());
        assertEquals(12_300, parsed.getNodes(1).getLastHeardMsAgo());
        assertTrue(r.out().contains("\"clusterId\":\"fake-cluster\""), r.out());
    }

    @Test
    void topicDescribeAsJsonIsTheApisAnswerOnOneLine() throws Exception {
        CliRun r = CliRun.run("", "topic", "describe", "orders", "--output", "json", "--bootstrap",
                cluster.bootstrap());

        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.out().split("\n").length, r.out());
        DescribeTopicsResponse.Builder parsed = DescribeTopicsResponse.newBuilder();
        JsonFormat.parser().merge(r.out(), parsed);
        assertEquals("orders", parsed.getTopics(0).getName());
        assertEquals(3, parsed.getTopics(0).getPartitionsCount());
    }

    @Test
    void aBadOutputFormatIsUsage() {
        CliRun r = CliRun.run("", "cluster", "status", "--output", "yaml", "--bootstrap", cluster.bootstrap());

        assertEquals(2, r.code());
        assertArrayEquals(new String[] {"flotilla cluster status: Invalid value for option '--output': expected one of "
                + "[table, json] (case-sensitive) but was 'yaml' (see 'flotilla cluster status --help')"},
                r.errLines());
    }
}
