package io.flotilla.raft.bench;

import io.flotilla.raft.Entry;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.Membership;
import io.flotilla.raft.MemoryStorage;
import io.flotilla.raft.driver.DriverConfig;
import io.flotilla.raft.driver.DriverStats;
import io.flotilla.raft.driver.LocalNetwork;
import io.flotilla.raft.driver.MemoryPersistence;
import io.flotilla.raft.driver.RaftDriver;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The idle cost of many groups: 3 nodes (3 drivers with their loop threads, in this JVM, over
 * a {@link LocalNetwork}), 10,000 groups of 3 replicas each, so 30,000 Raft members. Once every
 * group has a leader and has settled, it measures for a while the CPU time of the driver
 * threads and of the whole process per second of wall time, and the heap each group holds
 * (after a full GC; storage included). With {@code --no-quiescence}, groups never go quiet and
 * every leader heartbeats every tick: what quiescence saves.
 *
 * <p>Run with {@code raft/bench.sh idle [seconds]} (see raft/BENCHMARKS.md).
 */
public final class IdleGroupsBenchmark {
    private static final int NODES = 3;

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        int groups = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        boolean quiescence = !Arrays.asList(args).contains("--no-quiescence");
        DriverConfig config = DriverConfig.DEFAULTS.withQuiescence(quiescence);

        long heapBefore = usedHeapAfterGc();
        LocalNetwork network = new LocalNetwork();
        List<RaftDriver> drivers = new ArrayList<>();
        MemberId[] members = new MemberId[NODES];
        for (int id = 1; id <= NODES; id++) {
            members[id - 1] = new MemberId(id, id);
            RaftDriver driver = new RaftDriver(members[id - 1], config, network.endpoint(id), System::nanoTime);
            network.attach(driver);
            drivers.add(driver);
        }
        Membership membership = Membership.ofVoters(members);
        // Per group, how many replicas applied a no-op (each election commits one everywhere).
        AtomicIntegerArray noops = new AtomicIntegerArray(groups + 1);
        long start = System.nanoTime();
        drivers.forEach(RaftDriver::start);
        List<CompletableFuture<Void>> added = new ArrayList<>();
        for (int g = 1; g <= groups; g++) {
            if (g % 1000 == 0) {
                // Wait for the loops to take the last thousand: their command queues are bounded.
                added.forEach(CompletableFuture::join);
                added.clear();
            }
            int group = g;
            for (RaftDriver driver : drivers) {
                MemoryStorage storage = new MemoryStorage(membership);
                added.add(driver.addGroup(g, storage, new MemoryPersistence(storage), committed -> {
                    for (Entry e : committed) {
                        if (e.type() == Entry.Type.NOOP) {
                            noops.incrementAndGet(group);
                        }
                    }
                }));
            }
        }
        added.forEach(CompletableFuture::join);
        awaitSettled(drivers, noops, groups, quiescence);
        double settleSeconds = (System.nanoTime() - start) / 1e9;
        Thread.sleep(2_000); // let the JIT and the last stragglers finish before measuring

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long[] loopThreads = loopThreadIds(threads);
        DriverStats before = total(drivers);
        long driverCpu0 = cpuTime(threads, loopThreads);
        long processCpu0 = os.getProcessCpuTime();
        long wall0 = System.nanoTime();
        Thread.sleep((long) (seconds * 1000));
        long wall = System.nanoTime() - wall0;
        long driverCpu = cpuTime(threads, loopThreads) - driverCpu0;
        long processCpu = os.getProcessCpuTime() - processCpu0;
        DriverStats after = total(drivers);

        long heapPerGroup = (usedHeapAfterGc() - heapBefore) / groups;
        System.out.printf("%d groups x %d replicas, quiescence %s, %d loop threads, settled in %.1f s%n",
                groups, NODES, quiescence ? "on" : "off", loopThreads.length, settleSeconds);
        System.out.printf("  driver threads CPU   %7.2f %% of one core%n", 100.0 * driverCpu / wall);
        System.out.printf("  whole process CPU    %7.2f %% of one core%n", 100.0 * processCpu / wall);
        System.out.printf("  awake groups         %7d of %d replicas%n", after.awakeGroups(), groups * NODES);
        System.out.printf("  group ticks /s       %7.0f%n", (after.ticks() - before.ticks()) / (wall / 1e9));
        System.out.printf("  batches sent /s      %7.0f (%.0f messages /s)%n",
                (after.batchesSent() - before.batchesSent()) / (wall / 1e9),
                (after.messagesSent() - before.messagesSent()) / (wall / 1e9));
        System.out.printf("  heap per group       %7d bytes (%d per replica, storage included)%n",
                heapPerGroup, heapPerGroup / NODES);
        for (RaftDriver driver : drivers) {
            driver.close();
        }
    }

    /** Waits until every group committed a no-op on all replicas and, with quiescence, every group is quiet. */
    private static void awaitSettled(List<RaftDriver> drivers, AtomicIntegerArray noops, int groups,
                                     boolean quiescence) throws InterruptedException {
        for (int waited = 0; waited < 600; waited++) {
            boolean elected = true;
            for (int g = 1; g <= groups && elected; g++) {
                elected = noops.get(g) >= NODES;
            }
            if (elected && (!quiescence || total(drivers).awakeGroups() == 0)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("not settled after a minute: " + total(drivers));
    }

    private static DriverStats total(List<RaftDriver> drivers) {
        return drivers.stream().map(RaftDriver::stats).reduce(DriverStats.ZERO, DriverStats::plus);
    }

    private static long[] loopThreadIds(ThreadMXBean threads) {
        return Arrays.stream(threads.getThreadInfo(threads.getAllThreadIds()))
                .filter(info -> info != null && info.getThreadName().startsWith("flotilla-raft-"))
                .mapToLong(ThreadInfo::getThreadId).toArray();
    }

    private static long cpuTime(ThreadMXBean threads, long[] ids) {
        long sum = 0;
        for (long id : ids) {
            sum += Math.max(0, threads.getThreadCpuTime(id));
        }
        return sum;
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}
