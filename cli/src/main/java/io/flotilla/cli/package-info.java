/**
 * The {@code flotilla} command line (picocli): server, local cluster, topic, produce, consume,
 * group, cluster and perf commands. Built under issues 4 and 6.
 */
package io.flotilla.cli;
