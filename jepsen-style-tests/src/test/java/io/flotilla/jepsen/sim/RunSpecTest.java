package io.flotilla.jepsen.sim;

import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunSpecTest {
    private final ScheduleGenerator generator = ScheduleGenerator.standard();

    @Test
    void theSameSeedGivesTheSameSpecAndOthersDiffer() {
        assertEquals(generator.generate(42), generator.generate(42));
        assertEquals(generator.generate(42).encode(), generator.generate(42).encode());
        assertNotEquals(generator.generate(42), generator.generate(43));
    }

    @Test
    void specsSurviveEncodingForReplay() {
        for (long seed = 1; seed <= 300; seed++) {
            RunSpec spec = generator.generate(seed).withDriverFault(DriverFault.values()[(int) (seed % 3)]);
            assertEquals(spec, RunSpec.parse(spec.encode()), spec.encode());
        }
        RunSpec handMade = RunSpec.parse("seed=9 nodes=5 ms=800 disk=1-2 net=1-20 propose=5-40 prevote=true "
                + "checkquorum=false faults=10@crash:1:300,20@split:0.1,30@oneway:4,40@bridge:2:0.1,50@isolate:3,"
                + "60@heal,70@drop:0.05,80@dup:0.2,90@delay:10-200");
        assertEquals(9, handMade.schedule().size());
        assertEquals(DriverFault.NONE, handMade.driverFault());
        assertEquals(new Fault.Bridge(2, java.util.List.of(0, 1)), handMade.schedule().faults().get(3).fault());
        assertEquals(5, handMade.voters(), "every node a voter unless said otherwise");
        RunSpec operated = RunSpec.parse("seed=9 nodes=5 voters=3 ms=800 disk=1-2 net=1-20 propose=5-40 prevote=false "
                + "checkquorum=true append=1 faults=10@transfer:1,20@remove:2,30@addlearner:3,40@promote:3,"
                + "50@crashleader:commit+0:300,60@isolateleader:elected+20");
        assertEquals(3, operated.voters());
        assertEquals(java.util.List.of(new Fault.Transfer(1), new Fault.RemoveMember(2), new Fault.AddLearner(3),
                new Fault.Promote(3), new Fault.CrashLeader(Fault.LeaderMoment.FIRST_COMMIT, 0, 300),
                new Fault.IsolateLeader(Fault.LeaderMoment.ELECTED, 20)),
                operated.schedule().faults().stream().map(TimedFault::fault).toList());
        assertEquals(operated, RunSpec.parse(operated.encode()));
        assertThrows(IllegalArgumentException.class, () -> RunSpec.parse("seed=1 nodes=3 ms=100 disk=1-2 net=1-2 "
                + "propose=1-2 prevote=true checkquorum=true faults=100@heal"));
    }

    @Test
    void swarmTestingGivesEachSeedItsOwnMixOfFaults() {
        Set<Set<FaultKind>> mixes = new HashSet<>();
        Map<FaultKind, Integer> seedsWithKind = new EnumMap<>(FaultKind.class);
        int threeVoters = 0;
        int withSpares = 0;
        for (long seed = 1; seed <= 400; seed++) {
            RunSpec spec = generator.generate(seed);
            threeVoters += spec.voters() == 3 ? 1 : 0;
            Set<FaultKind> kinds = EnumSet.noneOf(FaultKind.class);
            kinds.addAll(spec.schedule().countsByKind().keySet());
            kinds.remove(FaultKind.HEAL);
            kinds.remove(FaultKind.PROMOTE);
            mixes.add(kinds);
            withSpares += spec.nodes() > spec.voters() ? 1 : 0;
            kinds.forEach(k -> seedsWithKind.merge(k, 1, Integer::sum));
            for (TimedFault f : spec.schedule().faults()) {
                assertTrue(f.atMs() >= 0 && f.atMs() < spec.durationMs());
                checkNodes(spec.nodes(), f.fault());
            }
        }
        assertTrue(mixes.size() > 50, "only " + mixes.size() + " distinct fault mixes in 400 seeds");
        assertTrue(threeVoters > 100 && threeVoters < 200, threeVoters + " of 400 runs had 3 voters (the rest 5)");
        assertTrue(withSpares > 100 && withSpares < 250, withSpares + " of 400 runs had spare nodes");
        for (FaultKind k : FaultKind.values()) {
            if (k.swarmable()) {
                int n = seedsWithKind.getOrDefault(k, 0);
                assertTrue(n > 50 && n < 300, k + " in " + n + " of 400 seeds");
            }
        }
    }

    @Test
    void oneSeedInFourComesFromTheFigure8Profile() {
        int figure8 = 0;
        for (long seed = 1; seed <= 400; seed++) {
            RunSpec spec = generator.generate(seed);
            if (spec.durationMs() < ScheduleGenerator.FIGURE_8_MS.min()) {
                continue;
            }
            figure8++;
            assertEquals(5, spec.voters());
            assertEquals(5, spec.nodes());
            assertEquals(1, spec.maxAppendBytes(), "one entry per append request");
            assertFalse(spec.preVote());
            Set<FaultKind> kinds = spec.schedule().countsByKind().keySet();
            assertTrue(kinds.contains(FaultKind.LEADER_ISOLATE), kinds::toString);
            Set<FaultKind> profile = Set.of(FaultKind.LEADER_ISOLATE, FaultKind.LEADER_CRASH, FaultKind.SLOW_NETWORK);
            assertTrue(profile.containsAll(kinds), kinds::toString);
        }
        assertTrue(figure8 > 70 && figure8 < 130, figure8 + " of 400 seeds");
    }

    @Test
    void aRestrictedGeneratorOnlyUsesItsKinds() {
        ScheduleGenerator crashesOnly = new ScheduleGenerator(EnumSet.of(FaultKind.CRASH), false, new Range(3000, 3000));
        for (long seed = 1; seed <= 50; seed++) {
            RunSpec spec = crashesOnly.generate(seed);
            assertEquals(3000, spec.durationMs());
            assertFalse(spec.schedule().faults().isEmpty());
            assertEquals(Set.of(FaultKind.CRASH), spec.schedule().countsByKind().keySet());
        }
    }

    @Test
    void shorteningTheFaultPhaseDropsLaterFaults() {
        RunSpec spec = RunSpec.parse("seed=1 nodes=3 ms=1000 disk=1-2 net=1-2 propose=1-2 prevote=true "
                + "checkquorum=true faults=100@crash:0:50,500@heal,900@drop:0.1");
        RunSpec shorter = spec.withDuration(500);
        assertEquals(500, shorter.durationMs());
        assertEquals("100@crash:0:50", shorter.schedule().encode());
    }

    private static void checkNodes(int n, Fault fault) {
        if (fault instanceof Fault.Crash c) {
            assertTrue(c.node() < n && c.downMs() > 0);
        } else if (fault instanceof Fault.Split s) {
            assertTrue(!s.side().isEmpty() && s.side().size() < n && s.side().stream().allMatch(i -> i < n));
        } else if (fault instanceof Fault.OneWay o) {
            assertTrue(!o.from().isEmpty() && o.from().size() < n && o.from().stream().allMatch(i -> i < n));
        } else if (fault instanceof Fault.Bridge b) {
            assertTrue(!b.side().contains(b.bridge()) && !b.side().isEmpty() && b.side().size() < n - 1);
        } else if (fault instanceof Fault.Isolate i) {
            assertTrue(i.node() < n);
        } else if (fault instanceof Fault.Operation o) {
            assertTrue(o.node() < n);
        }
    }
}
