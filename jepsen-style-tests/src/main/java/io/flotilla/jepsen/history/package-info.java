/**
 * The history of a Jepsen-style run (issue 7): every client operation as an invocation and its
 * completion ({@link io.flotilla.jepsen.history.Op}: send, poll, assign, final read), and every
 * fault the nemesis started or stopped ({@link io.flotilla.jepsen.history.Fault}), recorded by
 * a {@link io.flotilla.jepsen.history.HistoryRecorder} into JSON lines
 * ({@link io.flotilla.jepsen.history.HistoryWriter}) and read back one line at a time
 * ({@link io.flotilla.jepsen.history.HistoryReader}) by the checker.
 */
package io.flotilla.jepsen.history;
