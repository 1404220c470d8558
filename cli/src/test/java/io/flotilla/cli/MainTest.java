package io.flotilla.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.cli.client.Bootstrap;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Command-line parsing and exit codes: 0 done, 1 refused or unreachable, 2 bad usage with one clear line. */
class MainTest {

    @Test
    void anUnknownOptionIsBadUsageNamedOnOneLineWithASuggestion() {
        CliRun r = CliRun.run("", "produce", "orders", "--bootstrp", "h:1");

        assertEquals(2, r.code());
        assertEquals("", r.out());
        assertArrayEquals(new String[] {"flotilla produce: Unknown options: '--bootstrp', 'h:1'. Did you mean --bootstrap? "
                + "(see 'flotilla produce --help')"}, r.errLines());
    }

    @Test
    void aMissingParameterIsBadUsage() {
        CliRun r = CliRun.run("", "topic", "create", "--partitions", "3");

        assertEquals(2, r.code());
        assertArrayEquals(new String[] {"flotilla topic create: Missing required parameter: 'NAME' "
                + "(see 'flotilla topic create --help')"}, r.errLines());
    }

    @Test
    void noCommandIsBadUsageListingTheCommands() {
        CliRun r = CliRun.run("");

        assertEquals(2, r.code());
        assertArrayEquals(new String[] {"flotilla: missing a command: server, local, topic, produce, consume, group, cluster, perf or help "
                + "(see 'flotilla --help')"}, r.errLines());
    }

    @Test
    void valuesOutOfRangeAreBadUsageNamingTheOption() {
        assertUsage("flotilla consume: --max must be at least 1, not 0 (see 'flotilla consume --help')",
                "consume", "orders", "--max", "0");
        assertUsage("flotilla consume: --partition must be 0 or more, not -1 (see 'flotilla consume --help')",
                "consume", "orders", "--partition", "-1");
        assertUsage("flotilla produce: Invalid value for option '--acks': expected one of [quorum, leader] "
                + "(case-sensitive) but was 'all' (see 'flotilla produce --help')", "produce", "orders", "--acks", "all");
        assertUsage("flotilla topic create: --partitions must be at least 1, not 0 "
                + "(see 'flotilla topic create --help')", "topic", "create", "orders", "--partitions", "0");
        assertUsage("flotilla topic create: --config: topic config 'retention.ms' takes a whole number, not '7d' "
                + "(see 'flotilla topic create --help')", "topic", "create", "orders", "--config", "retention.ms=7d");
        assertUsage("flotilla topic list: --timeout-ms must be at least 1, not 0 (see 'flotilla topic list --help')",
                "topic", "list", "--timeout-ms", "0");
    }

    @Test
    void aBadBootstrapIsBadUsageNamingWhereItCameFrom() {
        assertUsage("flotilla topic list: --bootstrap: 'localhost' is not host:port (for example 127.0.0.1:9701) "
                + "(see 'flotilla topic list --help')", "topic", "list", "--bootstrap", "localhost");

        CliRun fromEnv = CliRun.runWithEnv(Map.of(Bootstrap.ENV, "h:x"), "", "topic", "list");
        assertEquals(2, fromEnv.code());
        assertArrayEquals(new String[] {"flotilla topic list: FLOTILLA_BOOTSTRAP: 'h:x' has no numeric port "
                + "(see 'flotilla topic list --help')"}, fromEnv.errLines());
    }

    @Test
    void anUnreachableClusterExitsOneWithWhatToCheck() throws IOException {
        String nowhere;
        try (ServerSocket s = new ServerSocket(0)) {
            nowhere = "127.0.0.1:" + s.getLocalPort();
        }
        CliRun r = CliRun.run("", "topic", "list", "--bootstrap", nowhere);

        assertEquals(1, r.code());
        assertEquals(1, r.errLines().length, r.err());
        assertTrue(r.err().startsWith("flotilla topic list: cannot reach " + nowhere), r.err());
        assertTrue(r.err().contains("is the cluster running? Start one with 'flotilla local'"), r.err());
    }

    @Test
    void helpAndVersionSucceed() {
        CliRun help = CliRun.run("", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("Exit codes: 0 done; 1 the cluster refused"), help.out());

        CliRun version = CliRun.run("", "--version");
        assertEquals(0, version.code());
        assertTrue(version.out().startsWith("flotilla "), version.out());
        assertEquals(version.out(), CliRun.run("", "version").out());
    }

    private static void assertUsage(String line, String... args) {
        CliRun r = CliRun.run("", args);
        assertEquals(2, r.code(), r.err());
        assertArrayEquals(new String[] {line}, r.errLines());
    }
}
