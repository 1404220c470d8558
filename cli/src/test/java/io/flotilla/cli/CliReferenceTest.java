package io.flotilla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The documentation of the command line cannot drift from the commands: docs/CLI.md is every
 * command's real {@code --help}, and README's command table names only commands and options
 * that exist, and every command.
 *
 * <p>After changing a command, regenerate docs/CLI.md with
 * {@code ./mvnw -pl cli -am test -Dtest=CliReferenceTest -Dsurefire.failIfNoSpecifiedTests=false -Dflotilla.cli.write=true}.
 */
class CliReferenceTest {

    private static final Path REFERENCE = Path.of("..", "docs", "CLI.md");
    private static final Path README = Path.of("..", "README.md");
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");

    @Test
    void docsCliMdIsTheHelpOfEveryCommand() throws IOException {
        String expected = reference();
        if (Boolean.getBoolean("flotilla.cli.write")) {
            Files.writeString(REFERENCE, expected, StandardCharsets.UTF_8);
        }
        String actual = Files.exists(REFERENCE) ? Files.readString(REFERENCE, StandardCharsets.UTF_8) : "";
        if (!actual.equals(expected)) {
            fail("docs/CLI.md differs from the commands' --help; regenerate it with ./mvnw -pl cli -am test "
                    + "-Dtest=CliReferenceTest -Dsurefire.failIfNoSpecifiedTests=false -Dflotilla.cli.write=true");
        }
    }

    @Test
    void readmesCommandTableNamesRealCommandsAndOptionsAndEveryCommand() throws IOException {
        CommandLine root = commandLine();
        TreeSet<String> documented = new TreeSet<>();
        for (String cell : readmeCommandCells()) {
            Matcher m = CODE.matcher(cell);
            while (m.find()) {
                List<String> words = List.of(m.group(1).split(" "));
                CommandLine command = root;
                StringBuilder path = new StringBuilder();
                int i = 0;
                for (; i < words.size() && command.getSubcommands().containsKey(words.get(i)); i++) {
                    command = command.getSubcommands().get(words.get(i));
                    path.append(path.length() == 0 ? "" : " ").append(words.get(i));
                }
                assertTrue(i > 0, "README names a command that does not exist: `" + m.group(1) + "`");
                documented.add(path.toString());
                for (String word : words.subList(i, words.size())) {
                    for (String choice : word.split("\\\\?\\|")) { // alternatives: [--a\|--b N]
                        String option = choice.replaceAll("^\\[", "").replaceAll("[\\]=].*$", "")
                                .replaceAll("\\.\\.\\.$", "");
                        if (option.startsWith("--")) {
                            assertTrue(command.getCommandSpec().findOption(option) != null, "README gives `"
                                    + m.group(1) + "` an option '" + option + "' that 'flotilla " + path + "' lacks");
                        }
                    }
                }
            }
        }
        assertEquals(leafCommands(root, "", new TreeSet<>()), documented,
                "README's command table lists every command (and only those)");
    }

    /** Every command with no subcommands, by path; help and completion are in --help itself. */
    private static TreeSet<String> leafCommands(CommandLine command, String path, TreeSet<String> into) {
        for (Map.Entry<String, CommandLine> e : command.getSubcommands().entrySet()) {
            if (e.getValue().getCommandSpec().usageMessage().hidden() || e.getKey().equals("help")
                    || !e.getKey().equals(e.getValue().getCommandName())) {
                continue;
            }
            String sub = path.isEmpty() ? e.getKey() : path + " " + e.getKey();
            if (e.getValue().getSubcommands().isEmpty()) {
                into.add(sub);
            } else {
                leafCommands(e.getValue(), sub, into);
            }
        }
        return into;
    }

    private static List<String> readmeCommandCells() throws IOException {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        int start = readme.indexOf("\n## Command line\n");
        assertTrue(start >= 0, "README has a '## Command line' section");
        int end = readme.indexOf("\n## ", start + 1);
        List<String> cells = new ArrayList<>();
        boolean inTable = false;
        for (String line : readme.substring(start, end).split("\n")) {
            if (line.equals("| command | does |")) {
                inTable = true;
            } else if (inTable && !line.startsWith("|")) {
                break;
            } else if (inTable && line.startsWith("| `")) {
                cells.add(line.split("(?<!\\\\)\\|")[1]);
            }
        }
        assertTrue(!cells.isEmpty(), "README's command line section has a table headed | command | does |");
        return cells;
    }

    private static String reference() {
        StringBuilder doc = new StringBuilder("# flotilla command line reference\n\n"
                + "Generated from the commands' own `--help` by `cli/src/test/java/io/flotilla/cli/CliReferenceTest.java`,"
                + " which fails when this file is out of date. README.md has the overview.\n");
        append(commandLine(), "flotilla", doc);
        return doc.toString();
    }

    private static void append(CommandLine command, String path, StringBuilder doc) {
        command.setUsageHelpWidth(100);
        doc.append("\n## ").append(path).append("\n\n```\n")
                .append(command.getUsageMessage(CommandLine.Help.Ansi.OFF).stripTrailing()).append("\n```\n");
        for (Map.Entry<String, CommandLine> e : command.getSubcommands().entrySet()) {
            if (e.getKey().equals(e.getValue().getCommandName()) && !e.getKey().equals("help")
                    && !e.getValue().getCommandSpec().usageMessage().hidden()) {
                append(e.getValue(), path + " " + e.getKey(), doc);
            }
        }
    }

    private static CommandLine commandLine() {
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        return Main.commandLine(new CliContext(new ByteArrayInputStream(new byte[0]), nowhere, nowhere, Map.of()));
    }
}
