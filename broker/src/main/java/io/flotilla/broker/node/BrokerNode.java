package io.flotilla.broker.node;

import io.flotilla.api.internal.v1.ControllerLinkGrpc;
import io.flotilla.api.internal.v1.NodeReport;
import io.flotilla.broker.BrokerConfig;
import io.flotilla.broker.NodeIdentity;
import io.flotilla.broker.api.ApiException;
import io.flotilla.broker.api.BrokerService;
import io.flotilla.broker.api.MalformedRequests;
import io.flotilla.broker.api.ReplicaReadService;
import io.flotilla.broker.controller.ControllerReplica;
import io.flotilla.broker.coordinator.ConsumerGroupsService;
import io.flotilla.broker.coordinator.CoordinatorTopic;
import io.flotilla.broker.coordinator.GroupCoordinator;
import io.flotilla.broker.metadata.ClusterMetadata;
import io.flotilla.broker.metadata.MetadataCommand;
import io.flotilla.broker.partition.FetchParking;
import io.flotilla.broker.storage.LogPersistence;
import io.flotilla.broker.storage.LogStorage;
import io.flotilla.broker.storage.NodeStorage;
import io.flotilla.broker.storage.StorageConfig;
import io.flotilla.broker.storage.StorageDamage;
import io.flotilla.broker.transport.GrpcTransport;
import io.flotilla.broker.transport.RaftTransportService;
import io.flotilla.broker.transport.TransportConfig;
import io.flotilla.log.LogConfig;
import io.flotilla.log.PartitionLog;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.Membership;
import io.flotilla.raft.driver.RaftDriver;
import io.flotilla.store.NodeStore;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One Flotilla node: its data directory, its Raft driver (the controller group and the
 * partition replicas placed here), and its gRPC server (clients and peers on one port).
 *
 * <p>Start-up: open the store, start the server (answering NODE_NOT_READY), form or rejoin the
 * controller group, and become ready once the controller's metadata registers this node under
 * its current incarnation; from then on, partition replicas follow the metadata.
 */
public final class BrokerNode implements AutoCloseable {
    private static final long KEEPALIVE_S = 30;
    private static final long KEEPALIVE_TIMEOUT_S = 10;
    private static final Logger log = LoggerFactory.getLogger(BrokerNode.class);
    private static final long REPORT_DEADLINE_S = 2;

    private final BrokerConfig config;
    private final NodeStore store;
    private final NodeStorage storage;
    private final GrpcTransport transport;
    private final RaftDriver driver;
    private final FetchParking parking;
    private final PartitionHost partitions;
    private final RetentionScheduler retention;
    private final GroupCoordinator groups;
    private final ControllerReplica controller;
    private final ControllerClient controllerClient;
    private final HealthStatusManager health = new HealthStatusManager();
    private final ScheduledExecutorService timer;
    private final ExecutorService housekeeping;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean creatingCoordinatorTopic = new AtomicBoolean();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final MemberId self;
    private volatile NodeIdentity identity;
    private final NodeContext context;
    private final ReplicaReports reports;
    private final StatusReporter reporter;
    private final LeaderBalancer balancer;
    private final MembershipMover mover;
    private final LeavingReplicas leaving;
    private final GoneIncarnations goneIncarnations;
    private volatile LogStorage controllerStorage;
    private Server server;

    private BrokerNode(BrokerConfig config) {
        this.config = config;
        this.identity = NodeIdentity.loadOrCreate(config.dataDir(), config.nodeId());
        this.self = new MemberId(config.nodeId(), identity.incarnation());
        this.store = NodeStore.open(config.dataDir().resolve("store"));
        this.storage = new NodeStorage(store, new StorageConfig(config.fsyncThreads(), 2));
        this.transport = new GrpcTransport(self, TransportConfig.DEFAULTS, this::addressOf);
        this.driver = new RaftDriver(self, config.driver(), transport, System::nanoTime);
        this.parking = new FetchParking(config.fetchThreads(), config.maxParkedFetches());
        this.controller = new ControllerReplica(config.nodeId(), () -> bytesOf(controllerStorage.snapshotState()),
                this::metadataChanged);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "node-timer"));
        this.groups = new GroupCoordinator(config.groups(), config.nodeId(), driver, store, controller::metadata,
                this::addressOf, timer);
        this.partitions = new PartitionHost(self, config.dataDir().resolve("partitions"), storage, driver, parking,
                this::addressOf, this::leadershipChanged, this::firstLeaderWanted, groups);
        this.controllerClient = new ControllerClient(driver, controller, this::addressOf);
        this.housekeeping = Executors.newSingleThreadExecutor(r -> daemon(r, "node-housekeeping"));
        this.retention = new RetentionScheduler(partitions, driver, timer, config.retentionIntervalMs());
        this.reports = new ReplicaReports(ReplicaReports.SESSION_TIMEOUT_NANOS, System::nanoTime, timer,
                this::heardNanosAgo);
        this.context = new NodeContext(config, () -> identity, driver, controller, controllerClient, partitions,
                parking, new TreeSet<>(config.cluster().keySet()), reports);
        long electionTimeoutNanos = config.driver().raft().electionTimeoutTicks() * config.driver().tickNanos();
        PartitionIndex index = new PartitionIndex(controller::metadata);
        this.reporter = new StatusReporter(self, partitions, index, driver,
                nodeId -> context.heardWithin(nodeId, electionTimeoutNanos), electionTimeoutNanos, System::nanoTime,
                this::surveyed, timer, config.leadership().reportIntervalMs());
        this.mover = new MembershipMover(config.nodeId(), driver, index, controller::metadata, config.cluster().keySet(),
                controllerClient::local);
        this.leaving = new LeavingReplicas(controllerClient, controller::metadata, reports);
        this.goneIncarnations = new GoneIncarnations(driver, partitions);
        this.balancer = new LeaderBalancer(config.nodeId(), driver, controller::metadata, reporter::led, timer,
                config.leadership(), electionTimeoutNanos);
    }

    /**
     * Starts a node and returns once it serves gRPC; it becomes ready (health SERVING) when it
     * has joined the cluster, which needs every {@code --cluster} node up the first time.
     */
    public static BrokerNode start(BrokerConfig config) throws IOException, InterruptedException {
        BrokerNode node = new BrokerNode(config);
        try {
            node.startServing();
            node.housekeeping.execute(node::join);
            return node;
        } catch (IOException | RuntimeException e) {
            node.close();
            throw e;
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static byte[] bytesOf(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }

    private String addressOf(int nodeId) {
        return context.addressOf(nodeId);
    }

    private void startServing() throws IOException {
        driver.start();
        RaftTransportService raft = new RaftTransportService(self, () -> identity.clusterId(), (from, batch) -> {
            context.heard(from);
            return driver.receive(from, batch);
        });
        AdminService admin = new AdminService(context, controllerClient, timer,
                new LeadershipAdmin(context, controllerClient, reports, balancer));
        NettyServerBuilder builder = NettyServerBuilder.forAddress(socketAddress(config.listen()))
                .maxInboundMessageSize(config.maxRequestBytes())
                // A client whose host vanished without a reset would hold its Subscribe streams
                // and parked fetches for good: ping idle connections and drop the silent ones.
                .keepAliveTime(KEEPALIVE_S, TimeUnit.SECONDS)
                .keepAliveTimeout(KEEPALIVE_TIMEOUT_S, TimeUnit.SECONDS)
                .addService(MalformedRequests.guard(new BrokerService(context).bindService()))
                .addService(MalformedRequests.guard(admin.bindService()))
                .addService(MalformedRequests.guard(new ReplicaReadService(context).bindService()))
                .addService(MalformedRequests.guard(ConsumerGroupsService.bind(new ConsumerGroupsService(context, groups,
                        controllerClient::channel))))
                .addService(raft)
                .addService(new ControllerLinkService(reports, balancer, partitions::replica,
                        new JoinAdmission(controller, controllerClient, transport::identify, config.cluster().keySet(),
                                goneIncarnations::gone)))
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance());
        RaftTransportService.permitPeerKeepAlive(builder, TransportConfig.DEFAULTS);
        health.setStatus("", ServingStatus.NOT_SERVING);
        server = builder.build().start();
        reporter.start();
        balancer.start();
        log.info("node {} (incarnation {}) serves on {}", config.nodeId(), Long.toHexString(identity.incarnation()),
                config.listen());
    }

    static InetSocketAddress socketAddress(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    /** Forms or rejoins the controller group (on the housekeeping thread). */
    private void join() {
        try {
            Path controllerDir = config.dataDir().resolve("controller");
            Membership bootstrap;
            String formedClusterId = null;
            if (identity.joined()) {
                if (!Files.isDirectory(controllerDir)) {
                    throw new IllegalStateException("node " + config.nodeId() + " joined cluster " + identity.clusterId()
                            + " but its controller log " + controllerDir + " is missing");
                }
                bootstrap = Membership.ofVoters(self); // ignored: the group exists on disk
            } else {
                ClusterBootstrap.Formed formed = ClusterBootstrap.form(self, config.cluster(), transport, closed::get);
                // Rejoining, this node learns the group's members from its leader; it never campaigns on its own word.
                bootstrap = formed.founder() ? Membership.ofVoters(formed.voters().toArray(MemberId[]::new))
                        : new Membership(new TreeSet<>(formed.voters()), new TreeSet<>(Set.of(self)));
                formedClusterId = formed.clusterId();
                log.info("{} cluster {} with voters {}", formed.founder() ? "forming" : "rejoining", formed.clusterId(),
                        formed.voters());
            }
            // Opening a new group's storage records the voters durably, before the identity says "joined".
            // Every batch is verified: the metadata log is small, and damage found later, by a read,
            // stops the group until the node restarts (a replica of a partition is reopened at once).
            controllerStorage = LogStorage.open(ControllerReplica.GROUP_ID, controllerDir,
                    LogConfig.DEFAULTS.withVerifyOnOpen(LogConfig.VerifyOnOpen.ALL), storage, bootstrap, false,
                    System::currentTimeMillis);
            if (formedClusterId != null) {
                identity = identity.withClusterId(formedClusterId);
                identity.store(config.dataDir());
            }
            if (controllerStorage.snapshotState().hasRemaining()) {
                controller.load(bytesOf(controllerStorage.snapshotState()));
            }
            driver.addGroup(ControllerReplica.GROUP_ID, controllerStorage, new LogPersistence(controllerStorage),
                    controller).get(30, TimeUnit.SECONDS);
            List<Integer> peers = config.cluster().keySet().stream().filter(id -> id != config.nodeId()).toList();
            new SelfRegistration(self, config.cluster().getOrDefault(config.nodeId(), config.listen()), peers,
                    controllerClient::channel, timer, () -> closed.get() || context.ready()).start();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.error("node {} cannot join its cluster; stopping", config.nodeId(), e);
            housekeeping.execute(this::close);
        }
    }

    /** On the controller's loop thread: hand off. */
    private void metadataChanged(ClusterMetadata metadata) {
        goneIncarnations.metadataChanged(metadata);
        partitions.metadataChanged(metadata);
        balancer.metadataChanged();
        groups.metadataChanged(metadata);
        if (!closed.get()) {
            housekeeping.execute(() -> afterMetadata(metadata));
        }
    }

    private void afterMetadata(ClusterMetadata metadata) {
        health.setStatus("", context.ready() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
        if (controllerClient.local()) {
            registerFounders(metadata);
            createCoordinatorTopic(metadata);
        }
    }

    /** On a partition's loop thread: hand off. */
    private void leadershipChanged() {
        reporter.leadershipChanged();
    }

    private long heardNanosAgo(int nodeId) {
        return context.heardNanosAgo(nodeId);
    }

    private void firstLeaderWanted(long groupId) {
        balancer.firstLeaderWanted(groupId);
    }

    /** After each survey of this node's replicas (timer thread): report it, then move memberships along. */
    private void surveyed(NodeReport report) {
        sendReport(report);
        mover.pass(reporter.led());
        leaving.pass();
    }

    /** To the controller's leader: here if this node leads it; dropped while there is none (the next one goes). */
    private void sendReport(NodeReport report) {
        if (!context.ready()) {
            return;
        }
        if (controllerClient.local()) {
            reports.accept(report);
            return;
        }
        try {
            ControllerLinkGrpc.newFutureStub(controllerClient.leaderChannel())
                    .withDeadlineAfter(REPORT_DEADLINE_S, TimeUnit.SECONDS).report(report);
        } catch (ApiException noLeader) {
            // reported again within a second, to whoever leads by then
        }
    }

    /** The controller's leader creates the consumer groups' coordinator partitions once every founder registered. */
    private void createCoordinatorTopic(ClusterMetadata metadata) {
        CoordinatorTopic.creation(metadata, config.cluster().keySet(), config.groups()).ifPresent(create -> {
            if (creatingCoordinatorTopic.compareAndSet(false, true)) {
                controllerClient.submit(create).whenComplete((r, e) -> creatingCoordinatorTopic.set(false));
            }
        });
    }

    /**
     * The controller's leader registers every voter not registered yet. (A registered node that
     * comes back with a new incarnation registers itself: it joins; its old incarnation stays a
     * voter until the new one replaces it.)
     */
    private void registerFounders(ClusterMetadata metadata) {
        driver.call(ControllerReplica.GROUP_ID, n -> n.membership().voters()).thenAccept(voters -> {
            for (MemberId m : voters) {
                String address = config.cluster().get(m.nodeId());
                if (!metadata.nodes().containsKey(m.nodeId()) && address != null) {
                    controllerClient.submit(new MetadataCommand.RegisterNode(m.nodeId(), m.incarnation(), address))
                            .exceptionally(e -> null); // the next metadata change tries again
                }
            }
        });
    }

    public int nodeId() {
        return config.nodeId();
    }

    /** The node as its services see it (tests read its topics and subscription counters). */
    NodeContext context() {
        return context;
    }

    /** The node store, for tests that read what the node keeps in RocksDB. */
    NodeStore store() {
        return store;
    }

    /** The Raft driver, for tests that act on a group directly (moving its leadership). */
    RaftDriver driver() {
        return driver;
    }

    /** The damage found in this node's group logs since it started, and which groups recovered (each is logged too). */
    public List<StorageDamage> storageDamages() {
        return storage.damages().all();
    }

    /** The controller group's log (null before the node joined), for tests that compare replicas. */
    PartitionLog controllerLog() {
        LogStorage opened = controllerStorage;
        return opened == null ? null : opened.log();
    }

    /** Whether the node has joined and serves the API. */
    public boolean ready() {
        return context.ready();
    }

    /** Waits until {@link #close} has finished. */
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    /** Stops serving, then stops every group (keeping its data) and releases the disk. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            context.stopping();
            reporter.close();
            balancer.close();
            health.enterTerminalState();
            if (server != null) {
                server.shutdown();
            }
            retention.close();
            partitions.close();
            groups.close();
            closeQuietly("driver", driver::close);
            closeQuietly("transport", transport::close);
            closeQuietly("controller client", controllerClient::close);
            if (server != null) {
                server.shutdownNow();
                server.awaitTermination(5, TimeUnit.SECONDS);
            }
            LogStorage cs = controllerStorage;
            if (cs != null) {
                closeQuietly("controller storage", cs::close);
            }
            parking.close();
            timer.shutdownNow();
            housekeeping.shutdownNow();
            storage.close();
            store.close();
            log.info("node {} stopped", config.nodeId());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            terminated.countDown();
        }
    }

    @FunctionalInterface
    private interface Closer {
        void close() throws Exception;
    }

    private static void closeQuietly(String what, Closer closer) {
        try {
            closer.close();
        } catch (Exception e) {
            log.warn("closing the {} failed", what, e);
        }
    }
}
