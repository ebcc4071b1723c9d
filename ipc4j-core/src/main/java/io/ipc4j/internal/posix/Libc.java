package io.ipc4j.internal.posix;

import io.ipc4j.UnsupportedPlatformException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Linking of C library symbols, done once per symbol, and the per-thread errno capture segment.
 *
 * <p>glibc 2.34+ keeps mq_*, shm_* and sem_* in libc.so.6, so the linker's default lookup finds every
 * symbol ipc4j needs.
 */
@SuppressWarnings("restricted")
final class Libc {
    /** Null on an unsupported platform, which may have no linker at all. */
    static final Linker LINKER = Platform.HOST == null ? null : Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = LINKER == null ? null : LINKER.defaultLookup();
    static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    private static final long ERRNO_OFFSET = Linker.Option.captureStateLayout()
            .byteOffset(MemoryLayout.PathElement.groupElement("errno"));

    /**
     * One capture segment per thread: the linker writes errno into it after every call, so two threads
     * sharing one segment would read each other's errno. Arena.ofAuto frees it with the thread.
     */
    private static final ThreadLocal<MemorySegment> ERRNO_SLOT = ThreadLocal.withInitial(
            () -> Arena.ofAuto().allocate(Linker.Option.captureStateLayout()));

    private Libc() {
    }

    /** Links {@code name} or fails at class initialisation: a missing core symbol is a broken platform. */
    static MethodHandle link(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        if (LINKER == null) {
            return refusing(descriptor, options);
        }
        MemorySegment address = LOOKUP.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("C library symbol not found: " + name));
        return LINKER.downcallHandle(address, descriptor, options);
    }

    /** Links {@code name} if the C library has it (glibc extensions, newer calls). */
    static Optional<MethodHandle> linkOptional(String name, FunctionDescriptor descriptor,
                                               Linker.Option... options) {
        if (LINKER == null) {
            return Optional.of(refusing(descriptor, options));
        }
        return LOOKUP.find(name).map(address -> LINKER.downcallHandle(address, descriptor, options));
    }

    /**
     * On an unsupported platform: a handle of the type the downcall would have (with the errno slot first
     * when it captures errno) that throws {@link Platform#refusal()}, a new one each call.
     */
    private static MethodHandle refusing(FunctionDescriptor descriptor, Linker.Option... options) {
        MethodType type = descriptor.toMethodType();
        if (java.util.Arrays.asList(options).contains(CAPTURE_ERRNO)) {
            type = type.insertParameterTypes(0, MemorySegment.class);
        }
        MethodHandle thrower = MethodHandles.throwException(type.returnType(), UnsupportedPlatformException.class);
        return MethodHandles.dropArguments(MethodHandles.foldArguments(thrower, REFUSAL), 0, type.parameterList());
    }

    private static final MethodHandle REFUSAL;

    static {
        try {
            REFUSAL = MethodHandles.lookup().findStatic(Platform.class, "refusal",
                    MethodType.methodType(UnsupportedPlatformException.class));
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * For a downcall's {@code catch (Throwable t)}: rethrows an unchecked exception as it is (an
     * {@link UnsupportedPlatformException}, say), and wraps anything else, which invokeExact cannot throw.
     */
    static RuntimeException unexpected(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new AssertionError(t);
    }

    /** Links a call whose failure is reported in errno; the handle's first parameter is the capture slot. */
    static MethodHandle linkErrno(String name, FunctionDescriptor descriptor) {
        return link(name, descriptor, CAPTURE_ERRNO);
    }

    /** Links a variadic call; {@code firstVariadic} is the index of the first "..." argument. */
    static MethodHandle linkErrnoVariadic(String name, FunctionDescriptor descriptor, int firstVariadic) {
        return link(name, descriptor, CAPTURE_ERRNO, Linker.Option.firstVariadicArg(firstVariadic));
    }

    /** A downcall that reports failure as a negative result and errno, given this thread's errno slot. */
    @FunctionalInterface
    interface ErrnoCall {
        long call(MemorySegment errnoSlot) throws Throwable;
    }

    /**
     * Runs {@code call} once: its result, or -errno if it was negative. For calls off the hot paths (the
     * capturing lambda may cost an allocation); hot paths spell the same out.
     */
    static long once(ErrnoCall call) {
        MemorySegment slot = errnoSlot();
        try {
            long r = call.call(slot);
            return r >= 0 ? r : -errno(slot);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** As {@link #once}, retried while the call fails with EINTR. */
    static long retrying(ErrnoCall call) {
        while (true) {
            long r = once(call);
            if (r != -Errno.EINTR) {
                return r;
            }
        }
    }

    /**
     * One call of a (fd, buffer, length) binding linked with errno capture: its count, or -errno (-EINTR
     * included: for blocking calls a signal may end). Spelled out for the hot paths: no lambda.
     */
    static long transferOnce(MethodHandle call, int fd, MemorySegment buffer, long length) {
        try {
            MemorySegment slot = errnoSlot();
            long n = (long) call.invokeExact(slot, fd, buffer, length);
            return n >= 0 ? n : -errno(slot);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static MemorySegment errnoSlot() {
        return ERRNO_SLOT.get();
    }

    /** The errno of the last call made with this thread's slot; meaningful only when that call failed. */
    static int errno(MemorySegment slot) {
        return slot.get(JAVA_INT, ERRNO_OFFSET);
    }
}
