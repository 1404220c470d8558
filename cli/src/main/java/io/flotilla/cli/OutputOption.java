package io.flotilla.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import java.io.PrintStream;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/** {@code --output}, on every command that prints data. */
public final class OutputOption {

    private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace()
            .alwaysPrintFieldsWithNoPresence();

    @Option(names = "--output", paramLabel = "table|json", defaultValue = "table",
            description = "table (default): for people; json: one JSON object on one line, for scripts (for "
                    + "answers of the cluster: the API's message in the proto3 JSON mapping, fields as the .proto "
                    + "files name them).")
    private OutputFormat format;

    public boolean json() {
        return format == OutputFormat.json;
    }

    /** Prints the cluster's answer as one line of JSON, or as {@code table} prints it. */
    public void print(MessageOrBuilder answer, PrintStream out, Consumer<PrintStream> table) {
        if (!json()) {
            table.accept(out);
            return;
        }
        try {
            out.println(JSON.print(answer));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot print " + answer.getClass().getSimpleName() + " as JSON", e);
        }
    }
}
