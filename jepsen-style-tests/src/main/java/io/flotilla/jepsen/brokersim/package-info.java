/**
 * Deterministic simulation of the broker's data path: several nodes, each running the broker's
 * own Raft driver (stepped), log storage on a {@link io.flotilla.jepsen.simdisk.SimFileSystem},
 * partition replicas and data-path services, under the Raft simulation's seeded scheduler,
 * network, schedule generator and shrinker; simulated clients record a history that the
 * {@link io.flotilla.jepsen.checker.Checker} judges. Entry points:
 * {@link io.flotilla.jepsen.brokersim.BrokerSimulation#run} and
 * {@link io.flotilla.jepsen.brokersim.BrokerCampaign#run}. See {@code jepsen-style-tests/README.md}.
 */
package io.flotilla.jepsen.brokersim;
