package io.flotilla.jepsen.sim;

import io.flotilla.raft.RaftConfig;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything one simulated run depends on. The seed drives every random choice; the rest is
 * what the generator drew from it (and what the shrinker reduces). {@link #encode()} gives a
 * one-line form that {@link #parse} reads back, for {@code -Dflotilla.sim.replay}.
 *
 * @param nodes       simulated nodes, ids 0 to nodes - 1
 * @param voters      the group's initial voters are nodes 0 to voters - 1; the others are spares,
 *                    outside the group until an operator adds them
 * @param durationMs  length of the fault phase; then everything heals and liveness is checked
 * @param disk        latency of one persistence (fsync) in ms
 * @param network     message delay in ms (before faults change it)
 * @param proposeEvery each client's pause between accepted proposals, ms
 * @param maxAppendBytes entry bytes per append request ({@code RaftConfig.maxAppendBytes}); 1 sends one
 *                    entry per request, so acknowledgements cover a leader's log piece by piece
 */
public record RunSpec(long seed, int nodes, int voters, long durationMs, Range disk, Range network, Range proposeEvery,
                      boolean preVote, boolean checkQuorum, long maxAppendBytes, DriverFault driverFault,
                      FaultSchedule schedule) {
    public RunSpec {
        if (nodes < 1 || nodes > 9) {
            throw new IllegalArgumentException("1 to 9 nodes, not " + nodes);
        }
        if (voters < 1 || voters > nodes) {
            throw new IllegalArgumentException("1 to " + nodes + " initial voters, not " + voters);
        }
        for (TimedFault f : schedule.faults()) {
            if (f.atMs() < 0 || f.atMs() >= durationMs) {
                throw new IllegalArgumentException("fault " + f.encode() + " is outside the fault phase [0, "
                        + durationMs + ")");
            }
        }
    }

    /** Shorter fault phase; faults at or after the new end are dropped. */
    public RunSpec withDuration(long ms) {
        return new RunSpec(seed, nodes, voters, ms, disk, network, proposeEvery, preVote, checkQuorum, maxAppendBytes,
                driverFault, schedule.before(ms));
    }

    public RunSpec withSchedule(FaultSchedule s) {
        return new RunSpec(seed, nodes, voters, durationMs, disk, network, proposeEvery, preVote, checkQuorum,
                maxAppendBytes, driverFault, s);
    }

    public RunSpec withDriverFault(DriverFault d) {
        return new RunSpec(seed, nodes, voters, durationMs, disk, network, proposeEvery, preVote, checkQuorum,
                maxAppendBytes, d, schedule);
    }

    public RunSpec withDisk(Range d) {
        return new RunSpec(seed, nodes, voters, durationMs, d, network, proposeEvery, preVote, checkQuorum,
                maxAppendBytes, driverFault, schedule);
    }

    public String encode() {
        return "seed=" + seed + " nodes=" + nodes + " voters=" + voters + " ms=" + durationMs + " disk=" + disk
                + " net=" + network + " propose=" + proposeEvery + " prevote=" + preVote + " checkquorum=" + checkQuorum
                + " append=" + maxAppendBytes + " driver=" + driverFault + " faults=" + schedule.encode();
    }

    public static RunSpec parse(String text) {
        Map<String, String> f = new LinkedHashMap<>();
        for (String part : text.trim().split("\\s+")) {
            int eq = part.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("'" + part + "' is not key=value in run spec '" + text + "'");
            }
            f.put(part.substring(0, eq), part.substring(eq + 1));
        }
        int nodes = Integer.parseInt(need(f, "nodes"));
        return new RunSpec(Long.parseLong(need(f, "seed")), nodes,
                Integer.parseInt(f.getOrDefault("voters", Integer.toString(nodes))), Long.parseLong(need(f, "ms")),
                Range.parse(need(f, "disk")), Range.parse(need(f, "net")),
                Range.parse(need(f, "propose")), Boolean.parseBoolean(need(f, "prevote")),
                Boolean.parseBoolean(need(f, "checkquorum")),
                Long.parseLong(f.getOrDefault("append", Long.toString(RaftConfig.DEFAULTS.maxAppendBytes()))),
                DriverFault.valueOf(f.getOrDefault("driver", "NONE")),
                FaultSchedule.parse(f.getOrDefault("faults", "-")));
    }

    private static String need(Map<String, String> fields, String key) {
        String v = fields.get(key);
        if (v == null) {
            throw new IllegalArgumentException("run spec lacks '" + key + "='");
        }
        return v;
    }
}
