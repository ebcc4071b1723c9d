package io.ipc4j.internal.posix;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The {@link FdHandle} behind a public ipc4j object, for the event loop, without putting FdHandle (an
 * unexported type) into the public classes' API: each class registers an accessor in its static initialiser,
 * as the JDK's SharedSecrets do.
 */
public final class Handles {
    private static final Map<Class<?>, Function<Object, FdHandle>> ACCESSORS = new ConcurrentHashMap<>();

    private Handles() {
    }

    /** Registers how to reach the handle of a {@code type} (and of its subclasses). */
    public static <T> void register(Class<T> type, Function<T, FdHandle> accessor) {
        ACCESSORS.put(type, object -> accessor.apply(type.cast(object)));
    }

    /** The handle behind {@code object}, or null for an object ipc4j did not make. */
    public static FdHandle of(Object object) {
        for (Class<?> type = object.getClass(); type != null; type = type.getSuperclass()) {
            Function<Object, FdHandle> accessor = ACCESSORS.get(type);
            if (accessor != null) {
                return accessor.apply(object);
            }
        }
        return null;
    }
}
