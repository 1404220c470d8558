package io.flotilla.jepsen.sim;

import java.util.function.LongFunction;

/**
 * The {@code -Dflotilla.sim.*} knobs of the simulation tests:
 * <ul>
 *   <li>{@code schedules} (500): how many generated schedules {@code SimulationTest} runs;</li>
 *   <li>{@code firstSeed} (1): the seed of the first one (the others follow);</li>
 *   <li>{@code seed}: run only this seed's generated schedule;</li>
 *   <li>{@code replay}: run only this encoded run spec (as a failure report prints it);</li>
 *   <li>{@code driverFault} (NONE): break the driver on purpose in those runs;</li>
 *   <li>{@code shrinkRuns} (300): re-runs the shrinker may spend on a failure;</li>
 *   <li>{@code maxSeconds} (270): start no new schedule after this much wall-clock time.</li>
 * </ul>
 */
final class SimProperties {
    private SimProperties() {
    }

    static int schedules() {
        return Integer.getInteger("flotilla.sim.schedules", 500);
    }

    static long firstSeed() {
        return Long.getLong("flotilla.sim.firstSeed", 1);
    }

    static Long seed() {
        return Long.getLong("flotilla.sim.seed");
    }

    static String replay() {
        String v = System.getProperty("flotilla.sim.replay");
        return v == null || v.isBlank() ? null : v;
    }

    static DriverFault driverFault() {
        return DriverFault.valueOf(System.getProperty("flotilla.sim.driverFault", "NONE"));
    }

    static int shrinkRuns() {
        return Integer.getInteger("flotilla.sim.shrinkRuns", 300);
    }

    static long maxWallMs() {
        return Long.getLong("flotilla.sim.maxSeconds", 270) * 1000;
    }

    /** Runs what the properties ask for: a replayed spec, one seed, or many generated schedules. */
    static Campaign.Report campaign(Replica.Factory factory) {
        String replay = replay();
        if (replay != null) {
            RunSpec spec = RunSpec.parse(replay);
            return Campaign.run(spec.seed(), 1, seed -> spec, factory, shrinkRuns());
        }
        ScheduleGenerator generator = ScheduleGenerator.standard();
        DriverFault fault = driverFault();
        LongFunction<RunSpec> specs = seed -> generator.generate(seed).withDriverFault(fault);
        Long seed = seed();
        if (seed != null) {
            return Campaign.run(seed, 1, specs, factory, shrinkRuns());
        }
        return Campaign.run(firstSeed(), schedules(), specs, factory, shrinkRuns(), maxWallMs());
    }
}
