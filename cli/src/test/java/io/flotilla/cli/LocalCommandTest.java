package io.flotilla.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code flotilla local} refuses bad settings before starting anything. */
class LocalCommandTest {

    @TempDir
    Path dir;

    @Test
    void nodeCountsOutside1To9AreBadUsage() {
        assertUsage("flotilla local: --nodes must be 1..9, not 0 (see 'flotilla local --help')", "--nodes", "0");
        assertUsage("flotilla local: --nodes must be 1..9, not 10 (see 'flotilla local --help')", "--nodes", "10");
    }

    @Test
    void portsMustFitBelow65536() {
        assertUsage("flotilla local: --base-port must be 1..65533 so that 3 nodes fit below port 65536, not 0 "
                + "(see 'flotilla local --help')", "--base-port", "0");
        assertUsage("flotilla local: --base-port must be 1..65533 so that 3 nodes fit below port 65536, not 65534 "
                + "(see 'flotilla local --help')", "--base-port", "65534");
        assertUsage("flotilla local: --base-port must be 1..65527 so that 9 nodes fit below port 65536, not 65528 "
                + "(see 'flotilla local --help')", "--nodes", "9", "--base-port", "65528");
        assertUsage("flotilla local: Invalid value for option '--base-port': 'x' is not an int "
                + "(see 'flotilla local --help')", "--base-port", "x");
    }

    @Test
    void aPortInUseFailsWithWhatToDoAndStartsNoNode() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = taken.getLocalPort();

            CliRun r = CliRun.run("", "local", "--nodes", "1", "--base-port", "" + port, "--dir", dir.toString());

            assertEquals(1, r.code());
            assertEquals(1, r.errLines().length, r.err());
            assertTrue(r.errLines()[0].matches("flotilla local: port " + port + " \\(node 1\\) on 127\\.0\\.0\\.1 is in "
                    + "use: stop what listens there \\(another 'flotilla local'\\?\\) or choose other ports with "
                    + "--base-port( \\(--base-port \\d+ is free now\\))?"), r.err());
            assertFalse(Files.exists(dir.resolve("node-1")), "nothing was started");
        }
    }

    private void assertUsage(String line, String... options) {
        String[] args = new String[options.length + 3];
        args[0] = "local";
        System.arraycopy(options, 0, args, 1, options.length);
        args[options.length + 1] = "--dir";
        args[options.length + 2] = dir.toString();
        CliRun r = CliRun.run("", args);
        assertEquals(2, r.code(), r.err());
        assertArrayEquals(new String[] {line}, r.errLines());
        assertFalse(Files.exists(dir.resolve("node-1")), "nothing was started");
    }
}
