package io.flotilla.jepsen.process;

import io.flotilla.jepsen.history.HistoryRecorder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Injects and undoes the faults of {@link NemesisKind} on the nodes of a {@link ProcessCluster}
 * in a {@link NodeNetwork}, and records each in the history: its start just before it is
 * applied, its stop once it is undone (a killed node serves again; a damaged or wiped one also
 * has its replicas back in place), so the recorded interval covers all the time the fault was
 * in force. One fault at a time, so storage faults never reach more than one replica of a
 * partition: the next fault starts only once the damaged replica recovered.
 *
 * <p>What a storage fault did, and any fault the cluster did not get over in time, goes to
 * {@code nemesis.log} in the run's directory; the latter are also {@link #problems()}.
 */
final class Nemesis {
    /** How long a damaged replica gets to find the damage and recover it from its peers. */
    private static final long RECOVERY_TIMEOUT_MS = 60_000;
    /** How long the replicas get to be in place again after a node's return (a wiped node rejoining and catching up). */
    private static final long IN_PLACE_TIMEOUT_MS = 90_000;
    private static final String RECOVERY_MARKER = "recovering";

    /** A fault in force; {@code damage} only for {@link NemesisKind#CORRUPT}. */
    record Active(NemesisKind kind, List<Integer> targets, Damaged damage) {
        Active(NemesisKind kind, List<Integer> targets) {
            this(kind, targets, null);
        }
    }

    /** A replica damaged on disk: its directory, the quarantines its log held before, and the damage. */
    record Damaged(Path replicaDir, List<String> quarantinesBefore, SegmentDamage.Damage damage) {
    }

    private final ProcessCluster cluster;
    private final NodeNetwork network;
    private final Routes routes;
    private final List<List<Integer>> replicas;
    private final HistoryRecorder recorder;
    private final Random random;
    private final Path notes;
    private final List<String> problems = new ArrayList<>();

    /**
     * @param replicas the nodes holding a replica of each partition of the workload's topic
     * @param notes    the file storage faults and problems are written to
     */
    Nemesis(ProcessCluster cluster, NodeNetwork network, Routes routes, List<List<Integer>> replicas,
            HistoryRecorder recorder, Random random, Path notes) {
        this.cluster = cluster;
        this.network = network;
        this.routes = routes;
        this.replicas = List.copyOf(replicas);
        this.recorder = recorder;
        this.random = random;
        this.notes = notes;
    }

    Active start(NemesisKind kind) throws Exception {
        int nodes = cluster.size();
        switch (kind) {
            case KILL -> {
                int target = leaderOfSomePartition();
                recorder.faultStarted(kind.label(), List.of(target));
                cluster.kill(target);
                return new Active(kind, List.of(target));
            }
            case PAUSE -> {
                int target = leaderOfSomePartition();
                recorder.faultStarted(kind.label(), List.of(target));
                cluster.pause(target);
                return new Active(kind, List.of(target));
            }
            case ISOLATE -> {
                return cut(kind, Partition.isolate(leaderOfSomePartition(), nodes));
            }
            case HALVES -> {
                return cut(kind, Partition.halves(shuffledNodes()));
            }
            case RING -> {
                return cut(kind, Partition.majorityRing(shuffledNodes()));
            }
            case ONE_WAY -> {
                return cut(kind, Partition.oneWayInto(leaderOfSomePartition(), nodes));
            }
            case CORRUPT -> {
                return corrupt(kind);
            }
            case WIPE -> {
                int target = leaderOfSomePartition();
                recorder.faultStarted(kind.label(), List.of(target));
                cluster.kill(target);
                cluster.wipe(target);
                note("wipe: node " + target + " killed and its data directory emptied");
                return new Active(kind, List.of(target));
            }
            default -> throw new IllegalArgumentException("no such nemesis: " + kind);
        }
    }

    void stop(Active fault) throws Exception {
        switch (fault.kind()) {
            case KILL -> cluster.restart(fault.targets().get(0));
            case PAUSE -> cluster.resume(fault.targets().get(0));
            case ISOLATE, HALVES, RING, ONE_WAY -> network.heal();
            case CORRUPT, WIPE -> restartAndAwaitBack(fault);
            default -> throw new IllegalArgumentException("no such nemesis: " + fault.kind());
        }
        recorder.faultStopped(fault.kind().label(), fault.targets());
    }

    /** Starts a damaged or wiped node and waits until it recovered and every replica is in place. */
    private void restartAndAwaitBack(Active fault) throws Exception {
        int node = fault.targets().get(0);
        long restarted = System.nanoTime();
        cluster.restart(node);
        String served = "serves after " + (System.nanoTime() - restarted) / 1_000_000 + " ms";
        String recovered = fault.kind() == NemesisKind.CORRUPT ? awaitRecovered(node, fault.damage(), restarted) : "";
        boolean inPlace = awaitInPlace(fault); // after a problem too: the next fault wants a whole cluster
        if (recovered != null && inPlace) {
            note(fault.kind().label() + ": node " + node + " " + served + recovered + ", every replica in place after "
                    + (System.nanoTime() - restarted) / 1_000_000 + " ms");
        }
    }

    /** Faults the cluster did not get over in time (a damage never found, a replica never back in place). */
    List<String> problems() {
        return Collections.unmodifiableList(problems);
    }

    /** Kills the leader of a random partition and damages its replica of that partition. */
    private Active corrupt(NemesisKind kind) throws Exception {
        int partition = random.nextInt(routes.partitions());
        int target = routes.leader(partition);
        if (!replicas.get(partition).contains(target)) { // no leader known
            target = replicas.get(partition).get(random.nextInt(replicas.get(partition).size()));
        }
        recorder.faultStarted(kind.label(), List.of(target));
        cluster.kill(target);
        Path replicaDir = cluster.replicaDir(target, routes.topic(), partition);
        Path logDir = replicaDir.resolve("log");
        List<String> before = SegmentDamage.quarantines(logDir);
        SegmentDamage.Kind[] kinds = SegmentDamage.Kind.values();
        SegmentDamage.Damage damage = SegmentDamage.apply(kinds[random.nextInt(kinds.length)], logDir, random);
        note("corrupt: node " + target + ", " + routes.topic() + "-" + partition + ": " + damage.describe());
        return new Active(kind, List.of(target), new Damaged(replicaDir, before, damage));
    }

    /**
     * Waits until the restarted node found the damage (a new quarantine beside the log, when the
     * damage is corruption) and recovered what its log lost (its recovery marker is gone).
     *
     * @return how long that took, for the notes; null if it did not happen in time (a problem)
     */
    private String awaitRecovered(int node, Damaged damaged, long restarted) throws InterruptedException {
        Path logDir = damaged.replicaDir().resolve("log");
        if (damaged.damage().corruption()) {
            String unseen = Polls.untilNone(() -> quarantines(logDir).equals(damaged.quarantinesBefore())
                    ? "no new quarantine in " + logDir : null, RECOVERY_TIMEOUT_MS);
            if (unseen != null) {
                problem("node " + node + " did not find the damage within " + RECOVERY_TIMEOUT_MS + " ms: " + unseen);
                return null;
            }
        }
        Path marker = damaged.replicaDir().resolve(RECOVERY_MARKER);
        String recovering = Polls.untilNone(() -> Files.exists(marker) ? "still recovering: " + marker + " is there"
                : null, RECOVERY_TIMEOUT_MS);
        if (recovering != null) {
            problem("node " + node + " did not recover its damaged replica within " + RECOVERY_TIMEOUT_MS + " ms: "
                    + recovering);
            return null;
        }
        return (damaged.damage().corruption() ? ", found the damage and recovered it from its peers"
                : ", cut the torn tail") + " after " + (System.nanoTime() - restarted) / 1_000_000 + " ms";
    }

    /** Waits until every replica is in place again; false (a problem) if that did not happen in time. */
    private boolean awaitInPlace(Active fault) throws InterruptedException {
        String outOfPlace = ReplicaSets.awaitInPlace(routes, IN_PLACE_TIMEOUT_MS);
        if (outOfPlace != null) {
            problem(fault.kind().label() + " of node " + fault.targets().get(0) + ": the replicas were not in place "
                    + IN_PLACE_TIMEOUT_MS + " ms after its return: " + outOfPlace);
        }
        return outOfPlace == null;
    }

    private static List<String> quarantines(Path logDir) {
        try {
            return SegmentDamage.quarantines(logDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Active cut(NemesisKind kind, Partition partition) {
        recorder.faultStarted(kind.label(), partition.targets());
        network.apply(partition);
        return new Active(kind, partition.targets());
    }

    /** Where faults hurt most: the node that leads a random partition (any node while none is known). */
    private int leaderOfSomePartition() {
        int leader = routes.leader(random.nextInt(routes.partitions()));
        return leader != 0 ? leader : 1 + random.nextInt(cluster.size());
    }

    private List<Integer> shuffledNodes() {
        List<Integer> nodes = new ArrayList<>();
        for (int i = 1; i <= cluster.size(); i++) {
            nodes.add(i);
        }
        Collections.shuffle(nodes, random);
        return nodes;
    }

    private void problem(String what) {
        problems.add(what);
        note("PROBLEM: " + what);
    }

    private void note(String line) {
        System.out.println("jepsen nemesis: " + line);
        try {
            Files.writeString(notes, Instant.now() + " " + line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + notes, e);
        }
    }
}
