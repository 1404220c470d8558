package io.flotilla.cli;

import picocli.CommandLine;

/** The version the jar's manifest carries; a build from classes (tests, IDE) has none. */
final class VersionProvider implements CommandLine.IVersionProvider {

    static String version() {
        String version = Main.class.getPackage().getImplementationVersion();
        return version == null ? "(development build)" : version;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"flotilla " + version()};
    }
}
