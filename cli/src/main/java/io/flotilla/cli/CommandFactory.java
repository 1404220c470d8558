package io.flotilla.cli;

import java.lang.reflect.Constructor;
import picocli.CommandLine;

/** Creates commands and mixins, handing the {@link CliContext} to those whose constructor takes it. */
final class CommandFactory implements CommandLine.IFactory {

    private final CliContext context;

    CommandFactory(CliContext context) {
        this.context = context;
    }

    @Override
    public <K> K create(Class<K> cls) throws Exception {
        Constructor<K> withContext;
        try {
            withContext = cls.getDeclaredConstructor(CliContext.class);
        } catch (NoSuchMethodException e) {
            return CommandLine.defaultFactory().create(cls);
        }
        withContext.setAccessible(true); // commands are package-private classes
        return withContext.newInstance(context);
    }
}
