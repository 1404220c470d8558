package io.flotilla.jepsen.checker;

import io.flotilla.jepsen.history.History;

import java.io.IOException;

/**
 * Checks a history of sends, polls and final reads for the anomalies of {@link AnomalyKind}, in
 * three passes: facts about values and offsets, then each process's order, then the entries of
 * the examples. Memory grows with the number of values and offsets (and, for final reads, 16
 * bytes per message and node), not with the number of entries.
 *
 * @see AnomalyKind for the definitions
 */
public final class Checker {
    /** How many examples of each kind a result keeps: the first ones in the history. */
    public static final int EXAMPLES_PER_KIND = 5;

    private Checker() {
    }

    /**
     * @throws io.flotilla.jepsen.history.MalformedHistoryException if the history breaks the
     *         format's rules (a completion without invocation, a value sent twice, ...)
     */
    public static CheckResult check(History history) throws IOException {
        Findings findings = new Findings(EXAMPLES_PER_KIND);
        Observations observations = new Observations(findings);
        history.forEach(observations::accept);
        observations.finish();
        ProcessSequences sequences = new ProcessSequences(observations.readOffsets(), findings);
        history.forEach(sequences::accept);
        return new CheckResult(observations.stats(), findings.counts(), findings.resolve(history),
                observations.hasFinalReads());
    }
}
