package io.flotilla.api.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Each ErrorReason has one gRPC status code, given by its {@code (flotilla.v1.status_code)}
 * option (what the broker will send), and every place the documentation pairs a code with a
 * reason agrees with it: the reason's own comment, the table in errors.proto, and the
 * "CODE REASON" mentions in every RPC's comment.
 */
class ErrorReasonMappingTest {

    private static final String CODE_NAMES = Arrays.stream(Status.Code.values())
            .map(Enum::name).collect(Collectors.joining("|"));

    @Test
    void everyReasonButUnspecifiedHasAStatusCodeOtherThanOk() {
        for (EnumValueDescriptor value : ErrorReason.getDescriptor().getValues()) {
            boolean has = value.getOptions().hasExtension(ErrorsProto.statusCode);
            if (value.getNumber() == 0) {
                assertTrue(!has, value.getName() + " must not have a status code");
                continue;
            }
            assertTrue(has, value.getName() + " has no (status_code) option");
            Status.Code code = codeOf(value);
            assertTrue(code != Status.Code.OK, value.getName() + " maps to OK");
        }
    }

    @Test
    void eachReasonsCommentStartsWithItsCode() {
        Map<String, String> comments = new HashMap<>();
        for (ContractSource.Element e : ContractSource.elements(ContractSource.file("flotilla/v1/errors.proto"))) {
            comments.put(e.name(), e.comment().strip());
        }
        for (EnumValueDescriptor value : reasons()) {
            String comment = comments.get(value.getFullName());
            String expected = codeOf(value).name() + ".";
            assertTrue(comment.startsWith(expected),
                    value.getName() + ": comment should start with \"" + expected + "\" but is: " + comment);
        }
    }

    @Test
    void theStatusCodeTableListsEveryReasonUnderItsCode() {
        String doc = ContractSource.fileComment(ContractSource.file("flotilla/v1/errors.proto"));
        Map<String, String> tableCodeOfReason = new TreeMap<>();
        for (String line : doc.lines().toList()) {
            String[] cells = line.strip().split("\\|");
            // "| CODE | when | REASON, REASON |" splits into "", CODE, when, REASONS
            if (cells.length < 4 || !cells[1].strip().matches("(" + CODE_NAMES + ")")) {
                continue;
            }
            String code = cells[1].strip();
            Matcher m = Pattern.compile("\\b[A-Z][A-Z_]+[A-Z]\\b").matcher(cells[cells.length - 1]);
            while (m.find()) {
                String previous = tableCodeOfReason.put(m.group(), code);
                assertEquals(null, previous, m.group() + " is listed in two rows");
            }
        }
        Map<String, String> expected = new TreeMap<>();
        for (EnumValueDescriptor value : reasons()) {
            expected.put(shortName(value), codeOf(value).name());
        }
        assertEquals(expected, tableCodeOfReason, "reason -> code, in the errors.proto table vs the options");
    }

    @Test
    void everyCodeReasonPairInTheDocumentationAgreesWithTheOption() {
        Map<String, String> codeOfReason = new HashMap<>();
        for (EnumValueDescriptor value : reasons()) {
            codeOfReason.put(shortName(value), codeOf(value).name());
        }
        String reasonNames = String.join("|", codeOfReason.keySet());
        // A code followed by one or more reasons: "FAILED_PRECONDITION NOT_LEADER",
        // "UNAVAILABLE NO_LEADER or NODE_NOT_READY", "NOT_FOUND TOPIC_NOT_FOUND, PARTITION_NOT_FOUND".
        Pattern mention = Pattern.compile("\\b(" + CODE_NAMES + ")((?:(?:\\s*,\\s*|\\s+or\\s+|\\s+and\\s+|\\s+)\\b(?:"
                + reasonNames + ")\\b)+)");
        Pattern reason = Pattern.compile("\\b(" + reasonNames + ")\\b");
        List<String> wrong = new ArrayList<>();
        int pairs = 0;
        for (FileDescriptorProto file : ContractSource.flotillaFiles()) {
            List<String> comments = new ArrayList<>();
            comments.add(ContractSource.fileComment(file));
            ContractSource.elements(file).forEach(e -> comments.add(e.comment()));
            for (String comment : comments) {
                Matcher m = mention.matcher(comment.replaceAll("\\s*\\n\\s*", " "));
                while (m.find()) {
                    Matcher r = reason.matcher(m.group(2));
                    while (r.find()) {
                        pairs++;
                        if (!codeOfReason.get(r.group(1)).equals(m.group(1))) {
                            wrong.add(file.getName() + ": \"" + m.group() + "\" but " + r.group(1) + " is "
                                    + codeOfReason.get(r.group(1)));
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), wrong);
        assertTrue(pairs > 50, "only " + pairs + " code-reason mentions found: the pattern is broken");
    }

    /** The status code a reason is sent with, from its option. */
    static Status.Code codeOf(EnumValueDescriptor reason) {
        return Status.fromCodeValue(reason.getOptions().getExtension(ErrorsProto.statusCode)).getCode();
    }

    private static List<EnumValueDescriptor> reasons() {
        return ErrorReason.getDescriptor().getValues().stream().filter(v -> v.getNumber() != 0).toList();
    }

    private static String shortName(EnumValueDescriptor reason) {
        return reason.getName().substring("ERROR_REASON_".length());
    }
}
