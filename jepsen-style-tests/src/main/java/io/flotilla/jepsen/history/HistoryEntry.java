package io.flotilla.jepsen.history;

/** One line of a history: a client's operation or a fault starting or stopping. */
public sealed interface HistoryEntry permits Op, Fault {

    /** Monotonic time since the run began, in nanoseconds: what latencies and charts use. */
    long time();

    /** Wall-clock time in epoch milliseconds: what the nodes' logs can be matched with. */
    long wall();
}
