package io.flotilla.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HostPortTest {

    @Test
    void parsesHostsPortsAndBracketedIpv6() {
        assertEquals(new HostPort("127.0.0.1", 9701), HostPort.parse("127.0.0.1:9701"));
        assertEquals(new HostPort("broker-1.example", 443), HostPort.parse(" broker-1.example:443 "));
        HostPort v6 = HostPort.parse("[::1]:9701");
        assertEquals(new HostPort("::1", 9701), v6);
        assertEquals("[::1]:9701", v6.toString());
    }

    @Test
    void refusesWhatIsNotAnAddressSayingWhy() {
        assertEquals("'localhost' is not host:port (for example 127.0.0.1:9701)",
                assertThrows(IllegalArgumentException.class, () -> HostPort.parse("localhost")).getMessage());
        assertEquals("'h:x' has no numeric port",
                assertThrows(IllegalArgumentException.class, () -> HostPort.parse("h:x")).getMessage());
        assertEquals("'h:70000': port 70000 is outside 1..65535",
                assertThrows(IllegalArgumentException.class, () -> HostPort.parse("h:70000")).getMessage());
        assertEquals("'::1:9701' has an IPv6 host without brackets; write [::1]:9701",
                assertThrows(IllegalArgumentException.class, () -> HostPort.parse("::1:9701")).getMessage());
    }

    @Test
    void bootstrapComesFromTheFlagThenTheEnvironmentThenTheDefault() {
        Map<String, String> env = Map.of(Bootstrap.ENV, "10.0.0.1:1,10.0.0.2:2");

        assertEquals(List.of(new HostPort("h", 5)), Bootstrap.resolve("h:5", env));
        assertEquals(List.of(new HostPort("10.0.0.1", 1), new HostPort("10.0.0.2", 2)), Bootstrap.resolve(null, env));
        assertEquals(List.of(new HostPort("127.0.0.1", 9701)), Bootstrap.resolve(null, Map.of(Bootstrap.ENV, " ")));
    }

    @Test
    void aBadBootstrapNamesWhereItCameFrom() {
        assertEquals("--bootstrap: 'a:1,,b:2' has an empty entry; write host:port[,host:port...]",
                assertThrows(IllegalArgumentException.class, () -> Bootstrap.resolve("a:1,,b:2", Map.of()))
                        .getMessage());
        assertEquals("FLOTILLA_BOOTSTRAP: 'nowhere' is not host:port (for example 127.0.0.1:9701)",
                assertThrows(IllegalArgumentException.class,
                        () -> Bootstrap.resolve(null, Map.of(Bootstrap.ENV, "nowhere"))).getMessage());
    }
}
