package io.flotilla.jepsen.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.jepsen.sim.Range;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Which faults a run's settings name, and the seeded schedule drawn from them. */
class NemesisScheduleTest {

    @Test
    void partitionMeansEveryPartitionKindTheClusterSizeAllows() {
        assertEquals(List.of(NemesisKind.KILL, NemesisKind.ISOLATE, NemesisKind.HALVES, NemesisKind.ONE_WAY),
                NemesisKind.parse("kill, partition", 3));
        assertEquals(List.of(NemesisKind.ISOLATE, NemesisKind.HALVES, NemesisKind.RING, NemesisKind.ONE_WAY,
                NemesisKind.PAUSE), NemesisKind.parse("partition,pause,one-way", 5));
        assertThrows(IllegalArgumentException.class, () -> NemesisKind.parse("ring", 3));
        assertEquals(List.of(NemesisKind.WIPE, NemesisKind.CORRUPT, NemesisKind.KILL),
                NemesisKind.parse("wipe,corrupt,kill", 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NemesisKind.parse("kil", 3));
        assertTrue(e.getMessage().contains("unknown nemesis 'kil'"), e.getMessage());
    }

    @Test
    void allMeansEveryKindTheClusterSizeAllows() {
        assertEquals(List.of(NemesisKind.KILL, NemesisKind.PAUSE, NemesisKind.ISOLATE, NemesisKind.HALVES,
                NemesisKind.ONE_WAY, NemesisKind.CORRUPT, NemesisKind.WIPE), NemesisKind.parse("all", 3));
        assertEquals(List.of(NemesisKind.values()), NemesisKind.parse("all", 5));
        assertEquals(List.of(NemesisKind.KILL, NemesisKind.PAUSE, NemesisKind.ISOLATE, NemesisKind.HALVES,
                NemesisKind.ONE_WAY), NemesisKind.parse("all", 2), "a damaged or wiped replica needs two others");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NemesisKind.parse("wipe", 2));
        assertTrue(e.getMessage().contains("needs at least 3 nodes, not 2"), e.getMessage());
        assertEquals(NemesisKind.parse("all", 3), RunConfig.CI.nemeses(), "CI runs every kind");
    }

    @Test
    void theScheduleFillsTheFaultPhaseTakingEveryKindInTurnAndOneSeedGivesOneSchedule() {
        long seed = new Random().nextLong();
        List<NemesisKind> kinds = NemesisKind.parse("kill,pause,partition", 3);
        FaultSchedule schedule = FaultSchedule.draw(new Random(seed), kinds, 90_000, new Range(2000, 4000),
                new Range(3000, 8000));
        long total = 0;
        EnumSet<NemesisKind> seen = EnumSet.noneOf(NemesisKind.class);
        for (int i = 0; i < schedule.steps().size(); i++) {
            FaultSchedule.Step step = schedule.steps().get(i);
            assertTrue(step.quietMs() >= 2000 && step.quietMs() <= 4000 && step.holdMs() >= 3000
                    && step.holdMs() <= 8000, "seed " + seed + ": " + step);
            if (i > 0) {
                int previous = kinds.indexOf(schedule.steps().get(i - 1).kind());
                assertEquals(kinds.get((previous + 1) % kinds.size()), step.kind(), "seed " + seed + ": in turn");
            }
            seen.add(step.kind());
            total += step.quietMs() + step.holdMs();
        }
        assertTrue(total >= 90_000 && total - schedule.steps().get(schedule.steps().size() - 1).quietMs()
                - schedule.steps().get(schedule.steps().size() - 1).holdMs() < 90_000, "seed " + seed + ": " + total);
        assertEquals(EnumSet.copyOf(kinds), seen, "seed " + seed);
        assertEquals(schedule, FaultSchedule.draw(new Random(seed), kinds, 90_000, new Range(2000, 4000),
                new Range(3000, 8000)), "seed " + seed);
    }
}
