package io.flotilla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.flotilla.api.v1.CreateTopicRequest;
import io.flotilla.api.v1.FlushPolicy;
import io.flotilla.api.v1.Record;
import io.flotilla.api.v1.TopicConfig;
import io.flotilla.cli.client.FakeCluster;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** topic, produce and consume end to end through the command line, against fake nodes. */
class ClusterCommandsTest {

    private FakeCluster cluster;

    @BeforeEach
    void start() throws IOException {
        cluster = new FakeCluster(2, "orders", 2);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void topicCreateSendsTheCountsAndConfigAndPrintsTheTopic() {
        CliRun r = CliRun.run("", "topic", "create", "orders", "--partitions", "2", "--replication-factor", "2",
                "--config", "retention.ms=86400000", "--config", "flush_policy=page_cache",
                "--bootstrap", cluster.bootstrap());

        assertEquals(0, r.code(), r.err());
        assertEquals(List.of(CreateTopicRequest.newBuilder().setName("orders").setPartitionCount(2)
                .setReplicationFactor(2).setConfig(TopicConfig.newBuilder().setRetentionMs(86_400_000)
                        .setFlushPolicy(FlushPolicy.FLUSH_POLICY_PAGE_CACHE)).build()),
                new ArrayList<>(cluster.created));
        assertTrue(r.out().startsWith("created topic orders\ntopic orders: 2 partitions, replication factor 2\n"),
                r.out());
    }

    @Test
    void topicDescribeShowsLeadersReplicasAndHighWatermarks() {
        cluster.preload(1, records("a", "b", "c"));

        CliRun r = CliRun.run("", "topic", "describe", "orders", "--bootstrap", cluster.bootstrap());

        assertEquals(0, r.code(), r.err());
        assertEquals(String.join("\n",
                "topic orders: 2 partitions, replication factor 2",
                "config: retention_ms=604800000 max_batch_bytes=1048576",
                "set explicitly: max_batch_bytes=1048576",
                "PARTITION  LEADER  TERM  REPLICAS     HIGH-WATERMARK  LOG-START  STATUS",
                "0          1       1     1,2(behind)  0               0          under-replicated",
                "1          2       1     2,1(behind)  3               0          under-replicated",
                ""), r.out());
    }

    @Test
    void produceSendsEachLineAsARecordAndPrintsASummary() {
        CliRun r = CliRun.run("k1:one\nk2:two\nno separator\nk1:three:with colon\n", "produce", "orders",
                "--key-separator", ":", "--bootstrap", cluster.bootstrap());

        assertEquals(0, r.code(), r.err());
        assertEquals("wrote 4 of 4 records to orders\n", r.out());
        List<String> written = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            cluster.log(p).forEach(rec -> written.add((rec.hasKey() ? rec.getKey().toStringUtf8() : "-") + "="
                    + rec.getValue().toStringUtf8()));
        }
        written.sort(null);
        assertEquals(List.of("-=no separator", "k1=one", "k1=three:with colon", "k2=two"), written);
    }

    @Test
    void produceToAMissingTopicExitsOneNamingIt() {
        CliRun r = CliRun.run("a\n", "produce", "nope", "--bootstrap", cluster.bootstrap());

        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("flotilla produce: topic 'nope' does not exist (NOT_FOUND TOPIC_NOT_FOUND from "),
                r.err());
    }

    @Test
    void consumeFromTheBeginningStopsAfterMaxRecords() {
        cluster.preload(0, records(IntStream.range(0, 10).mapToObj(i -> "p0-" + i).toArray(String[]::new)));
        cluster.preload(1, records(IntStream.range(0, 10).mapToObj(i -> "p1-" + i).toArray(String[]::new)));

        CliRun r = CliRun.run("", "consume", "orders", "--from-beginning", "--max", "7",
                "--bootstrap", cluster.bootstrap());

        assertEquals(0, r.code(), r.err());
        List<String> lines = List.of(r.out().split("\n"));
        assertEquals(7, lines.size(), r.out());
        for (String prefix : List.of("p0-", "p1-")) {
            List<String> ofPartition = lines.stream().filter(l -> l.startsWith(prefix)).toList();
            assertEquals(IntStream.range(0, ofPartition.size()).mapToObj(i -> prefix + i).toList(), ofPartition,
                    "each partition in offset order from its start");
        }
    }

    @Test
    void consumeOnePartitionReadsOnlyThatOne() {
        cluster.preload(0, records("zero"));
        cluster.preload(1, records("one", "two", "three"));

        CliRun r = CliRun.run("", "consume", "orders", "--partition", "1", "--from-beginning", "--max", "3",
                "--bootstrap", cluster.bootstrap());

        assertEquals(0, r.code(), r.err());
        assertEquals("one\ntwo\nthree\n", r.out());
    }

    @Test
    void consumeAPartitionThatDoesNotExistExitsOne() {
        CliRun r = CliRun.run("", "consume", "orders", "--partition", "5", "--bootstrap", cluster.bootstrap());

        assertEquals(1, r.code());
        assertEquals("flotilla consume: topic 'orders' has 2 partitions (0..1); there is no partition 5\n", r.err());
    }

    @Test
    void consumeStartOptionsExcludeEachOtherAndBadFormatsAndTimesAreUsage() {
        assertConsumeUsage("flotilla consume: Error: --from-beginning, --offset=N are mutually exclusive (specify "
                + "only one)", "--from-beginning", "--offset", "3");
        assertConsumeUsage("flotilla consume: --format: unknown placeholder '%x': use %v value, %k key, %o offset, "
                + "%p partition, %t timestamp, %h headers, %% a percent sign", "--format", "%x");
        assertConsumeUsage("flotilla consume: --from-time: 'yesterday' is neither an ISO-8601 time like "
                + "2026-11-21T10:00:00Z nor milliseconds since the epoch", "--from-time", "yesterday");
        assertConsumeUsage("flotilla consume: --offset must be 0 or more, not -1", "--offset", "-1");
        assertEquals(0, cluster.calls(1) + cluster.calls(2), "nothing was asked of the cluster");
    }

    private void assertConsumeUsage(String message, String... options) {
        String[] args = new String[options.length + 4];
        args[0] = "consume";
        args[1] = "orders";
        System.arraycopy(options, 0, args, 2, options.length);
        args[options.length + 2] = "--bootstrap";
        args[options.length + 3] = cluster.bootstrap();
        CliRun r = CliRun.run("", args);
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith(message), r.err());
    }

    private static List<Record> records(String... values) {
        List<Record> out = new ArrayList<>();
        for (String v : values) {
            out.add(Record.newBuilder().setValue(ByteString.copyFromUtf8(v)).build());
        }
        return out;
    }
}
