package io.flotilla.jepsen.brokersim;

import io.flotilla.jepsen.history.Action;
import io.flotilla.jepsen.history.OpType;
import io.flotilla.jepsen.sim.Range;

import java.util.SplittableRandom;

/** What the simulated clients share: the nodes, the clock, the history, unique values and process ids. */
interface Clients {
    /** How long a client waits for one call's answer before taking it as lost (simulated ms). */
    long CALL_TIMEOUT_MS = 300;
    /** How long a producer retries one send before giving up on it. */
    long SEND_BUDGET_MS = 1_500;
    /** The pause after a refusal without a leader hint, or a call that went unanswered. */
    long BACKOFF_MS = 20;

    int nodeCount();

    /** Node {@code nodeId}'s running life, or null while it is down (a call to it is refused). */
    SimBroker.Life life(int nodeId);

    /** Schedules {@code what} after {@code delayMs} of simulated time. */
    void after(long delayMs, String what, Runnable action);

    long nowMs();

    boolean running();

    int newProcess();

    long newValue();

    void invoke(int process, Action action);

    void complete(int process, OpType type, Action action);

    /** The pause between a client's operations. */
    Range thinkMs();

    SplittableRandom random();
}
