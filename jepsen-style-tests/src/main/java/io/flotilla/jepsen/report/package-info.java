/**
 * Reports of a Jepsen-style run: the one-line {@link io.flotilla.jepsen.report.Summary}, the
 * {@link io.flotilla.jepsen.report.TextReport} of anomalies with examples, and the
 * {@link io.flotilla.jepsen.report.HtmlReport} picturing throughput, latency and faults over
 * time from a {@link io.flotilla.jepsen.report.Timeline}; {@link io.flotilla.jepsen.report.RunReport}
 * writes them for one run.
 */
package io.flotilla.jepsen.report;
