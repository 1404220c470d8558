package io.flotilla.jepsen.process;

import io.flotilla.api.v1.Acks;
import io.flotilla.jepsen.sim.Range;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One real-cluster run's settings. {@link #CI} holds the defaults; every setting can be changed
 * with a system property {@code flotilla.jepsen.<name>} (see {@link #withSystemProperties}).
 *
 * @param seed              draws the fault schedule and the clients' choices (default: random, printed)
 * @param nodes             {@code flotilla server} processes, each in its own network namespace (3)
 * @param faultSeconds      length of the fault phase (90)
 * @param nemeses           the fault kinds, taken in turn ({@code all}: kill, pause, every
 *                          partition kind the nodes allow, corrupt, wipe)
 * @param partitions        partitions of the workload's topic (3)
 * @param replicationFactor replicas per partition (the smaller of 3 and {@code nodes})
 * @param segmentBytes      the topic's segment size (1 MiB, the smallest allowed: logs soon have
 *                          sealed segments as well as an active one for the corrupt nemesis)
 * @param producers         idempotent producer clients (4)
 * @param consumers         assign-mode consumer clients (2)
 * @param groupMembers      members of the consumer group reading the topic (2)
 * @param quietMs           the pause before each fault, drawn per fault (2000-4000)
 * @param holdMs            how long each fault lasts, drawn per fault (3000-8000)
 * @param recoverySeconds   how long the clients go on after the last fault, before the final
 *                          reads: writes after a fault show whether it lost earlier ones (5)
 * @param acks              the producers' acknowledgement mode ({@code quorum}; {@code leader}
 *                          acknowledges before commit, which only the self-test uses)
 * @param outputDir         where each run gets its directory ({@code target/jepsen-runs})
 */
record RunConfig(long seed, int nodes, int faultSeconds, List<NemesisKind> nemeses, int partitions,
                 int replicationFactor, int segmentBytes, int producers, int consumers, int groupMembers, Range quietMs,
                 Range holdMs, int recoverySeconds, Acks acks, Path outputDir) {

    private static final String PREFIX = "flotilla.jepsen.";

    /**
     * The short run CI makes: 3 nodes, 90 s of faults cycling through every kind, producers,
     * assign-mode consumers and a consumer group.
     */
    static final RunConfig CI = new RunConfig(ThreadLocalRandom.current().nextLong(), 3, 90,
            NemesisKind.parse("all", 3), 3, 3, 1 << 20, 4, 2, 2, new Range(2000, 4000), new Range(3000, 8000), 5,
            Acks.ACKS_QUORUM, Path.of("target", "jepsen-runs"));

    RunConfig {
        nemeses = List.copyOf(nemeses);
        if (nodes < 1 || replicationFactor < 1 || replicationFactor > nodes) {
            throw new IllegalArgumentException("need 1 <= replicationFactor <= nodes, got " + replicationFactor
                    + " replicas on " + nodes + " nodes");
        }
        if (replicationFactor < 3 && (nemeses.contains(NemesisKind.CORRUPT) || nemeses.contains(NemesisKind.WIPE))) {
            throw new IllegalArgumentException("the corrupt and wipe nemeses need a replication factor of at least 3,"
                    + " not " + replicationFactor + ": a partition recovers a damaged or wiped replica only from two"
                    + " others");
        }
        if (faultSeconds < 0 || partitions < 1 || producers < 0 || consumers < 0 || groupMembers < 0
                || recoverySeconds < 0) {
            throw new IllegalArgumentException("negative durations or counts, or no partition: " + faultSeconds + " s, "
                    + partitions + " partitions, " + producers + " producers, " + consumers + " consumers, "
                    + groupMembers + " group members, " + recoverySeconds + " s recovery");
        }
    }

    /**
     * These settings with each {@code flotilla.jepsen.<name>} system property applied: {@code seed},
     * {@code nodes}, {@code faultSeconds}, {@code nemeses} (comma-separated: {@code kill},
     * {@code pause}, {@code isolate}, {@code halves}, {@code ring}, {@code one-way},
     * {@code corrupt}, {@code wipe}, {@code partition}, {@code all}), {@code partitions},
     * {@code replicationFactor}, {@code segmentBytes}, {@code producers}, {@code consumers},
     * {@code groupMembers}, {@code quietMs} and {@code holdMs} (ranges like {@code 2000-4000}),
     * {@code recoverySeconds}, {@code acks} ({@code quorum} or {@code leader}), {@code dir}.
     */
    RunConfig withSystemProperties() {
        int n = Integer.getInteger(PREFIX + "nodes", nodes);
        String nemesisNames = System.getProperty(PREFIX + "nemeses");
        String acksName = System.getProperty(PREFIX + "acks");
        return new RunConfig(Long.getLong(PREFIX + "seed", seed), n,
                Integer.getInteger(PREFIX + "faultSeconds", faultSeconds),
                nemesisNames == null ? nemeses.stream().filter(k -> k.possibleWith(n)).toList()
                        : NemesisKind.parse(nemesisNames, n),
                Integer.getInteger(PREFIX + "partitions", partitions),
                Integer.getInteger(PREFIX + "replicationFactor", Math.min(replicationFactor, n)),
                Integer.getInteger(PREFIX + "segmentBytes", segmentBytes),
                Integer.getInteger(PREFIX + "producers", producers),
                Integer.getInteger(PREFIX + "consumers", consumers),
                Integer.getInteger(PREFIX + "groupMembers", groupMembers),
                range(PREFIX + "quietMs", quietMs), range(PREFIX + "holdMs", holdMs),
                Integer.getInteger(PREFIX + "recoverySeconds", recoverySeconds),
                acksName == null ? acks : Acks.valueOf("ACKS_" + acksName.toUpperCase(Locale.ROOT)),
                Path.of(System.getProperty(PREFIX + "dir", outputDir.toString())));
    }

    RunConfig withNemeses(List<NemesisKind> kinds, int seconds, Range quiet, Range hold) {
        return new RunConfig(seed, nodes, seconds, kinds, partitions, replicationFactor, segmentBytes, producers,
                consumers, groupMembers, quiet, hold, recoverySeconds, acks, outputDir);
    }

    RunConfig withAcks(Acks mode) {
        return new RunConfig(seed, nodes, faultSeconds, nemeses, partitions, replicationFactor, segmentBytes, producers,
                consumers, groupMembers, quietMs, holdMs, recoverySeconds, mode, outputDir);
    }

    /** One line for the run's output and report title. */
    String describe() {
        return nodes + " nodes, seed " + seed + ", " + faultSeconds + " s of faults " + nemeses.stream()
                .map(NemesisKind::label).toList() + " (quiet " + quietMs + " ms, held " + holdMs + " ms), topic of "
                + partitions + " partitions x " + replicationFactor + " replicas (segments of " + segmentBytes
                + " bytes), " + producers + " producers (" + acks.name().substring("ACKS_".length())
                .toLowerCase(Locale.ROOT) + " acks), " + consumers + " consumers, " + groupMembers + " group members";
    }

    private static Range range(String property, Range fallback) {
        String value = System.getProperty(property);
        return value == null ? fallback : Range.parse(value);
    }
}
