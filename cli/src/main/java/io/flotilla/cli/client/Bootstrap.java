package io.flotilla.cli.client;

import java.util.List;
import java.util.Map;

/** Where a client starts: the nodes it asks first, before metadata names the others. */
public final class Bootstrap {

    /** The environment variable read when no address is given on the command line. */
    public static final String ENV = "FLOTILLA_BOOTSTRAP";
    /** Node 1 of a cluster started by {@code flotilla local} with its default ports. */
    public static final String DEFAULT = "127.0.0.1:9701";

    private Bootstrap() {}

    /**
     * The bootstrap list: {@code flag} when given, else {@value #ENV} when set and not blank,
     * else {@value #DEFAULT}.
     *
     * @throws IllegalArgumentException naming the bad entry and where it came from
     */
    public static List<HostPort> resolve(String flag, Map<String, String> env) {
        if (flag != null) {
            return parse(flag, "--bootstrap");
        }
        String fromEnv = env.get(ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return parse(fromEnv, ENV);
        }
        return HostPort.parseList(DEFAULT);
    }

    private static List<HostPort> parse(String text, String source) {
        try {
            return HostPort.parseList(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage());
        }
    }
}
