package io.flotilla.broker.metadata;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;

import java.util.List;
import java.util.Map;

/**
 * Refuses replicated messages holding fields this version's schema does not have: a replica
 * that skipped part of a newer replica's command would diverge from it. Used by every state
 * machine's codec (the controller's metadata, the consumer groups' coordinator).
 */
public final class KnownFields {

    private KnownFields() {
    }

    /**
     * @param what names the message in the exception
     * @throws IllegalArgumentException naming the unknown field numbers and the message type
     *                                  holding them, at any depth
     */
    public static void require(Message message, String what) {
        if (!message.getUnknownFields().asMap().isEmpty()) {
            throw new IllegalArgumentException(what + " holds fields " + message.getUnknownFields().asMap().keySet() + " of "
                    + message.getDescriptorForType().getFullName() + " that this version does not know: was it written by "
                    + "a newer one?");
        }
        for (Map.Entry<FieldDescriptor, Object> e : message.getAllFields().entrySet()) {
            if (e.getKey().getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                List<?> values = e.getKey().isRepeated() ? (List<?>) e.getValue() : List.of(e.getValue());
                values.forEach(value -> require((Message) value, what));
            }
        }
    }
}
