package io.flotilla.jepsen.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Clients proposing unique 8-byte values (1, 2, 3, ...) of 1 to 5 records each. A client
 * whose proposal is refused retries the same value soon at the hinted (or a random) node; once
 * accepted it pauses and proposes the next value. Runs during the fault phase only.
 */
final class Workload {
    static final int RETRY_MIN_MS = 1;
    static final int RETRY_MAX_MS = 5;

    private final List<Client> clients = new ArrayList<>();
    private final Range every;
    private final RandomGenerator random;
    private final long[] pendingValue;
    private final int[] pendingCount;
    private long nextValue = 1;
    private boolean running = true;

    Workload(int clients, int nodes, Range every, RandomGenerator random) {
        this.every = every;
        this.random = random;
        for (int c = 0; c < clients; c++) {
            this.clients.add(new Client(random.nextInt(nodes)));
        }
        pendingValue = new long[clients];
        pendingCount = new int[clients];
    }

    void start(Scheduler scheduler) {
        for (int c = 0; c < clients.size(); c++) {
            scheduler.after(every.draw(random), new SimEvent.Propose(c));
        }
    }

    void stop() {
        running = false;
    }

    /** Client {@code c}'s turn; returns the trace text. */
    String propose(int c, List<SimNode> nodes, Scheduler scheduler, SimStats stats) {
        if (!running) {
            return "client " + c + " stopped";
        }
        if (pendingValue[c] == 0) {
            pendingValue[c] = nextValue++;
            pendingCount[c] = 1 + random.nextInt(5);
        }
        long value = pendingValue[c];
        Client.Attempt attempt = clients.get(c).propose(nodes, Entries.value(value), pendingCount[c], random);
        if (attempt.accepted() != null) {
            pendingValue[c] = 0;
            stats.proposals++;
            scheduler.after(every.draw(random), new SimEvent.Propose(c));
        } else {
            scheduler.after(RETRY_MIN_MS + random.nextInt(RETRY_MAX_MS - RETRY_MIN_MS + 1), new SimEvent.Propose(c));
        }
        return "client " + c + " v" + value + ": " + attempt.describe();
    }
}
