package io.flotilla.jepsen.brokersim;

import io.flotilla.broker.api.BrokerContext;
import io.flotilla.broker.api.BrokerService;
import io.flotilla.broker.api.ReplicaReadService;
import io.flotilla.broker.partition.FetchParking;
import io.flotilla.broker.partition.PartitionErrors;
import io.flotilla.broker.partition.PartitionReplica;
import io.flotilla.broker.storage.LogPersistence;
import io.flotilla.broker.storage.LogStorage;
import io.flotilla.broker.storage.NodeStorage;
import io.flotilla.jepsen.simdisk.CrashFate;
import io.flotilla.jepsen.simdisk.SimFileSystem;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.Membership;
import io.flotilla.raft.RaftMessage;
import io.flotilla.raft.driver.DriverConfig;
import io.flotilla.raft.driver.RaftDriver;
import io.flotilla.store.NodeStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * One simulated node: its disk ({@link SimFileSystem} for the partition logs, a RocksDB
 * {@link NodeStore} whose writes the simulated disk work makes at simulated times), and, while
 * up, one life of the broker's own stack: a stepped {@link RaftDriver}, each partition's
 * {@link LogStorage} with {@link LogPersistence} and {@link PartitionReplica}, and the data-path
 * services clients call. A crash drops the life (nothing of it runs again) and lets the disk
 * decide what it kept of the unsynced writes; a restart builds a new life from the disk.
 */
final class SimBroker {
    /** Ticks every 10 ms of simulated time: elections in 100 to 200 ms, as in the Raft simulation. */
    static final long TICK_NANOS = 10_000_000L;
    static final int MAX_TURNS_PER_STEP = 10_000;

    /** What a node needs from the simulation around it. */
    interface Host {
        /** Puts {@code batch} (already copied) from node {@code from} to node {@code to} on the wire. */
        void send(int from, int to, List<RaftMessage> batch);

        long nowNanos();

        SimDiskWork diskWork(SimBroker node, long life, NodeStore store);
    }

    /** One run of the node's software, from a start to a crash. */
    final class Life {
        final long number;
        final RaftDriver driver;
        final List<PartitionReplica> replicas;
        final BrokerService service;
        final ReplicaReadService reads;
        private final FetchParking parking;
        private volatile boolean over;

        private Life(long number, RaftDriver driver, List<PartitionReplica> replicas, FetchParking parking,
                     BrokerContext context) {
            this.number = number;
            this.driver = driver;
            this.replicas = replicas;
            this.parking = parking;
            this.service = new BrokerService(context);
            this.reads = new ReplicaReadService(context);
        }

        /** Whether this life has ended: answers from it no longer reach anyone. */
        boolean over() {
            return over;
        }
    }

    private final int nodeId;
    private final Host host;
    private final SimFileSystem fs;
    private final NodeStore store;
    private final DriverConfig driverConfig;
    private final Membership bootstrap;
    private final String topic;
    private final long[] groupIds;
    private long lives;
    private Life life;

    SimBroker(int nodeId, Host host, Path storeDir, DriverConfig driverConfig, Membership bootstrap, String topic,
              long[] groupIds) {
        this.nodeId = nodeId;
        this.host = host;
        this.fs = new SimFileSystem("node-" + nodeId);
        this.store = NodeStore.open(storeDir);
        this.driverConfig = driverConfig;
        this.bootstrap = bootstrap;
        this.topic = topic;
        this.groupIds = groupIds;
    }

    int nodeId() {
        return nodeId;
    }

    boolean up() {
        return life != null;
    }

    /** The running life, or null while down. */
    Life life() {
        return life;
    }

    SimFileSystem disk() {
        return fs;
    }

    /** Starts a new life from what the disk holds. */
    void start() {
        long number = ++lives;
        NodeStorage storage = new NodeStorage(store, host.diskWork(this, number, store));
        RaftDriver driver = new RaftDriver(new MemberId(nodeId, BrokerSimulation.INCARNATION), driverConfig,
                (to, batch) -> host.send(nodeId, to, BrokerSimulation.copy(batch)), host::nowNanos);
        FetchParking parking = new FetchParking(1, 100);
        List<PartitionReplica> replicas = new ArrayList<>();
        try {
            for (int p = 0; p < groupIds.length; p++) {
                LogStorage log = LogStorage.open(groupIds[p], fs.getPath("/partitions/group-" + groupIds[p]),
                        BrokerSimulation.LOG_CONFIG, storage, bootstrap, true, () -> host.nowNanos() / 1_000_000);
                PartitionReplica replica = new PartitionReplica(groupIds[p], nodeId, log.log(),
                        new PartitionErrors(topic, p, id -> "sim-node-" + id), parking, log::snapshotState,
                        damage -> {
                            // Schedules flip no bits yet: damage found here is a bug of the broker or the disk model.
                            throw new IllegalStateException("node " + nodeId + " found damage nothing injected", damage);
                        });
                replicas.add(replica);
                driver.addGroup(groupIds[p], log, new LogPersistence(log), replica);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("node " + nodeId + " cannot open its storage", e);
        }
        BrokerContext context = new SimBrokerContext(nodeId, SimBrokerContext.topic(topic, groupIds), replicas,
                driver, parking);
        life = new Life(number, driver, List.copyOf(replicas), parking, context);
    }

    /** Turns the driver until it has nothing left to do. */
    void turn() {
        if (life == null) {
            return;
        }
        for (int i = 0; life.driver.doWork() > 0; i++) {
            if (i == MAX_TURNS_PER_STEP) {
                throw new IllegalStateException("node " + nodeId + "'s driver still busy after " + i + " turns");
            }
        }
    }

    /** A batch from node {@code from} arrives; lost if the node is down. */
    void receive(int from, List<RaftMessage> batch) {
        if (life != null) {
            life.driver.receive(from, batch);
        }
    }

    /**
     * The node stops: its life ends, and the disk keeps what was forced plus what {@code fate}
     * lets through.
     *
     * @return how many unsynced writes were lost or torn
     */
    int crash(CrashFate fate, RandomGenerator random) {
        Life dead = life;
        dead.over = true;
        life = null;
        dead.parking.close();
        return fs.crash(fate, random);
    }

    /** The end of the run: the node's store closes (its files are the caller's to delete). */
    void close() {
        if (life != null) {
            life.over = true;
            life.parking.close();
            life = null;
        }
        store.close();
    }
}
