/**
 * The checker of Jepsen-style histories (issue 7): {@link io.flotilla.jepsen.checker.Checker}
 * reads a {@link io.flotilla.jepsen.history.History} and reports each
 * {@link io.flotilla.jepsen.checker.AnomalyKind} it finds, with counts and examples, in a
 * {@link io.flotilla.jepsen.checker.CheckResult}.
 */
package io.flotilla.jepsen.checker;
