package io.flotilla.broker.node;

import io.flotilla.api.internal.v1.MemberProgress;
import io.flotilla.api.internal.v1.ReplicaReport;
import io.flotilla.api.v1.ReplicaRole;
import io.flotilla.broker.LeadershipConfig;
import io.flotilla.broker.metadata.ClusterMetadata;
import io.flotilla.broker.metadata.Placement;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.NotLeaderException;
import io.flotilla.raft.driver.RaftDriver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * This node's leader balancer: it looks over the partitions the node leads, and hands each
 * whose preferred leader is another replica, alive and caught up, over to it through Raft
 * leadership transfer; at most {@link LeadershipConfig#maxTransfersPerPass} per look. So after
 * a failed node comes back and catches up, the leaderships it prefers return to it, and
 * leadership follows what RebalanceLeaders chose. Every node balances what it leads itself,
 * with no coordination: the preferences are in the metadata every node holds.
 *
 * <p>Runs on the node's shared timer thread, every {@link LeadershipConfig#balanceIntervalMs}
 * and soon after a metadata change, from the reporter's latest survey; no thread or timer per
 * partition. Hand-overs run on the groups' loops, which check leadership again there.
 */
final class LeaderBalancer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaderBalancer.class);
    /** The longest wait between two hand-overs of one group that do not take, in balance intervals (64 s by default). */
    private static final long MAX_BACKOFF_INTERVALS = 32;

    private final int selfNode;
    private final RaftDriver driver;
    private final Supplier<ClusterMetadata> metadata;
    private final Supplier<Map<Long, ReplicaReport>> led;
    private final ScheduledExecutorService timer;
    private final LeadershipConfig config;
    private final long electionTimeoutNanos;
    private final AtomicBoolean passQueued = new AtomicBoolean();
    // Timer thread only: the preferred leaders of the metadata version last looked at.
    private long indexedVersion = -1;
    private SortedMap<Long, MemberId> preferred;
    private ScheduledFuture<?> periodic;
    /** Timer thread only: hand-overs that did not take wait longer before they are tried again. */
    private final HandOverBackoff backoff;

    /**
     * @param led                  the latest survey of the groups this node leads ({@link StatusReporter#led})
     * @param electionTimeoutNanos the shortest time a member waits for a leader before campaigning
     */
    LeaderBalancer(int selfNode, RaftDriver driver, Supplier<ClusterMetadata> metadata,
                   Supplier<Map<Long, ReplicaReport>> led, ScheduledExecutorService timer, LeadershipConfig config,
                   long electionTimeoutNanos) {
        this.selfNode = selfNode;
        this.driver = driver;
        this.metadata = metadata;
        this.led = led;
        this.timer = timer;
        this.config = config;
        this.electionTimeoutNanos = electionTimeoutNanos;
        long interval = TimeUnit.MILLISECONDS.toNanos(config.balanceIntervalMs());
        this.backoff = new HandOverBackoff(interval, MAX_BACKOFF_INTERVALS * interval);
    }

    synchronized void start() {
        if (config.balancerEnabled()) {
            periodic = timer.scheduleWithFixedDelay(this::pass, config.balanceIntervalMs(), config.balanceIntervalMs(),
                    TimeUnit.MILLISECONDS);
        }
    }

    /** Preferences may have changed (any thread): look soon, once for a burst of changes. */
    void metadataChanged() {
        if (config.balancerEnabled() && passQueued.compareAndSet(false, true)) {
            try {
                timer.execute(this::pass);
            } catch (RejectedExecutionException stopping) {
                // the node is stopping
            }
        }
    }

    /**
     * This node, preferred leader of new group {@code groupId}, started its replica: have it win
     * the group's first election, so leadership starts where it belongs instead of being handed
     * over (a pause of the partition's produce) moments after the topic is created. It campaigns
     * at a quarter and at three quarters of an election timeout: early enough that no other
     * member's timer has run out, late enough that the other members, which apply the metadata a
     * moment later, have started theirs and can vote (the second try is for a slow one). A member
     * that already knows a leader ignores it. Works whether or not the balancer is enabled.
     */
    void firstLeaderWanted(long groupId) {
        for (long delay : new long[] {electionTimeoutNanos / 4, electionTimeoutNanos * 3 / 4}) {
            try {
                timer.schedule(() -> driver.call(groupId, node -> {
                    node.campaignNow();
                    return null;
                }), delay, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException stopping) {
                return;
            }
        }
    }

    /**
     * Starts handing the leadership of {@code groupId} to {@code target}, on the group's loop:
     * completes with true if this node led and began the transfer (or {@code target} already
     * leads), false if it does not lead, the target is not a voter, or a transfer is already
     * under way. Raft catches the target up first; the leader carries on if that takes longer
     * than an election timeout.
     */
    CompletableFuture<Boolean> handOver(long groupId, MemberId target) {
        return driver.call(groupId, node -> {
            if (target.equals(node.leader())) {
                return true;
            }
            if (!node.self().equals(node.leader()) || !node.membership().isVoter(target)) {
                return false;
            }
            try {
                node.transferLeadership(target);
                return true;
            } catch (NotLeaderException transferUnderWay) {
                return false;
            }
        });
    }

    private void pass() {
        passQueued.set(false);
        try {
            balance();
        } catch (RuntimeException e) {
            log.warn("node {}: a leader balancing pass failed; the next one tries again", selfNode, e);
        }
    }

    private void balance() {
        Map<Long, ReplicaReport> leading = led.get();
        backoff.retainLed(leading.keySet());
        if (leading.isEmpty()) {
            return;
        }
        ClusterMetadata current = metadata.get();
        if (current.version() != indexedVersion) {
            preferred = Placement.preferredLeaders(current);
            indexedVersion = current.version();
        }
        long now = System.nanoTime();
        List<Long> groups = new ArrayList<>(leading.keySet());
        groups.sort(null);
        int started = 0;
        for (long groupId : groups) {
            MemberId target = preferred.get(groupId);
            if (target == null || target.nodeId() == selfNode || !caughtUpVoter(leading.get(groupId), target)
                    || !backoff.mayTry(groupId, target, now)) {
                continue;
            }
            if (started == config.maxTransfersPerPass()) {
                return; // the rest at the next pass
            }
            started++;
            backoff.tried(groupId, target, now);
            handOver(groupId, target).whenComplete((begun, e) -> {
                if (e == null && begun) {
                    log.info("node {} hands group {} over to its preferred leader {}", selfNode, groupId, target);
                }
            });
        }
    }

    private static boolean caughtUpVoter(ReplicaReport report, MemberId target) {
        MemberProgress m = ReplicaReports.member(report, target);
        return m != null && m.getCaughtUp() && m.getRole() == ReplicaRole.REPLICA_ROLE_VOTER;
    }

    @Override
    public synchronized void close() {
        if (periodic != null) {
            periodic.cancel(false);
        }
    }
}
