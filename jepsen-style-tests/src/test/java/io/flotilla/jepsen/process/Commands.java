package io.flotilla.jepsen.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the system commands the harness needs ({@code ip}, {@code iptables-restore}, {@code kill}), each bounded in time. */
final class Commands {
    private static final long TIMEOUT_SECONDS = 30;

    /** What a finished command left: its exit code and its output (stdout and stderr together). */
    record Result(int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    private Commands() {
    }

    /** Runs {@code command}, feeding it {@code input} (or nothing), and returns how it ended. */
    static Result run(List<String> command, String input) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            try (var stdin = p.getOutputStream()) {
                if (input != null) {
                    stdin.write(input.getBytes(StandardCharsets.UTF_8));
                }
            }
            // Small outputs only: a pipe buffer holds them until the process exits.
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("'" + String.join(" ", command) + "' did not finish within "
                        + TIMEOUT_SECONDS + " s");
            }
            return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run '" + String.join(" ", command) + "': " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running '" + String.join(" ", command) + "'", e);
        }
    }

    /** Runs {@code command} and throws, with its output, unless it exits with 0. */
    static String check(String... command) {
        return checkWithInput(null, command);
    }

    /** As {@link #check}, feeding {@code input} to the command. */
    static String checkWithInput(String input, String... command) {
        Result r = run(List.of(command), input);
        if (!r.ok()) {
            throw new IllegalStateException("'" + String.join(" ", command) + "' failed with exit code " + r.exitCode()
                    + ": " + r.output());
        }
        return r.output();
    }
}
