package io.flotilla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import io.flotilla.api.v1.CommitOffsetsRequest;
import io.flotilla.api.v1.ConsumerGroupsGrpc;
import io.flotilla.api.v1.DescribeClusterResponse;
import io.flotilla.api.v1.DescribeGroupResponse;
import io.flotilla.api.v1.DescribeTopicsResponse;
import io.flotilla.api.v1.GroupPartition;
import io.flotilla.api.v1.GroupState;
import io.flotilla.api.v1.HeartbeatRequest;
import io.flotilla.api.v1.HeartbeatResponse;
import io.flotilla.api.v1.ListGroupsResponse;
import io.flotilla.api.v1.NodeState;
import io.flotilla.api.v1.NodeStatus;
import io.flotilla.api.v1.OffsetCommit;
import io.flotilla.api.v1.OffsetReset;
import io.flotilla.api.v1.ResetOffsetsResponse;
import io.flotilla.api.v1.TopicPartitions;
import io.flotilla.cli.client.ClientConfig;
import io.flotilla.cli.client.FlotillaClient;
import io.flotilla.cli.client.HostPort;
import io.flotilla.cli.local.LocalCluster;
import io.flotilla.cli.local.LocalClusterPlan;
import io.flotilla.cli.local.NodeCommand;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands against a real cluster: three {@code flotilla server} processes started the way
 * {@code flotilla local} starts them, shared by the tests (each uses its own topic).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RealClusterCommandsTest {

    private static Path dir;
    private static LocalCluster cluster;
    private static String bootstrap;

    @BeforeAll
    static void startCluster() throws Exception {
        dir = Files.createTempDirectory("flotilla-cli-it");
        LocalClusterPlan plan = new LocalClusterPlan(3, dir, LocalClusterPlan.freeBasePort(3,
                21_000 + (int) (ProcessHandle.current().pid() % 500) * 20).orElseThrow());
        NodeCommand same = NodeCommand.sameJvm(NodeCommand.FLOTILLA_MAIN);
        cluster = new LocalCluster(plan, new NodeCommand(same.java(), same.classpath(),
                List.of("-Xmx256m", "-XX:+UseSerialGC", "--enable-native-access=ALL-UNNAMED"), same.mainClass()),
                Duration.ofSeconds(10));
        cluster.start();
        cluster.awaitServing(Duration.ofSeconds(60));
        bootstrap = plan.bootstrap();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void topicCreateDescribeListAndDeleteInTableAndJson() throws Exception {
        CliRun created = run("", "topic", "create", "inventory", "--partitions", "4", "--replication-factor", "3");
        assertEquals(0, created.code(), created.err());
        assertTrue(created.out().startsWith("created topic inventory\ntopic inventory: 4 partitions, replication "
                + "factor 3\n"), created.out());

        CliRun json = run("", "topic", "describe", "inventory", "--output", "json");
        assertEquals(0, json.code(), json.err());
        DescribeTopicsResponse.Builder described = DescribeTopicsResponse.newBuilder();
        JsonFormat.parser().merge(json.out(), described);
        assertEquals(4, described.getTopics(0).getPartitionsCount());
        assertTrue(described.getTopics(0).getPartitionsList().stream().allMatch(p -> p.getLeaderNodeId() > 0
                && p.getReplicasCount() == 3), json.out());

        CliRun listed = run("", "topic", "list");
        assertTrue(listed.out().lines().anyMatch(l -> l.matches("inventory +4 +3")), listed.out());

        assertEquals(0, run("", "topic", "delete", "inventory").code());
        CliRun gone = run("", "topic", "describe", "inventory");
        assertEquals(1, gone.code());
        assertTrue(gone.err().startsWith("flotilla topic describe: ") && gone.err().contains("inventory"),
                gone.err());
    }

    @Test
    void whatProduceWritesConsumeReadsBackInOrderPerKey() {
        assertEquals(0, run("", "topic", "create", "orders", "--partitions", "3").code());
        String lines = IntStream.range(0, 300).mapToObj(i -> "k" + (i % 7) + ":v" + i)
                .collect(Collectors.joining("\n", "", "\n"));

        CliRun produced = run(lines, "produce", "orders", "--key-separator", ":");
        assertEquals(0, produced.code(), produced.err());
        assertEquals("wrote 300 of 300 records to orders\n", produced.out());

        CliRun consumed = run("", "consume", "orders", "--from-beginning", "--max", "300");
        assertEquals(0, consumed.code(), consumed.err());
        List<String> values = consumed.out().lines().toList();
        assertEquals(300, values.size());
        assertEquals(IntStream.range(0, 300).mapToObj(i -> "v" + i).sorted().toList(),
                values.stream().sorted().toList(), "every record once");
        for (int k = 0; k < 7; k++) {
            int key = k;
            List<Integer> ofKey = values.stream().map(v -> Integer.parseInt(v.substring(1)))
                    .filter(i -> i % 7 == key).toList();
            assertEquals(ofKey.stream().sorted().toList(), ofKey, "one key's records in the order sent");
        }
    }

    @Test
    void produceToOnePartitionFromAFileThenConsumeItFromAnOffsetWithAFormat(@TempDir Path tmp) throws Exception {
        assertEquals(0, run("", "topic", "create", "pinned", "--partitions", "3").code());
        Path file = tmp.resolve("records.txt");
        Files.writeString(file, IntStream.range(0, 20).mapToObj(i -> "v" + i).collect(Collectors.joining("\n")));

        CliRun produced = run("", "produce", "pinned", "--partition", "2", "--file", file.toString());
        assertEquals(0, produced.code(), produced.err());
        assertEquals("wrote 20 of 20 records to pinned\n", produced.out());

        CliRun all = run("", "consume", "pinned", "--partition", "2", "--from-beginning", "--max", "20",
                "--format", "%p %o %k=%v");
        assertEquals(0, all.code(), all.err());
        List<String> lines = all.out().lines().toList();
        assertEquals(20, lines.size(), all.out());
        long previous = -1;
        for (int i = 0; i < 20; i++) {
            String[] f = lines.get(i).split(" ");
            assertEquals("2", f[0], lines.get(i));
            long offset = Long.parseLong(f[1]);
            assertTrue(offset > previous, "offsets grow: " + lines);
            previous = offset;
            assertEquals("null=v" + i, f[2]);
        }
        long tenth = Long.parseLong(lines.get(10).split(" ")[1]);
        CliRun fromOffset = run("", "consume", "pinned", "--partition", "2", "--offset", "" + tenth, "--max", "10");
        assertEquals(IntStream.range(10, 20).mapToObj(i -> "v" + i).toList(), fromOffset.out().lines().toList());

        CliRun everywhere = run("", "consume", "pinned", "--from-beginning", "--max", "20", "--format", "%p");
        assertEquals("2\n".repeat(20), everywhere.out(), "all 20 records of the topic are in partition 2");
        CliRun noSuchPartition = run("x\n", "produce", "pinned", "--partition", "3");
        assertEquals(1, noSuchPartition.code());
        assertEquals("flotilla produce: topic 'pinned' has 3 partitions (0..2); there is no partition 3\n",
                noSuchPartition.err());
    }

    @Test
    void consumeFromATimeSkipsWhatWasWrittenBefore() {
        assertEquals(0, run("", "topic", "create", "timed", "--partitions", "1").code());
        assertEquals(0, run("early-1\nearly-2\n", "produce", "timed").code());
        long from = System.currentTimeMillis() + 1;
        while (System.currentTimeMillis() < from) {
            Thread.onSpinWait(); // the records of the second produce are stamped after `from`
        }
        assertEquals(0, run("late-1\nlate-2\n", "produce", "timed").code());

        CliRun r = run("", "consume", "timed", "--from-time", Instant.ofEpochMilli(from).toString(), "--max", "2");
        assertEquals(0, r.code(), r.err());
        assertEquals("late-1\nlate-2\n", r.out());
        assertEquals(r.out(), run("", "consume", "timed", "--from-time", "" + from, "--max", "2").out());
    }

    @Test
    void consumeInAGroupCommitsWhatItPrintedSoTheNextRunGoesOnFromThere() {
        assertEquals(0, run("", "topic", "create", "grouped", "--partitions", "3").code());
        String lines = IntStream.range(0, 30).mapToObj(i -> "v" + i).collect(Collectors.joining("\n", "", "\n"));
        assertEquals(0, run(lines, "produce", "grouped").code());

        // --from-beginning: where the group has no committed offset, which is everywhere at first.
        CliRun first = run("", "consume", "grouped", "--group", "printers", "--from-beginning", "--max", "12",
                "--format", "%p %o %v");
        assertEquals(0, first.code(), first.err());
        CliRun second = run("", "consume", "grouped", "--group", "printers", "--from-beginning", "--max", "18",
                "--format", "%p %o %v");
        assertEquals(0, second.code(), second.err());

        List<String[]> printed = Stream.concat(first.out().lines(), second.out().lines()).map(l -> l.split(" "))
                .toList();
        assertEquals(12, first.out().lines().count(), first.out());
        assertEquals(IntStream.range(0, 30).mapToObj(i -> "v" + i).sorted().toList(),
                printed.stream().map(f -> f[2]).sorted().toList(), "every record once over both runs");
        for (String p : List.of("0", "1", "2")) {
            List<Long> offsets = printed.stream().filter(f -> f[0].equals(p)).map(f -> Long.parseLong(f[1])).toList();
            assertEquals(offsets.stream().sorted().toList(), offsets, "partition " + p + " in offset order, the "
                    + "second run going on after the first: " + first.out() + second.out());
        }

        CliRun both = run("", "consume", "grouped", "--group", "printers", "--partition", "0");
        assertEquals(2, both.code());
        assertTrue(both.err().startsWith("flotilla consume: --partition and --group exclude each other"), both.err());
    }

    @Test
    void topicAlterChangesSettingsAndGrowsTheTopic() {
        assertEquals(0, run("", "topic", "create", "altered", "--partitions", "2").code());

        CliRun r = run("", "topic", "alter", "altered", "--config", "retention.ms=86400000", "--partitions", "4");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("set config of altered: retention_ms=86400000 "), r.out());
        assertTrue(r.out().contains("raised altered to 4 partitions\ntopic altered: 4 partitions"), r.out());

        CliRun back = run("", "topic", "alter", "altered", "--reset", "retention_ms", "--validate-only");
        assertEquals(0, back.code(), back.err());
        assertTrue(back.out().startsWith("would set config of altered: retention_ms=604800000 "), back.out());
        assertTrue(run("", "topic", "describe", "altered").out().contains("set explicitly: retention_ms=86400000"),
                "--validate-only changed nothing");

        CliRun fewer = run("", "topic", "alter", "altered", "--partitions", "3");
        assertEquals(1, fewer.code());
        assertTrue(fewer.err().startsWith("flotilla topic alter: ") && fewer.err().contains("4"), fewer.err());
        CliRun unknownKey = run("", "topic", "alter", "altered", "--reset", "colour");
        assertEquals(2, unknownKey.code());
        assertTrue(unknownKey.err().startsWith("flotilla topic alter: unknown topic config 'colour'"), unknownKey.err());
    }

    @Test
    void transferLeaderMovesAPartitionAndRebalanceDryRunChangesNothing() throws Exception {
        assertEquals(0, run("", "topic", "create", "led", "--partitions", "1", "--replication-factor", "3").code());
        DescribeTopicsResponse.Builder before = DescribeTopicsResponse.newBuilder();
        JsonFormat.parser().merge(run("", "topic", "describe", "led", "--output", "json").out(), before);
        int leader = before.getTopics(0).getPartitions(0).getLeaderNodeId();
        int target = leader % 3 + 1;

        CliRun moved = run("", "cluster", "transfer-leader", "led", "0", "--to", "" + target);
        assertEquals(0, moved.code(), moved.err());
        assertTrue(moved.out().startsWith("led-0 is led by node " + target + " (term "), moved.out());

        CliRun dry = run("", "cluster", "rebalance-leaders", "led", "--dry-run");
        assertEquals(0, dry.code(), dry.err());
        assertTrue(dry.out().equals("leadership is already even: nothing to move\n")
                || dry.out().startsWith("TOPIC  PARTITION  FROM  TO  DONE\n"), dry.out());
        CliRun after = run("", "topic", "describe", "led", "--output", "json");
        DescribeTopicsResponse.Builder described = DescribeTopicsResponse.newBuilder();
        JsonFormat.parser().merge(after.out(), described);
        assertEquals(target, described.getTopics(0).getPartitions(0).getPreferredLeaderNodeId(),
                "the transfer made the target preferred, and the dry run changed nothing");

        CliRun notAReplica = run("", "cluster", "transfer-leader", "led", "0", "--to", "9");
        assertEquals(1, notAReplica.code());
        assertTrue(notAReplica.err().startsWith("flotilla cluster transfer-leader: "), notAReplica.err());
    }

    @Test
    void consumingAnUnknownTopicIsRefusedWithExitCode1() {
        CliRun r = run("", "consume", "no-such-topic", "--from-beginning", "--max", "1");
        assertEquals(1, r.code());
        assertEquals(1, r.errLines().length, r.err());
        assertTrue(r.err().startsWith("flotilla consume: ") && r.err().contains("no-such-topic"), r.err());
    }

    @Test
    void clusterStatusShowsThreeAliveNodesAndAControllerLeader() throws Exception {
        CliRun table = run("", "cluster", "status");
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().matches("(?s)cluster \\S+: 3 nodes, controller led by node [123] \\(term \\d+\\)\n.*"),
                table.out());

        CliRun json = run("", "cluster", "status", "--output", "json");
        DescribeClusterResponse.Builder status = DescribeClusterResponse.newBuilder();
        JsonFormat.parser().merge(json.out(), status);
        assertEquals(List.of(1, 2, 3), status.getNodesList().stream().map(n -> n.getIdentity().getNodeId()).toList());
        assertTrue(status.getNodesList().stream().map(NodeStatus::getState).allMatch(NodeState.NODE_STATE_ALIVE::equals),
                json.out());
    }

    @Test
    void perfProduceThenPerfConsumeMoveTheSameRecords() {
        CliRun produced = run("", "perf", "produce", "perf-it", "--records", "3000", "--record-size", "200",
                "--partitions", "3", "--replication-factor", "3", "--output", "json");
        assertEquals(0, produced.code(), produced.err());
        assertTrue(produced.out().startsWith("{\"command\":\"perf produce\",\"records\":3000,\"failed\":0,"
                + "\"bytes\":600000,"), produced.out());
        assertEquals("flotilla perf produce: created topic perf-it with 3 partitions\n", produced.err());

        CliRun consumed = run("", "perf", "consume", "perf-it", "--records", "3000");
        assertEquals(0, consumed.code(), consumed.err());
        assertTrue(consumed.out().startsWith("3,000 records in "), consumed.out());
    }

    @Test
    void groupDescribeListResetOffsetsAndDeleteAGroupWithCommittedOffsets() throws Exception {
        assertEquals(0, run("", "topic", "create", "tallied", "--partitions", "2").code());
        for (int p = 0; p < 2; p++) {
            assertEquals(0, run("a\nb\nc\nd\ne\nf\ng\nh\n", "produce", "tallied", "--partition", "" + p).code());
        }
        String group = "billing";
        HostPort coordinator;
        try (FlotillaClient finder = new FlotillaClient(ClientConfig.defaults(HostPort.parseList(bootstrap)))) {
            coordinator = HostPort.parse(finder.findCoordinator(group).getAddress());
        }
        HostPort elsewhere = HostPort.parseList(bootstrap).stream().filter(n -> !n.equals(coordinator)).findFirst()
                .orElseThrow();
        // The member's client knows only a node that is not the coordinator: NOT_COORDINATOR redirects take its calls there.
        try (FlotillaClient member = new FlotillaClient(ClientConfig.defaults(List.of(elsewhere)))) {
            HeartbeatResponse joined = heartbeat(member, HeartbeatRequest.newBuilder().setGroupId(group)
                    .setMemberId("member-1").addSubscribedTopics("tallied").setSessionTimeoutMs(60_000)
                    .setClientId("billing-app").build());
            assertEquals(List.of(TopicPartitions.newBuilder().setTopic("tallied").addPartitions(0).addPartitions(1)
                    .build()), joined.getAssignmentList());
            FlotillaClient.await(member.callCoordinator(group, ch -> ConsumerGroupsGrpc.newFutureStub(ch)
                    .commitOffsets(CommitOffsetsRequest.newBuilder().setGroupId(group).setMemberId("member-1")
                            .setMemberEpoch(joined.getMemberEpoch())
                            .addOffsets(OffsetCommit.newBuilder().setTopic("tallied").setPartition(0).setOffset(5))
                            .addOffsets(OffsetCommit.newBuilder().setTopic("tallied").setPartition(1).setOffset(7))
                            .build())));

            CliRun described = run("", "group", "describe", group);
            assertEquals(0, described.code(), described.err());
            List<String> lines = described.out().lines().toList();
            assertTrue(lines.get(0).matches("group billing: stable, group epoch \\d+, assignor uniform, coordinator node "
                    + "[123], 1 member"), described.out());
            assertTrue(lines.get(1).matches("MEMBER +CLIENT-ID +HOST +EPOCH +ASSIGNMENT +LAST-HEARTBEAT"), described.out());
            assertTrue(lines.get(2).matches("member-1 +billing-app +\\S+ +" + joined.getMemberEpoch()
                    + " +tallied\\(0,1\\) +\\d+\\.\\d s ago"), described.out());
            assertTrue(lines.get(3).matches("TOPIC +PARTITION +CURRENT-OFFSET +HIGH-WATERMARK +LAG +MEMBER"), described.out());
            assertTrue(lines.get(4).matches("tallied +0 +5 +\\d+ +\\d+ +member-1"), described.out());
            assertTrue(lines.get(5).matches("tallied +1 +7 +\\d+ +\\d+ +member-1"), described.out());
            assertEquals(6, lines.size(), described.out());
            DescribeGroupResponse json = describeAsJson(group);
            assertEquals(GroupState.GROUP_STATE_STABLE, json.getState());
            assertEquals(List.of(5L, 7L), json.getPartitionsList().stream().map(GroupPartition::getCommittedOffset).toList());
            for (GroupPartition p : json.getPartitionsList()) {
                assertTrue(p.getHighWatermark() > 0 && p.getLag() == p.getHighWatermark() - p.getCommittedOffset(),
                        p.toString());
            }

            CliRun listed = run("", "group", "list");
            assertEquals(0, listed.code(), listed.err());
            assertTrue(listed.out().startsWith("GROUP  ") && listed.out().lines()
                    .anyMatch(l -> l.matches("billing +stable +1 +[123]")), listed.out());
            ListGroupsResponse.Builder listedJson = ListGroupsResponse.newBuilder();
            JsonFormat.parser().merge(run("", "group", "list", "--output", "json").out(), listedJson);
            assertTrue(listedJson.getComplete() && listedJson.getGroupsList().stream()
                    .anyMatch(g -> g.getGroupId().equals(group) && g.getMemberCount() == 1), listedJson.toString());

            CliRun active = run("", "group", "reset-offsets", group, "--topic", "tallied", "--to-earliest");
            assertEquals(1, active.code(), active.err());
            assertEquals(1, active.errLines().length, active.err());
            assertTrue(active.err().startsWith("flotilla group reset-offsets: ")
                    && active.err().contains("(FAILED_PRECONDITION GROUP_NOT_EMPTY from "), active.err());
            CliRun deleteActive = run("", "group", "delete", group);
            assertEquals(1, deleteActive.code(), deleteActive.err());
            assertTrue(deleteActive.err().startsWith("flotilla group delete: ")
                    && deleteActive.err().contains("GROUP_NOT_EMPTY"), deleteActive.err());

            assertUsageError("--to-offset must be 0 or more, not -1", group, "--to-offset", "-1");
            assertUsageError("--to-time: 'yesterday' is neither an ISO-8601 time", group, "--to-time", "yesterday");
            assertUsageError("--to-earliest, --to-latest are mutually exclusive", group, "--to-earliest", "--to-latest");
            assertUsageError("Missing required argument", group);
            assertEquals(List.of(5L, 7L), describeAsJson(group).getPartitionsList().stream()
                    .map(GroupPartition::getCommittedOffset).toList(), "refusals changed nothing");

            assertEquals(0, heartbeat(member, HeartbeatRequest.newBuilder().setGroupId(group).setMemberId("member-1")
                    .setLeave(true).build()).getMemberEpoch());
        }

        CliRun dry = run("", "group", "reset-offsets", group, "--topic", "tallied", "--to-earliest", "--dry-run");
        assertEquals(0, dry.code(), dry.err());
        assertTrue(dry.out().matches("would reset \\(dry run, nothing changed\\) the offsets of group billing:\n"
                + "TOPIC +PARTITION +PREVIOUS-OFFSET +NEW-OFFSET\ntallied +0 +5 +0\ntallied +1 +7 +0\n"), dry.out());
        CliRun one = run("", "group", "reset-offsets", group, "--topic", "tallied", "--partition", "1", "--to-offset", "3");
        assertEquals(0, one.code(), one.err());
        assertTrue(one.out().matches("reset the offsets of group billing:\nTOPIC +PARTITION +PREVIOUS-OFFSET +NEW-OFFSET\n"
                + "tallied +1 +7 +3\n"), one.out());
        CliRun latest = run("", "group", "reset-offsets", group, "--topic", "tallied", "--to-latest", "--output", "json");
        assertEquals(0, latest.code(), latest.err());
        ResetOffsetsResponse.Builder reset = ResetOffsetsResponse.newBuilder();
        JsonFormat.parser().merge(latest.out(), reset);
        assertEquals(List.of(5L, 3L), reset.getOffsetsList().stream().map(OffsetReset::getPreviousOffset).toList());
        assertTrue(reset.getOffsetsList().stream().allMatch(r -> r.getNewOffset() >= 9), "8 records after the no-op: "
                + reset);

        CliRun empty = run("", "group", "describe", group);
        assertEquals(0, empty.code(), empty.err());
        assertTrue(empty.out().matches("group billing: empty, group epoch \\d+, assignor \\w+, coordinator node [123], "
                + "no active members\nTOPIC +PARTITION +CURRENT-OFFSET +HIGH-WATERMARK +LAG +MEMBER\n"
                + "tallied +0 +" + reset.getOffsets(0).getNewOffset() + " +\\d+ +\\S+ +-\n"
                + "tallied +1 +" + reset.getOffsets(1).getNewOffset() + " +\\d+ +\\S+ +-\n"), empty.out());

        CliRun deleted = run("", "group", "delete", group);
        assertEquals(0, deleted.code(), deleted.err());
        assertEquals("deleted group billing\n", deleted.out());
        assertTrue(run("", "group", "list").out().lines().noneMatch(l -> l.startsWith("billing ")));
        CliRun gone = run("", "group", "describe", group);
        assertEquals(1, gone.code());
        assertEquals(1, gone.errLines().length, gone.err());
        assertTrue(gone.err().startsWith("flotilla group describe: group 'billing' does not exist (NOT_FOUND "
                + "GROUP_NOT_FOUND from "), gone.err());
    }

    @Test
    void groupCommandsFailFastWhenNoNodeCanBeReached() throws Exception {
        String nowhere;
        try (ServerSocket s = new ServerSocket(0)) {
            nowhere = "127.0.0.1:" + s.getLocalPort();
        }
        for (String[] command : List.of(new String[] {"group", "list"}, new String[] {"group", "describe", "billing"},
                new String[] {"group", "delete", "billing"})) {
            String[] args = Arrays.copyOf(command, command.length + 2);
            args[command.length] = "--bootstrap";
            args[command.length + 1] = nowhere;
            CliRun r = CliRun.run("", args);
            assertEquals(1, r.code(), r.err());
            assertEquals(1, r.errLines().length, r.err());
            assertTrue(r.err().startsWith("flotilla " + String.join(" ", command).replace(" billing", "")
                    + ": cannot reach " + nowhere), r.err());
        }
    }

    private static HeartbeatResponse heartbeat(FlotillaClient client, HeartbeatRequest request) {
        return FlotillaClient.await(client.callCoordinator(request.getGroupId(),
                ch -> ConsumerGroupsGrpc.newFutureStub(ch).heartbeat(request)));
    }

    private static DescribeGroupResponse describeAsJson(String group) throws Exception {
        CliRun r = run("", "group", "describe", group, "--output", "json");
        assertEquals(0, r.code(), r.err());
        DescribeGroupResponse.Builder described = DescribeGroupResponse.newBuilder();
        JsonFormat.parser().merge(r.out(), described);
        return described.build();
    }

    private static void assertUsageError(String message, String group, String... target) {
        String[] args = new String[5 + target.length];
        System.arraycopy(new String[] {"group", "reset-offsets", group, "--topic", "tallied"}, 0, args, 0, 5);
        System.arraycopy(target, 0, args, 5, target.length);
        CliRun r = run("", args);
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.errLines().length, r.err());
        assertTrue(r.err().startsWith("flotilla group reset-offsets: ") && r.err().contains(message), r.err());
    }

    private static CliRun run(String stdin, String... args) {
        String[] withBootstrap = Arrays.copyOf(args, args.length + 2);
        withBootstrap[args.length] = "--bootstrap";
        withBootstrap[args.length + 1] = bootstrap;
        return CliRun.run(stdin, withBootstrap);
    }
}
