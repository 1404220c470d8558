package io.flotilla.jepsen.process;

import io.flotilla.cli.local.NodeLauncher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every node in a network namespace of its own, so that partitions are made by the kernel, with
 * firewall rules, between real processes.
 *
 * <p>Layout: namespace {@code fj<id>-<i>} holds node i's interface {@code eth0} with address
 * {@code 10.213.<k>.<i>/24}, one end of a veth pair whose other end ({@code fj<id>v<i>}) is
 * attached to the bridge {@code fj<id>} in the host's namespace, which has {@code .254}: the
 * nodes reach each other through the bridge, and the harness (clients, health checks) reaches
 * them through it too. {@code <id>} is random and checked unused, not this JVM's pid: runs in
 * different pid namespaces (containers) can share one network namespace and the same pid. The
 * bridge's alias names its owner (pid namespace and pid), so a later run removes what a killed
 * one left behind, and only when it can see that the owner is dead; {@code <k>} is a subnet no
 * interface of the host uses.
 *
 * <p>Partitions are {@code iptables} DROP rules on the INPUT chain of the receiving node's
 * namespace, matching the sender's address: each namespace has its own tables, so the host's
 * firewall is never touched, and deleting the namespaces deletes the rules. Applying a
 * partition replaces the previous one ({@code iptables-restore} of each namespace's whole
 * filter table); healing restores empty tables.
 *
 * <p>Why namespaces and not a TCP proxy between nodes: {@code --cluster} gives every node the
 * same address for a peer, so a proxy per link would need the server to accept per-node peer
 * addresses; with namespaces the nodes run unchanged, every byte between them (Raft streams,
 * reconnects, health of peers) crosses the cut, and the cut is what a real network does: packets
 * vanish, connections hang until keepalives or deadlines notice. What namespaces cannot do here
 * is delay packets ({@code tc netem} is missing from this kernel).
 */
final class NodeNetwork implements AutoCloseable {
    private static final String PREFIX = "fj";
    private static final Pattern NAMESPACE = Pattern.compile("(" + PREFIX + "[0-9a-f]+)-\\d+");
    private static final Pattern LINK = Pattern.compile("\\d+: (" + PREFIX + "[0-9a-f]+)(v\\d+)?[:@]");
    private static final Pattern OWNER = Pattern.compile(" alias flotilla-jepsen owner=(\\S+)/(\\d+)");
    private static final String SUBNET_PREFIX = "10.213.";
    private static final int HOST_ADDRESS = 254;

    private final String run;
    private final int nodes;
    private final int subnet;
    private boolean closed;

    private NodeNetwork(String run, int nodes, int subnet) {
        this.run = run;
        this.nodes = nodes;
        this.subnet = subnet;
    }

    /**
     * Creates the bridge and one namespace per node, after removing what runs of dead JVMs left.
     *
     * @throws IllegalStateException saying what is missing (root, {@code ip}, {@code iptables})
     */
    static NodeNetwork create(int nodes) {
        requireTools();
        removeLeftovers();
        String run = unusedRunName();
        NodeNetwork network = new NodeNetwork(run, nodes, freeSubnet());
        try {
            network.build();
            return network;
        } catch (RuntimeException e) {
            network.close();
            throw e;
        }
    }

    /** The bridge's name, which prefixes every namespace and interface of this network. */
    String name() {
        return run;
    }

    /** Node i's address. */
    String host(int node) {
        return SUBNET_PREFIX + subnet + "." + node;
    }

    List<String> hosts() {
        List<String> hosts = new ArrayList<>();
        for (int i = 1; i <= nodes; i++) {
            hosts.add(host(i));
        }
        return hosts;
    }

    /** Starts each node, as {@code inner} would, inside its namespace. */
    NodeLauncher launcher(NodeLauncher inner) {
        return (node, clusterSpec) -> {
            List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace(node.id())));
            // ip execs the command in place, so the process the cluster holds is the node's JVM itself
            command.addAll(inner.forNode(node, clusterSpec));
            return command;
        };
    }

    /** Drops exactly the packets {@code partition} cuts, replacing any earlier partition. */
    synchronized void apply(Partition partition) {
        for (int node = 1; node <= nodes; node++) {
            restoreFilter(node, partition.droppedAt(node));
        }
    }

    /** Lets every packet through again. */
    synchronized void heal() {
        for (int node = 1; node <= nodes; node++) {
            restoreFilter(node, Set.of());
        }
    }

    /**
     * Whether a TCP connection attempt from node {@code from}'s namespace to {@code to}'s address
     * gets an answer (a refusal counts: nothing listens on the port probed) within one second.
     */
    boolean reaches(int from, int to) {
        String probe = "exec 3<>/dev/tcp/" + host(to) + "/9";
        Commands.Result r = Commands.run(List.of("ip", "netns", "exec", namespace(from), "timeout", "1", "bash", "-c",
                probe), null);
        return r.exitCode() != 124; // timeout's code: no answer at all
    }

    private void restoreFilter(int node, Set<Integer> droppedFrom) {
        StringBuilder table = new StringBuilder("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n");
        for (int from : droppedFrom) {
            table.append("-A INPUT -s ").append(host(from)).append("/32 -j DROP\n");
        }
        table.append("COMMIT\n");
        Commands.checkWithInput(table.toString(), "ip", "netns", "exec", namespace(node), "iptables-restore");
    }

    private void build() {
        String bridge = run;
        Commands.check("ip", "link", "add", bridge, "type", "bridge");
        Commands.check("ip", "link", "set", bridge, "alias", "flotilla-jepsen owner=" + self());
        Commands.check("ip", "addr", "add", SUBNET_PREFIX + subnet + "." + HOST_ADDRESS + "/24", "dev", bridge);
        Commands.check("ip", "link", "set", bridge, "up");
        for (int i = 1; i <= nodes; i++) {
            String ns = namespace(i);
            String veth = run + "v" + i;
            Commands.check("ip", "netns", "add", ns);
            Commands.check("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns);
            Commands.check("ip", "link", "set", veth, "master", bridge, "up");
            Commands.check("ip", "-n", ns, "addr", "add", host(i) + "/24", "dev", "eth0");
            Commands.check("ip", "-n", ns, "link", "set", "eth0", "up");
            Commands.check("ip", "-n", ns, "link", "set", "lo", "up");
        }
        heal(); // also checks that iptables works inside a namespace, before any node starts
    }

    private String namespace(int node) {
        return run + "-" + node;
    }

    /** Deletes the namespaces (their rules and veth ends go with them) and the bridge. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = 1; i <= nodes; i++) {
            deleteNamespace(namespace(i));
        }
        Commands.run(List.of("ip", "link", "del", run), null);
    }

    private static void deleteNamespace(String ns) {
        // Whatever still runs inside (a node the cluster failed to stop) would keep it alive.
        for (String pid : Commands.run(List.of("ip", "netns", "pids", ns), null).output().split("\\s+")) {
            if (!pid.isBlank()) {
                Commands.run(List.of("kill", "-9", pid.strip()), null);
            }
        }
        Commands.run(List.of("ip", "netns", "del", ns), null);
    }

    /**
     * What runs whose JVM is gone left behind: bridges whose owner is dead, and namespaces and
     * veth ends whose bridge is dead or gone ({@link #close} deletes the bridge last, and
     * {@link #build} creates it first, so a veth or namespace without its bridge is a leftover;
     * a veth outlives its namespace's deletion while anything still holds the namespace).
     * A bridge owned by another pid namespace is left alone: whether its owner lives is unknowable.
     */
    private static void removeLeftovers() {
        // Namespaces and veths first, bridges after: a run builds its bridge before anything
        // else, so whatever the first lists show of a live run, the later bridge list shows too.
        List<String> namespaces = new ArrayList<>();
        for (String line : Commands.run(List.of("ip", "netns", "list"), null).output().split("\n")) {
            Matcher ns = NAMESPACE.matcher(line.strip().split(" ")[0]);
            if (ns.matches()) {
                namespaces.add(ns.group());
            }
        }
        List<String> veths = new ArrayList<>();
        for (String line : Commands.run(List.of("ip", "-o", "link", "show", "type", "veth"), null).output().split("\n")) {
            Matcher link = LINK.matcher(line);
            if (link.lookingAt() && link.group(2) != null) {
                veths.add(link.group(1) + link.group(2));
            }
        }
        Set<String> live = new HashSet<>();
        Set<String> dead = new HashSet<>();
        for (String line : Commands.run(List.of("ip", "-o", "link", "show", "type", "bridge"), null).output().split("\n")) {
            Matcher link = LINK.matcher(line);
            if (!link.lookingAt() || link.group(2) != null) {
                continue;
            }
            Matcher owner = OWNER.matcher(line);
            boolean ownerDead = owner.find() && owner.group(1).equals(pidNamespace())
                    && ProcessHandle.of(Long.parseLong(owner.group(2))).isEmpty();
            (ownerDead ? dead : live).add(link.group(1));
        }
        for (String ns : namespaces) {
            if (!live.contains(ns.substring(0, ns.lastIndexOf('-')))) {
                deleteNamespace(ns);
            }
        }
        for (String veth : veths) {
            if (!live.contains(veth.substring(0, veth.lastIndexOf('v')))) {
                Commands.run(List.of("ip", "link", "del", veth), null);
            }
        }
        for (String bridge : dead) {
            Commands.run(List.of("ip", "link", "del", bridge), null);
        }
    }

    private static String unusedRunName() {
        String links = Commands.run(List.of("ip", "-o", "link", "show"), null).output();
        String namespaces = Commands.run(List.of("ip", "netns", "list"), null).output();
        while (true) {
            String run = PREFIX + String.format("%06x", ThreadLocalRandom.current().nextInt(1 << 24));
            if (!links.contains(": " + run) && !namespaces.contains(run + "-")) {
                return run;
            }
        }
    }

    /** This JVM as a bridge alias names it: pid namespace and pid. */
    private static String self() {
        return pidNamespace() + "/" + ProcessHandle.current().pid();
    }

    private static String pidNamespace() {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString(); // pid:[4026531836]
            return link.replaceAll("\\D", "");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot tell this JVM's pid namespace from /proc/self/ns/pid", e);
        }
    }

    /** A /24 under 10.213 that no interface of the host has an address in, starting at a random one. */
    private static int freeSubnet() {
        String addresses = Commands.check("ip", "-o", "-4", "addr", "show");
        int first = ThreadLocalRandom.current().nextInt(250);
        for (int i = 0; i < 250; i++) {
            int k = (first + i) % 250;
            if (!addresses.contains(" " + SUBNET_PREFIX + k + ".")) {
                return k;
            }
        }
        throw new IllegalStateException("every subnet " + SUBNET_PREFIX + "0-249.0/24 is in use on this host");
    }

    private static void requireTools() {
        List<String> missing = new ArrayList<>();
        for (String tool : List.of("ip", "iptables-restore", "timeout", "bash")) {
            if (!Commands.run(List.of("sh", "-c", "command -v " + tool), null).ok()) {
                missing.add(tool);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("the real-cluster fault tests put each node in a network namespace and"
                    + " cut links with iptables, but " + missing + " cannot be found: install them (Debian/Ubuntu:"
                    + " apt-get install -y iproute2 iptables coreutils bash; .ci/run does this)");
        }
        String uid = Commands.check("id", "-u");
        if (!uid.equals("0")) {
            throw new IllegalStateException("the real-cluster fault tests create network namespaces, which needs"
                    + " root (CAP_SYS_ADMIN and CAP_NET_ADMIN); this JVM runs as uid " + uid);
        }
    }
}
