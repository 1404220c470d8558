/**
 * Deterministic simulation and real multi-process fault injection with a history checker.
 * Built under issues 3 and 7.
 */
package io.flotilla.jepsen;
