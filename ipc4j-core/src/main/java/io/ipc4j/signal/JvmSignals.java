package io.ipc4j.signal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Proxy;

/**
 * The JVM's signal dispatcher, sun.misc.Signal (module jdk.unsupported, which exports it for exactly this
 * use), reached through method handles: it is the one supported way to run Java code on a signal, and
 * naming its types directly would make every build warn about internal API.
 */
final class JvmSignals {
    private static final Class<?> SIGNAL;
    private static final Class<?> HANDLER;
    private static final MethodHandle NEW_SIGNAL;
    private static final MethodHandle HANDLE;

    static {
        try {
            SIGNAL = Class.forName("sun.misc.Signal");
            HANDLER = Class.forName("sun.misc.SignalHandler");
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            NEW_SIGNAL = lookup.findConstructor(SIGNAL, MethodType.methodType(void.class, String.class));
            HANDLE = lookup.findStatic(SIGNAL, "handle", MethodType.methodType(HANDLER, SIGNAL, HANDLER));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError("this JVM has no sun.misc.Signal (module jdk.unsupported): " + e);
        }
    }

    private JvmSignals() {
    }

    /** A sun.misc.SignalHandler that runs {@code action}. */
    static Object handler(Runnable action) {
        return Proxy.newProxyInstance(JvmSignals.class.getClassLoader(), new Class<?>[] {HANDLER},
                (proxy, method, args) -> switch (method.getName()) {
                    case "handle" -> {
                        action.run();
                        yield null;
                    }
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "ipc4j signal handler";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    /**
     * sun.misc.Signal.handle(new Signal(name), handler): the handler it replaced.
     *
     * @throws IllegalArgumentException if the JVM refuses the signal.
     */
    static Object handle(String name, Object handler) {
        try {
            return HANDLE.invoke(NEW_SIGNAL.invoke(name), handler);
        } catch (IllegalArgumentException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("sun.misc.Signal.handle(" + name + ") failed", t);
        }
    }
}
