package io.flotilla.jepsen.checker;

import io.flotilla.jepsen.history.History;
import io.flotilla.jepsen.history.HistoryEntry;
import io.flotilla.jepsen.history.HistoryReader;
import io.flotilla.jepsen.history.HistoryWriter;
import io.flotilla.jepsen.report.TextReport;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Generated histories of a correct log ({@link CorrectLogRun}) have no anomaly; each with one
 * {@link Corruption} injected has the anomaly that corruption makes (and no unrelated one).
 * {@code -Dflotilla.checker.seed=S} replays one seed; {@code -Dflotilla.checker.histories=N}
 * (300) sets how many seeds, from 1, a run tries.
 */
class CheckerPropertyTest {

    @Test
    void correctHistoriesAreCleanAndEachCorruptionIsNamed() throws IOException {
        Long only = Long.getLong("flotilla.checker.seed");
        long first = only != null ? only : 1;
        int histories = only != null ? 1 : Integer.getInteger("flotilla.checker.histories", 300);
        System.out.println("CheckerPropertyTest: seeds " + first + ".." + (first + histories - 1)
                + " (replay one with -Dflotilla.checker.seed=S)");
        Map<Corruption, Integer> applied = new EnumMap<>(Corruption.class);
        for (long seed = first; seed < first + histories; seed++) {
            List<HistoryEntry> clean = CorrectLogRun.generate(new Random(seed));
            CheckResult result = Checker.check(History.of(clean));
            long s = seed;
            assertTrue(result.valid(), () -> "seed " + s + ": a correct history\n" + TextReport.render(result));
            assertEquals(clean, throughTheFileFormat(clean), "seed " + seed + ": the history file round trip");
            for (Corruption c : Corruption.values()) {
                List<HistoryEntry> corrupted = new ArrayList<>(clean);
                if (!c.apply(corrupted, new Random(seed * 31 + c.ordinal()))) {
                    continue;
                }
                applied.merge(c, 1, Integer::sum);
                CheckResult bad = Checker.check(History.of(corrupted));
                assertTrue(bad.found().contains(c.expected) && c.allowed.containsAll(bad.found()),
                        () -> "seed " + s + ", " + c + ": expected " + c.expected.label() + " (allowed " + c.allowed
                                + ")\n" + TextReport.render(bad));
            }
        }
        System.out.println("CheckerPropertyTest: corruptions applied " + applied);
        if (histories >= 100) {
            for (Corruption c : Corruption.values()) {
                assertTrue(applied.getOrDefault(c, 0) >= histories / 4,
                        () -> c + " applied to only " + applied.getOrDefault(c, 0) + " of " + histories + " histories");
            }
        }
    }

    private static List<HistoryEntry> throughTheFileFormat(List<HistoryEntry> entries) throws IOException {
        StringWriter out = new StringWriter();
        try (HistoryWriter w = new HistoryWriter(out)) {
            for (HistoryEntry e : entries) {
                w.write(e);
            }
        }
        List<HistoryEntry> read = new ArrayList<>();
        ((History) () -> new HistoryReader(new StringReader(out.toString()))).forEach((e, line) -> read.add(e));
        return read;
    }
}
