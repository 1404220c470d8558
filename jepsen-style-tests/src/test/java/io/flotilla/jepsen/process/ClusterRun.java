package io.flotilla.jepsen.process;

import io.flotilla.api.v1.TopicConfig;
import io.flotilla.jepsen.checker.CheckResult;
import io.flotilla.jepsen.history.History;
import io.flotilla.jepsen.history.HistoryRecorder;
import io.flotilla.jepsen.history.HistoryWriter;
import io.flotilla.jepsen.report.RunReport;
import io.flotilla.jepsen.report.Summary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * One run against real {@code flotilla server} processes, each in its own network namespace:
 * start the cluster and create the topic; run the workload while the nemesis follows the seeded
 * {@link FaultSchedule}; undo the last fault and let the clients go on for a while; stop them,
 * wait until every replica holds the same committed log, read every replica whole; then check
 * the history. Everything it starts (processes, namespaces, bridge) is stopped and removed when
 * it ends, by a shutdown hook if the JVM is stopped first.
 *
 * <p>The run's directory ({@code <outputDir>/<time>-seed<seed>}) keeps {@code history.jsonl},
 * {@code report.txt}, {@code report.html}, with group consumers {@code group.txt} (their
 * verdict) and {@code group-history.txt} (what they processed, committed and took up, event by
 * event),
 * {@code nemesis.log} (what the storage faults did), every node's log ({@code node-<i>.log}) and
 * the heap dump of any node that ran out of heap ({@code java_pid<pid>.hprof}).
 */
final class ClusterRun {
    static final String TOPIC = "jepsen";
    static final String HISTORY = "history.jsonl";
    static final String GROUP_REPORT = "group.txt";
    static final String GROUP_HISTORY = "group-history.txt";
    static final String NEMESIS_LOG = "nemesis.log";
    /** How long the replicas get to agree after the faults: elections, catching up after a restart. */
    private static final long CONVERGENCE_TIMEOUT_MS = 60_000;
    /** How long the group consumers get, after the final reads, to have processed the whole log. */
    private static final int GROUP_CATCH_UP_SECONDS = 60;
    private static final long RANDOM_STREAM_SCHEDULE = 0x5eed_5c4ed_001L;

    /**
     * What a run found.
     *
     * @param convergence     null if the replicas converged after healing, else what still differed
     * @param replicasRead    replicas (partition on a node) whose final read went through whole
     * @param unexpectedExits nodes that exited without the nemesis killing them
     * @param faultsNotOvercome faults the cluster did not get over in time ({@link Nemesis#problems()})
     * @param group           what the group consumers did, and how it held up
     */
    record Outcome(CheckResult result, String summary, Path dir, String convergence, int replicasRead,
                   List<String> unexpectedExits, List<String> faultsNotOvercome, GroupWorkload.Verdict group) {
    }

    private ClusterRun() {
    }

    static Outcome run(RunConfig config) throws Exception {
        Path dir = config.outputDir().resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                + "-seed" + config.seed()).toAbsolutePath();
        Files.createDirectories(dir);
        FaultSchedule schedule = FaultSchedule.draw(new Random(config.seed() ^ RANDOM_STREAM_SCHEDULE), config.nemeses(),
                config.faultSeconds() * 1000L, config.quietMs(), config.holdMs());
        System.out.println("jepsen: " + config.describe() + "; " + schedule.steps().size() + " faults; run in " + dir);
        List<String> unexpectedExits = new ArrayList<>();
        String convergence;
        int replicasRead;
        List<String> faultsNotOvercome;
        GroupWorkload.Verdict group;
        NodeNetwork network = NodeNetwork.create(config.nodes());
        ProcessCluster cluster;
        try {
            cluster = new ProcessCluster(config.nodes(), network, dir);
        } catch (RuntimeException | IOException e) {
            network.close();
            throw e;
        }
        Thread cleanup = new Thread(() -> {
            cluster.close();
            network.close();
        }, "jepsen-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try (HistoryRecorder recorder = new HistoryRecorder(HistoryWriter.create(dir.resolve(HISTORY)))) {
            cluster.start();
            TopicConfig topicConfig = TopicConfig.newBuilder().setSegmentBytes(config.segmentBytes()).build();
            List<List<Integer>> replicas = FinalReads.replicasOf(cluster.createTopic(TOPIC, config.partitions(),
                    config.replicationFactor(), topicConfig));
            try (Routes routes = new Routes(TOPIC, config.partitions(), cluster.addresses());
                 GroupWorkload groupWorkload = new GroupWorkload(cluster.addresses(), TOPIC, config.groupMembers())) {
                Workload workload = new Workload(recorder, routes, config.acks(), config.producers(),
                        config.consumers(), config.seed());
                Nemesis nemesis = new Nemesis(cluster, network, routes, replicas, recorder, new Random(config.seed()),
                        dir.resolve(NEMESIS_LOG));
                groupWorkload.start();
                workload.start();
                try {
                    for (FaultSchedule.Step step : schedule.steps()) {
                        restartExited(cluster, unexpectedExits);
                        groupWorkload.replaceFailed();
                        Thread.sleep(step.quietMs());
                        Nemesis.Active fault = nemesis.start(step.kind());
                        try {
                            Thread.sleep(step.holdMs());
                        } finally {
                            nemesis.stop(fault);
                        }
                    }
                    restartExited(cluster, unexpectedExits);
                    groupWorkload.replaceFailed();
                    Thread.sleep(config.recoverySeconds() * 1000L); // the workload's last phase, healed
                } finally {
                    workload.stop();
                }
                FinalReads finalReads = new FinalReads(routes, recorder, replicas);
                convergence = finalReads.awaitConvergence(CONVERGENCE_TIMEOUT_MS);
                if (convergence != null) {
                    cluster.dumpThreads(dir); // while the replicas still stand where they stopped
                }
                FinalReads.Result read = finalReads.readAll(workload.newProcess());
                replicasRead = read.replicasRead();
                group = groupWorkload.finish(read.logs(), GROUP_CATCH_UP_SECONDS);
                if (config.groupMembers() > 0) {
                    groupWorkload.writeHistory(dir.resolve(GROUP_HISTORY));
                }
                faultsNotOvercome = nemesis.problems();
            }
        } finally {
            try {
                cluster.copyLogs(dir);
            } finally {
                cleanup.run();
                try {
                    Runtime.getRuntime().removeShutdownHook(cleanup);
                } catch (IllegalStateException e) {
                    // the JVM is exiting: the hook runs too, and cleaning up twice is harmless
                }
            }
        }
        CheckResult result = RunReport.write("Flotilla real cluster: " + config.describe(), History.file(dir.resolve(HISTORY)),
                dir);
        String summary = Summary.line(result);
        System.out.println(summary);
        if (config.groupMembers() > 0) {
            Files.write(dir.resolve(GROUP_REPORT), Stream.concat(Stream.of(group.summary()),
                    group.violations().stream()).toList());
            System.out.println(group.summary());
        }
        System.out.println("jepsen: history, reports and node logs in " + dir
                + (convergence == null ? "" : "; replicas did not converge: " + convergence)
                + (unexpectedExits.isEmpty() ? "" : "; " + unexpectedExits)
                + (faultsNotOvercome.isEmpty() ? "" : "; faults not overcome: " + faultsNotOvercome)
                + (group.violations().isEmpty() ? "" : "; group consumers: " + group.violations()));
        return new Outcome(result, summary, dir, convergence, replicasRead, unexpectedExits, faultsNotOvercome,
                group);
    }

    /** A node that exited though no fault killed it is a finding: note it, and start it again for the final reads. */
    private static void restartExited(ProcessCluster cluster, List<String> unexpectedExits) throws Exception {
        for (int node = 1; node <= cluster.size(); node++) {
            if (!cluster.alive(node)) {
                unexpectedExits.add("node " + node + " exited with code " + cluster.exitCode(node));
                cluster.restart(node);
            }
        }
    }
}
