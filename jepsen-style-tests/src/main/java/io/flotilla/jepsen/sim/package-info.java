/**
 * Deterministic simulation of Raft groups, after Apache Kafka's RaftEventSimulationTest and
 * FoundationDB / TigerBeetle simulation testing: no threads, no wall clock, one seed.
 *
 * <p>A {@link io.flotilla.jepsen.sim.RunSpec} (seed, node count, fault schedule, speeds) is run
 * by a {@link io.flotilla.jepsen.sim.Simulation}: a {@link io.flotilla.jepsen.sim.Scheduler}
 * of timed {@link io.flotilla.jepsen.sim.SimEvent}s, {@link io.flotilla.jepsen.sim.SimNode}s
 * driving their replicas through the {@code Ready} contract with simulated fsync latency, a
 * {@link io.flotilla.jepsen.sim.SimNetwork} with delays, loss, duplication and partitions,
 * clients proposing unique values, an {@link io.flotilla.jepsen.sim.Operator} changing the
 * membership and moving leadership through whoever leads, and
 * {@link io.flotilla.jepsen.sim.LeaderTraps} aiming faults at new leaders. After every event
 * the invariants are checked ({@link io.flotilla.jepsen.sim.ElectionSafety},
 * {@link io.flotilla.jepsen.sim.LogMatching}, {@link io.flotilla.jepsen.sim.LeaderCompleteness},
 * {@link io.flotilla.jepsen.sim.StateMachineSafety}, {@link io.flotilla.jepsen.sim.CommitSafety})
 * and a line is added to a {@link io.flotilla.jepsen.sim.Trace}; after the fault phase
 * everything heals and a proposal must commit on every member. The
 * {@link io.flotilla.jepsen.sim.ScheduleGenerator} draws specs with swarm testing, the
 * {@link io.flotilla.jepsen.sim.Shrinker} reduces failures, a
 * {@link io.flotilla.jepsen.sim.Campaign} runs many. See {@code jepsen-style-tests/README.md}.
 */
package io.flotilla.jepsen.sim;
