package io.flotilla.cli.topic;

import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import io.flotilla.api.v1.TopicConfig;
import io.flotilla.cli.ApiEnums;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.stream.Collectors;

/**
 * Topic settings on the command line: {@code KEY=VALUE} with the field names of admin.proto's
 * TopicConfig ({@code retention_ms=86400000}); Kafka's dotted spelling ({@code retention.ms})
 * works too. Read from the message's descriptor, so a field added to the contract is settable
 * without a change here.
 */
final class TopicConfigs {

    private TopicConfigs() {}

    /** @throws IllegalArgumentException naming the bad key or value and what is allowed */
    static TopicConfig parse(Map<String, String> settings) {
        TopicConfig.Builder config = TopicConfig.newBuilder();
        settings.forEach((key, value) -> {
            FieldDescriptor field = TopicConfig.getDescriptor().findFieldByName(fieldName(key));
            config.setField(field, valueOf(field, key, value.strip()));
        });
        return config.build();
    }

    /**
     * A setting's field name as admin.proto spells it ({@code retention.ms} becomes {@code retention_ms}).
     *
     * @throws IllegalArgumentException naming the settings there are
     */
    static String fieldName(String key) {
        String name = key.strip().toLowerCase(Locale.ROOT).replace('.', '_').replace('-', '_');
        if (TopicConfig.getDescriptor().findFieldByName(name) == null) {
            throw new IllegalArgumentException("unknown topic config '" + key + "'; the settings are "
                    + TopicConfig.getDescriptor().getFields().stream().map(FieldDescriptor::getName)
                            .collect(Collectors.joining(", ")));
        }
        return name;
    }

    private static Object valueOf(FieldDescriptor field, String key, String value) {
        try {
            return switch (field.getJavaType()) {
                case INT -> Integer.parseInt(value.replace("_", ""));
                case LONG -> Long.parseLong(value.replace("_", ""));
                case ENUM -> enumValue(field, key, value);
                default -> throw new IllegalArgumentException("topic config '" + key + "' cannot be set here");
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("topic config '" + key + "' takes a whole number, not '" + value + "'");
        }
    }

    private static EnumValueDescriptor enumValue(FieldDescriptor field, String key, String value) {
        String wanted = value.toUpperCase(Locale.ROOT);
        StringJoiner allowed = new StringJoiner(", ");
        for (EnumValueDescriptor v : field.getEnumType().getValues()) {
            if (v.getNumber() == 0) {
                continue;
            }
            allowed.add(ApiEnums.shortName(v));
            if (v.getName().equals(wanted) || ApiEnums.shortName(v).equalsIgnoreCase(value)) {
                return v;
            }
        }
        throw new IllegalArgumentException("topic config '" + key + "' is one of " + allowed + ", not '" + value + "'");
    }

    /** The settings a message holds, as {@code key=value} pairs, enum values without their prefix. */
    static String format(TopicConfig config) {
        StringJoiner out = new StringJoiner(" ");
        for (Map.Entry<FieldDescriptor, Object> e : config.getAllFields().entrySet()) {
            Object value = e.getValue();
            if (value instanceof EnumValueDescriptor v) {
                value = ApiEnums.shortName(v);
            }
            out.add(e.getKey().getName() + "=" + value);
        }
        return out.toString();
    }
}
