package io.flotilla.jepsen.brokersim;

import io.flotilla.jepsen.sim.DriverFault;
import io.flotilla.jepsen.sim.FaultKind;
import io.flotilla.jepsen.sim.Range;
import io.flotilla.jepsen.sim.RunSpec;
import io.flotilla.jepsen.sim.ScheduleGenerator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.function.LongFunction;

/**
 * The {@code -Dflotilla.brokersim.*} knobs of the broker simulation tests:
 * <ul>
 *   <li>{@code schedules} (200): how many generated schedules {@code BrokerSimulationTest} runs;</li>
 *   <li>{@code firstSeed} (1): the seed of the first one (the others follow);</li>
 *   <li>{@code seed}: run only this seed's generated schedule;</li>
 *   <li>{@code replay}: run only this encoded run spec (as a failure report prints it);</li>
 *   <li>{@code shrinkRuns} (100): re-runs the shrinker may spend on a failure;</li>
 *   <li>{@code maxSeconds} (600): start no new schedule after this much wall-clock time (a
 *   bound for a machine far slower than expected; CI's 200 schedules take about 40 s on 2 cores,
 *   and the test fails unless every planned schedule ran).</li>
 * </ul>
 */
final class BrokerSimProperties {
    /** The faults the broker simulation injects: crashes (losing unsynced writes) and every network fault. */
    static final EnumSet<FaultKind> FAULTS = EnumSet.of(FaultKind.CRASH, FaultKind.ISOLATE, FaultKind.SPLIT,
            FaultKind.ONE_WAY, FaultKind.BRIDGE, FaultKind.DROP, FaultKind.DUPLICATE, FaultKind.SLOW_NETWORK);
    static final Range FAULT_PHASE_MS = new Range(1000, 2000);

    private BrokerSimProperties() {
    }

    static ScheduleGenerator generator() {
        return new ScheduleGenerator(FAULTS, true, FAULT_PHASE_MS);
    }

    /** Where the runs' RocksDB stores go: memory if the machine has a tmpfs there, else the temp directory. */
    static Path tmp() {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** Runs what the properties ask for: a replayed spec, one seed, or many generated schedules. */
    static BrokerCampaign.Report campaign(DriverFault fault, int defaultSchedules) {
        int shrinkRuns = Integer.getInteger("flotilla.brokersim.shrinkRuns", 100);
        String replay = System.getProperty("flotilla.brokersim.replay", "");
        if (!replay.isBlank()) {
            RunSpec spec = RunSpec.parse(replay);
            return BrokerCampaign.run(spec.seed(), 1, seed -> spec, shrinkRuns, Long.MAX_VALUE, tmp());
        }
        ScheduleGenerator generator = generator();
        LongFunction<RunSpec> specs = seed -> generator.generate(seed).withDriverFault(fault);
        Long seed = Long.getLong("flotilla.brokersim.seed");
        if (seed != null) {
            return BrokerCampaign.run(seed, 1, specs, shrinkRuns, Long.MAX_VALUE, tmp());
        }
        return BrokerCampaign.run(Long.getLong("flotilla.brokersim.firstSeed", 1),
                Integer.getInteger("flotilla.brokersim.schedules", defaultSchedules), specs, shrinkRuns,
                Long.getLong("flotilla.brokersim.maxSeconds", 600) * 1000, tmp());
    }
}
