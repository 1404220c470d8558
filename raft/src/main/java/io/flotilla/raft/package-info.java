/**
 * Raft as a deterministic state machine (messages, ticks and proposals in; a batch of effects
 * out) and the driver that runs thousands of groups on a few event-loop threads. Built under
 * issue 3; the storage interface it defines is implemented over {@code log-store} in the broker.
 */
package io.flotilla.raft;
