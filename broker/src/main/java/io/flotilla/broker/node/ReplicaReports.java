package io.flotilla.broker.node;

import io.flotilla.api.internal.v1.MemberProgress;
import io.flotilla.api.internal.v1.NodeReport;
import io.flotilla.api.internal.v1.ReplicaReport;
import io.flotilla.raft.MemberId;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntToLongFunction;
import java.util.function.LongSupplier;

/**
 * The nodes' latest status reports, as the controller's leader holds them: in memory only (they
 * change every second and the next report replaces a lost one), never in the Raft log. What
 * DescribeCluster, DescribeTopics and the leadership calls know of leaders, offsets, caught-up
 * replicas and live nodes comes from here.
 *
 * <p>Thread-safe: reports arrive on gRPC threads (and from the local reporter); readers take a
 * {@link View}, a consistent reading as of one moment.
 */
final class ReplicaReports {
    /** A node not heard from for this long is unreachable (admin.proto: "a few seconds"). */
    static final long SESSION_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(3);

    private record Received(long atNanos, NodeReport report) {
    }

    private record Waiter(long groupId, int nodeId, CompletableFuture<Boolean> done) {
    }

    private final long sessionNanos;
    private final LongSupplier clock;
    private final ScheduledExecutorService timer;
    private final IntToLongFunction heardOtherwise;
    private final Map<Integer, Received> byNode = new ConcurrentHashMap<>();
    /** Calls waiting for a node to lead a group; guarded by itself. */
    private final List<Waiter> waiters = new ArrayList<>();

    /**
     * @param sessionNanos   a node not heard from for this long is unreachable, and its report no
     *                       longer counts
     * @param timer          ends waits that time out
     * @param heardOtherwise nanoseconds since a node was last heard from otherwise (its Raft
     *                       traffic), -1 if never: a controller leader elected a moment ago has
     *                       no reports yet, and must not take every other node for down
     */
    ReplicaReports(long sessionNanos, LongSupplier clock, ScheduledExecutorService timer,
                   IntToLongFunction heardOtherwise) {
        this.sessionNanos = sessionNanos;
        this.clock = clock;
        this.timer = timer;
        this.heardOtherwise = heardOtherwise;
    }

    /** A node's report: it replaces that node's previous one, and ends the waits it satisfies. */
    void accept(NodeReport report) {
        int nodeId = report.getNode().getNodeId();
        byNode.put(nodeId, new Received(clock.getAsLong(), report));
        List<Waiter> satisfied = new ArrayList<>();
        synchronized (waiters) {
            Set<Long> led = null;
            for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
                Waiter w = it.next();
                if (w.nodeId() != nodeId) {
                    continue;
                }
                if (led == null) {
                    led = ledBy(report);
                }
                if (led.contains(w.groupId())) {
                    it.remove();
                    satisfied.add(w);
                }
            }
        }
        satisfied.forEach(w -> w.done().complete(true));
    }

    private static Set<Long> ledBy(NodeReport report) {
        Set<Long> led = new HashSet<>();
        for (ReplicaReport r : report.getReplicasList()) {
            if (r.getLeaderNodeId() == report.getNode().getNodeId()) {
                led.add(r.getGroupId());
            }
        }
        return led;
    }

    /**
     * Completes with true once a report shows {@code nodeId} leading {@code groupId} (at once if
     * the reports already do), with false after {@code timeoutMs}.
     */
    CompletableFuture<Boolean> awaitLeader(long groupId, int nodeId, long timeoutMs) {
        Waiter w = new Waiter(groupId, nodeId, new CompletableFuture<>());
        synchronized (waiters) {
            waiters.add(w);
        }
        // Registered first, so a report accepted meanwhile is seen by one check or the other.
        ReplicaReport leader = view().leader(groupId);
        if (leader != null && leader.getLeaderNodeId() == nodeId) {
            finish(w, true);
        } else {
            timer.schedule(() -> finish(w, false), timeoutMs, TimeUnit.MILLISECONDS);
        }
        return w.done();
    }

    private void finish(Waiter w, boolean led) {
        synchronized (waiters) {
            waiters.remove(w);
        }
        w.done().complete(led);
    }

    /** The reports as of now. */
    View view() {
        long now = clock.getAsLong();
        Map<Long, ReplicaReport> leaders = new HashMap<>();
        Map<Integer, Long> reportedNanosAgo = new HashMap<>();
        for (Received r : byNode.values()) {
            long ago = now - r.atNanos();
            int nodeId = r.report().getNode().getNodeId();
            reportedNanosAgo.put(nodeId, ago);
            if (ago >= sessionNanos) {
                continue;
            }
            for (ReplicaReport replica : r.report().getReplicasList()) {
                if (replica.getLeaderNodeId() != nodeId) {
                    continue;
                }
                // A deposed leader may not have reported since: the newer term wins.
                leaders.merge(replica.getGroupId(), replica,
                        (a, b) -> a.getLeaderTerm() >= b.getLeaderTerm() ? a : b);
            }
        }
        return new View(leaders, reportedNanosAgo, heardOtherwise, sessionNanos);
    }

    /** What a leader's report says of {@code member}; null if it is not in the group's membership. */
    static MemberProgress member(ReplicaReport leader, MemberId member) {
        for (MemberProgress m : leader.getMembersList()) {
            if (m.getNodeId() == member.nodeId() && m.getIncarnation() == member.incarnation()) {
                return m;
            }
        }
        return null;
    }

    /** What the reports say at one moment. */
    static final class View {
        private final Map<Long, ReplicaReport> leaders;
        private final Map<Integer, Long> reportedNanosAgo;
        private final IntToLongFunction heardOtherwise;
        private final long sessionNanos;

        private View(Map<Long, ReplicaReport> leaders, Map<Integer, Long> reportedNanosAgo,
                     IntToLongFunction heardOtherwise, long sessionNanos) {
            this.leaders = leaders;
            this.reportedNanosAgo = reportedNanosAgo;
            this.heardOtherwise = heardOtherwise;
            this.sessionNanos = sessionNanos;
        }

        /** The report of the node leading {@code groupId}, as a node alive now reported it; null if none. */
        ReplicaReport leader(long groupId) {
            return leaders.get(groupId);
        }

        /** Heard from within the session timeout. */
        boolean alive(int nodeId) {
            long ago = heardNanosAgo(nodeId);
            return ago >= 0 && ago < sessionNanos;
        }

        /** Milliseconds since {@code nodeId} was last heard from, by a report or otherwise; -1 never. */
        long lastHeardMsAgo(int nodeId) {
            long ago = heardNanosAgo(nodeId);
            return ago < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(ago);
        }

        private long heardNanosAgo(int nodeId) {
            Long reported = reportedNanosAgo.get(nodeId);
            long otherwise = heardOtherwise.applyAsLong(nodeId);
            if (reported == null) {
                return otherwise;
            }
            return otherwise < 0 ? reported : Math.min(reported, otherwise);
        }
    }
}
