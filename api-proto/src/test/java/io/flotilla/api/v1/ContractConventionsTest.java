package io.flotilla.api.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The naming rules common.proto states, which keep the contract safe to use from any language:
 * enum values are package-scoped in C++ and in some generators, so each carries its enum's name;
 * a zero value means "unset"; fields named in milliseconds or bytes are integers.
 */
class ContractConventionsTest {

    private static final List<FileDescriptor> FILES = List.copyOf(ContractSource.GENERATED.values());

    /** The client API is flotilla.v1; what only nodes exchange is flotilla.internal.v1, apart from it. */
    @Test
    void everyFileIsInPackageFlotillaV1OrItsInternalPackageWithOneJavaClassPerType() {
        for (FileDescriptor file : FILES) {
            String expectedPackage = file.getName().startsWith("flotilla/internal/") ? "flotilla.internal.v1" : "flotilla.v1";
            assertEquals(expectedPackage, file.getPackage(), file.getName());
            assertEquals("io.flotilla.api." + expectedPackage.substring("flotilla.".length()),
                    file.getOptions().getJavaPackage(), file.getName());
            assertTrue(file.getOptions().getJavaMultipleFiles(), file.getName() + " lacks java_multiple_files");
        }
    }

    @Test
    void enumValuesCarryTheirEnumsNameAndZeroIsUnspecified() {
        List<String> wrong = new ArrayList<>();
        for (EnumDescriptor e : allEnums()) {
            String prefix = upperSnake(e.getName()) + "_";
            for (EnumValueDescriptor v : e.getValues()) {
                if (!v.getName().startsWith(prefix)) {
                    wrong.add(e.getFullName() + "." + v.getName() + " does not start with " + prefix);
                }
            }
            EnumValueDescriptor zero = e.findValueByNumber(0);
            if (zero == null || !zero.getName().equals(prefix + "UNSPECIFIED")) {
                wrong.add(e.getFullName() + ": value 0 must be " + prefix + "UNSPECIFIED");
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void millisecondAndByteFieldsAreIntegers() {
        List<String> wrong = new ArrayList<>();
        for (Descriptor message : allMessages()) {
            for (FieldDescriptor f : message.getFields()) {
                boolean unit = f.getName().endsWith("_ms") || f.getName().endsWith("_ms_ago") || f.getName().endsWith("_bytes");
                boolean integer = f.toProto().getType() == FieldDescriptorProto.Type.TYPE_INT32
                        || f.toProto().getType() == FieldDescriptorProto.Type.TYPE_INT64;
                if (unit && !integer) {
                    wrong.add(f.getFullName() + " is " + f.getType());
                }
            }
        }
        assertEquals(List.of(), wrong);
    }

    private static List<EnumDescriptor> allEnums() {
        List<EnumDescriptor> out = new ArrayList<>();
        for (FileDescriptor file : FILES) {
            out.addAll(file.getEnumTypes());
        }
        for (Descriptor message : allMessages()) {
            out.addAll(message.getEnumTypes());
        }
        return out;
    }

    private static List<Descriptor> allMessages() {
        List<Descriptor> out = new ArrayList<>();
        for (FileDescriptor file : FILES) {
            for (Descriptor message : file.getMessageTypes()) {
                addWithNested(message, out);
            }
        }
        return out;
    }

    private static void addWithNested(Descriptor message, List<Descriptor> out) {
        out.add(message);
        for (Descriptor nested : message.getNestedTypes()) {
            addWithNested(nested, out);
        }
    }

    /** "ErrorReason" → "ERROR_REASON". */
    private static String upperSnake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    }
}
