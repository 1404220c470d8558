package io.flotilla.jepsen.process;

import io.flotilla.jepsen.history.HistoryRecorder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Injects and undoes the faults of {@link NemesisKind} on the nodes of a {@link ProcessCluster}
 * in a {@link NodeNetwork}, and records each in the history: its start just before it is
 * applied, its stop once it is undone (a killed node serves again), so the recorded interval
 * covers all the time the fault was in force. One fault at a time.
 */
final class Nemesis {
    /** A fault in force. */
    record Active(NemesisKind kind, List<Integer> targets) {
    }

    private final ProcessCluster cluster;
    private final NodeNetwork network;
    private final Routes routes;
    private final HistoryRecorder recorder;
    private final Random random;

    Nemesis(ProcessCluster cluster, NodeNetwork network, Routes routes, HistoryRecorder recorder, Random random) {
        this.cluster = cluster;
        this.network = network;
        this.routes = routes;
        this.recorder = recorder;
        this.random = random;
    }

    Active start(NemesisKind kind) throws InterruptedException {
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
            default -> throw new IllegalArgumentException("no such nemesis: " + kind);
        }
    }

    void stop(Active fault) throws Exception {
        switch (fault.kind()) {
            case KILL -> cluster.restart(fault.targets().get(0));
            case PAUSE -> cluster.resume(fault.targets().get(0));
            case ISOLATE, HALVES, RING, ONE_WAY -> network.heal();
            default -> throw new IllegalArgumentException("no such nemesis: " + fault.kind());
        }
        recorder.faultStopped(fault.kind().label(), fault.targets());
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
}
