package io.flotilla.api.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.Descriptors.FileDescriptor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The contract is its documentation: every part of every .proto file carries a comment. */
class ContractDocumentationTest {

    @Test
    void everyFileStartsWithWhatItHolds() {
        for (FileDescriptorProto file : ContractSource.flotillaFiles()) {
            assertFalse(ContractSource.fileComment(file).isBlank(),
                    file.getName() + " has no comment before its package statement");
        }
    }

    @Test
    void everyServiceRpcMessageFieldAndEnumValueHasALeadingComment() {
        List<String> undocumented = new ArrayList<>();
        for (FileDescriptorProto file : ContractSource.flotillaFiles()) {
            Set<String> rpcMessages = rpcRequestsAndResponses(file);
            for (ContractSource.Element e : ContractSource.elements(file)) {
                boolean documentedByItsRpc = e.kind().equals("message") && rpcMessages.contains(e.name());
                if (e.comment().isBlank() && !documentedByItsRpc) {
                    undocumented.add(file.getName() + ": " + e);
                }
            }
        }
        assertEquals(List.of(), undocumented, "undocumented parts of the contract");
    }

    @Test
    void everyRpcSaysWhichErrorsItReturns() {
        List<String> silent = new ArrayList<>();
        for (FileDescriptorProto file : ContractSource.flotillaFiles()) {
            for (ContractSource.Element e : ContractSource.elements(file)) {
                if (e.kind().equals("rpc") && !e.comment().contains("Errors")) {
                    silent.add(e.name());
                }
            }
        }
        assertEquals(List.of(), silent, "RPCs whose comment has no \"Errors\" sentence");
    }

    @Test
    void thePackagedDescriptorSetIsTheOneTheJavaCodeWasGeneratedFrom() {
        Set<String> seen = new HashSet<>();
        for (FileDescriptorProto file : ContractSource.flotillaFiles()) {
            FileDescriptor generated = ContractSource.GENERATED.get(file.getName());
            assertNotNull(generated, file.getName() + " is new: add its outer class to ContractSource.GENERATED");
            assertEquals(withoutJsonNames(generated.toProto()), withoutJsonNames(file.toBuilder().clearSourceCodeInfo().build()),
                    file.getName());
            seen.add(file.getName());
        }
        assertEquals(ContractSource.GENERATED.keySet(), seen, "contract files in the descriptor set");
    }

    /** protoc writes default JSON names into descriptor sets but not into generated Java: compare without them. */
    private static FileDescriptorProto withoutJsonNames(FileDescriptorProto file) {
        FileDescriptorProto.Builder b = file.toBuilder();
        b.getMessageTypeBuilderList().forEach(ContractDocumentationTest::clearJsonNames);
        b.getExtensionBuilderList().forEach(FieldDescriptorProto.Builder::clearJsonName);
        return b.build();
    }

    private static void clearJsonNames(DescriptorProto.Builder message) {
        message.getFieldBuilderList().forEach(FieldDescriptorProto.Builder::clearJsonName);
        message.getNestedTypeBuilderList().forEach(ContractDocumentationTest::clearJsonNames);
    }

    /**
     * The messages named after an RPC (FooRequest, FooResponse for rpc Foo) that serve as its
     * input or output: the RPC's comment documents them.
     */
    private static Set<String> rpcRequestsAndResponses(FileDescriptorProto file) {
        Set<String> names = new HashSet<>();
        for (ServiceDescriptorProto service : file.getServiceList()) {
            for (MethodDescriptorProto method : service.getMethodList()) {
                String base = "." + file.getPackage() + "." + method.getName();
                if (method.getInputType().equals(base + "Request")) {
                    names.add(method.getInputType().substring(1));
                }
                if (method.getOutputType().equals(base + "Response")) {
                    names.add(method.getOutputType().substring(1));
                }
            }
        }
        return names;
    }
}
