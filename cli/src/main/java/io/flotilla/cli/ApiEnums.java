package io.flotilla.cli;

import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.ProtocolMessageEnum;
import java.util.Locale;

/** The API's enum values as the command line shows them: "fsync" for FLUSH_POLICY_FSYNC, "stable" for GROUP_STATE_STABLE. */
public final class ApiEnums {

    private ApiEnums() {}

    /** The name without the prefix its enum's zero value ("..._UNSPECIFIED") shows, in lower case. */
    public static String shortName(EnumValueDescriptor value) {
        String zero = value.getType().findValueByNumber(0).getName();
        int prefix = zero.length() - "UNSPECIFIED".length();
        return value.getName().substring(prefix).toLowerCase(Locale.ROOT);
    }

    /** As {@link #shortName(EnumValueDescriptor)}; "unknown" for a value newer than this client. */
    public static String shortName(ProtocolMessageEnum value) {
        if (value instanceof Enum<?> e && e.name().equals("UNRECOGNIZED")) {
            return "unknown";
        }
        return shortName(value.getValueDescriptor());
    }
}
