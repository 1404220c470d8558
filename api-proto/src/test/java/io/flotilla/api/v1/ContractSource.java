package io.flotilla.api.v1;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DescriptorProtos.SourceCodeInfo.Location;
import com.google.protobuf.ExtensionRegistry;
import io.flotilla.api.internal.v1.GroupsProto;
import io.flotilla.api.internal.v1.ControllerLinkProto;
import io.flotilla.api.internal.v1.MetadataProto;
import io.flotilla.api.internal.v1.RaftTransportProto;
import io.flotilla.api.internal.v1.ReplicaReadProto;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The contract's .proto files as protoc saw them, comments included: the descriptor set the
 * build writes into the jar ({@code flotilla/v1/flotilla.protoset}, with source info).
 */
final class ContractSource {

    static final String PROTOSET = "/flotilla/v1/flotilla.protoset";

    /**
     * The generated outer class of each contract file; a new file must be added here
     * ({@code ContractDocumentationTest} checks this against the descriptor set). The
     * node-to-node files of flotilla.internal.v1 are held to the same documentation and naming
     * rules as the client API.
     */
    static final Map<String, FileDescriptor> GENERATED = Map.ofEntries(
            Map.entry("flotilla/v1/common.proto", CommonProto.getDescriptor()),
            Map.entry("flotilla/v1/records.proto", RecordsProto.getDescriptor()),
            Map.entry("flotilla/v1/errors.proto", ErrorsProto.getDescriptor()),
            Map.entry("flotilla/v1/broker.proto", BrokerProto.getDescriptor()),
            Map.entry("flotilla/v1/admin.proto", AdminProto.getDescriptor()),
            Map.entry("flotilla/v1/consumer_groups.proto", ConsumerGroupsProto.getDescriptor()),
            Map.entry("flotilla/internal/v1/metadata.proto", MetadataProto.getDescriptor()),
            Map.entry("flotilla/internal/v1/groups.proto", GroupsProto.getDescriptor()),
            Map.entry("flotilla/internal/v1/raft_transport.proto", RaftTransportProto.getDescriptor()),
            Map.entry("flotilla/internal/v1/controller_link.proto", ControllerLinkProto.getDescriptor()),
            Map.entry("flotilla/internal/v1/replica_read.proto", ReplicaReadProto.getDescriptor()));

    // Field numbers of descriptor.proto, which SourceCodeInfo paths are made of.
    private static final int FILE_PACKAGE = 2;
    private static final int FILE_MESSAGE = 4;
    private static final int FILE_ENUM = 5;
    private static final int FILE_SERVICE = 6;
    private static final int MESSAGE_FIELD = 2;
    private static final int MESSAGE_NESTED = 3;
    private static final int MESSAGE_ENUM = 4;
    private static final int MESSAGE_ONEOF = 8;
    private static final int ENUM_VALUE = 2;
    private static final int SERVICE_METHOD = 2;

    /** One documentable element of a file: what it is, its full name, its leading comment. */
    record Element(String kind, String name, String comment) {
        @Override
        public String toString() {
            return kind + " " + name;
        }
    }

    private ContractSource() {}

    static FileDescriptorSet load() {
        try (InputStream in = ContractSource.class.getResourceAsStream(PROTOSET)) {
            if (in == null) {
                throw new IllegalStateException(PROTOSET + " is not on the classpath: the build did not write it");
            }
            ExtensionRegistry registry = ExtensionRegistry.newInstance();
            ErrorsProto.registerAllExtensions(registry); // so options read as the contract's own, not unknown fields
            return FileDescriptorSet.parseFrom(in, registry);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The files of the Flotilla API (not the imported google/protobuf ones). */
    static List<FileDescriptorProto> flotillaFiles() {
        List<FileDescriptorProto> files = new ArrayList<>();
        for (FileDescriptorProto file : load().getFileList()) {
            if (file.getName().startsWith("flotilla/")) {
                files.add(file);
            }
        }
        return files;
    }

    static FileDescriptorProto file(String name) {
        return flotillaFiles().stream()
                .filter(f -> f.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + name + " in " + PROTOSET));
    }

    /** The comment just before the file's {@code package} statement: the file's own documentation. */
    static String fileComment(FileDescriptorProto file) {
        return comments(file).getOrDefault(List.of(FILE_PACKAGE), "");
    }

    /** Every service, method, message, field, oneof, enum and enum value of the file, in order. */
    static List<Element> elements(FileDescriptorProto file) {
        Map<List<Integer>, String> comments = comments(file);
        List<Element> out = new ArrayList<>();
        String prefix = file.getPackage() + ".";
        for (int s = 0; s < file.getServiceCount(); s++) {
            ServiceDescriptorProto service = file.getService(s);
            List<Integer> path = List.of(FILE_SERVICE, s);
            out.add(element("service", prefix + service.getName(), path, comments));
            for (int m = 0; m < service.getMethodCount(); m++) {
                out.add(element("rpc", prefix + service.getName() + "." + service.getMethod(m).getName(),
                        append(path, SERVICE_METHOD, m), comments));
            }
        }
        for (int i = 0; i < file.getMessageTypeCount(); i++) {
            addMessage(file.getMessageType(i), prefix, List.of(FILE_MESSAGE, i), comments, out);
        }
        for (int i = 0; i < file.getEnumTypeCount(); i++) {
            addEnum(file.getEnumType(i), prefix, List.of(FILE_ENUM, i), comments, out);
        }
        return out;
    }

    private static void addMessage(DescriptorProto message, String prefix, List<Integer> path,
            Map<List<Integer>, String> comments, List<Element> out) {
        String name = prefix + message.getName();
        out.add(element("message", name, path, comments));
        for (int f = 0; f < message.getFieldCount(); f++) {
            out.add(element("field", name + "." + message.getField(f).getName(), append(path, MESSAGE_FIELD, f), comments));
        }
        for (int o = 0; o < message.getOneofDeclCount(); o++) {
            String oneof = message.getOneofDecl(o).getName();
            if (!oneof.startsWith("_")) { // protoc's synthetic oneof of a proto3 `optional` field
                out.add(element("oneof", name + "." + oneof, append(path, MESSAGE_ONEOF, o), comments));
            }
        }
        for (int n = 0; n < message.getNestedTypeCount(); n++) {
            addMessage(message.getNestedType(n), name + ".", append(path, MESSAGE_NESTED, n), comments, out);
        }
        for (int e = 0; e < message.getEnumTypeCount(); e++) {
            addEnum(message.getEnumType(e), name + ".", append(path, MESSAGE_ENUM, e), comments, out);
        }
    }

    private static void addEnum(EnumDescriptorProto enumType, String prefix, List<Integer> path,
            Map<List<Integer>, String> comments, List<Element> out) {
        String name = prefix + enumType.getName();
        out.add(element("enum", name, path, comments));
        for (int v = 0; v < enumType.getValueCount(); v++) {
            out.add(element("enum value", name + "." + enumType.getValue(v).getName(), append(path, ENUM_VALUE, v), comments));
        }
    }

    private static Element element(String kind, String name, List<Integer> path, Map<List<Integer>, String> comments) {
        return new Element(kind, name, comments.getOrDefault(path, ""));
    }

    private static Map<List<Integer>, String> comments(FileDescriptorProto file) {
        if (!file.hasSourceCodeInfo()) {
            throw new IllegalStateException(file.getName() + " has no source info: the descriptor set was written without it");
        }
        Map<List<Integer>, String> comments = new HashMap<>();
        for (Location location : file.getSourceCodeInfo().getLocationList()) {
            if (location.hasLeadingComments()) {
                comments.put(List.copyOf(location.getPathList()), location.getLeadingComments());
            }
        }
        return comments;
    }

    private static List<Integer> append(List<Integer> path, int... more) {
        List<Integer> out = new ArrayList<>(path);
        for (int i : more) {
            out.add(i);
        }
        return List.copyOf(out);
    }
}
