package io.flotilla.jepsen.sim;

import java.util.List;

/** The result of one run: its spec, counters, the failure if any (else null), and its trace. */
public record RunOutcome(RunSpec spec, SimStats stats, Failure failure, String traceHash, List<String> trace) {
    public boolean failed() {
        return failure != null;
    }
}
