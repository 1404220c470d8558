package io.flotilla.jepsen.sim;

import io.flotilla.raft.RaftMessage;

/** What can happen at one instant of simulated time. */
public sealed interface SimEvent {
    /** One unit of logical time for a node; {@code life} ties it to one run of that node's RaftNode. */
    record Tick(int node, long life) implements SimEvent {
    }

    /** A message arrives at its recipient. */
    record Deliver(RaftMessage message, boolean duplicate) implements SimEvent {
    }

    /** The persistence (fsync) of a node's in-flight Ready completes. */
    record PersistDone(int node, long life, long readyNo) implements SimEvent {
    }

    /** A client's turn to propose. */
    record Propose(int client) implements SimEvent {
    }

    /** A fault from the schedule takes effect. */
    record Inject(Fault fault) implements SimEvent {
    }

    /** The end of a crash: node {@code node} restarts if it is still down from the crash of life {@code life}. */
    record Restart(int node, long life) implements SimEvent {
    }

    /** End of the fault phase: restart every node, heal the network, stop the workload, start the liveness probe. */
    record HealAll() implements SimEvent {
    }

    /** The liveness probe's turn to propose or to check on its proposal. */
    record Probe() implements SimEvent {
    }

    /** The liveness deadline: the probe must have committed everywhere by now. */
    record Deadline() implements SimEvent {
    }

    /** Anything else due at a time: the broker simulation's deliveries, disk completions, clients and ticks. */
    record Action(String what, Runnable run) implements SimEvent {
    }
}
