package io.ipc4j.internal.posix;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/** Linux errno values used by ipc4j, and their symbolic names and texts as the C library gives them. */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int ENXIO = 6;
    public static final int E2BIG = 7;
    public static final int EBADF = 9;
    public static final int ECHILD = 10;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EEXIST = 17;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int EMFILE = 24;
    public static final int ENOSPC = 28;
    public static final int EROFS = 30;
    public static final int EPIPE = 32;
    public static final int ERANGE = 34;
    public static final int ENAMETOOLONG = 36;
    public static final int ENOSYS = 38;
    public static final int ELOOP = 40;
    public static final int ENOMSG = 42;
    public static final int EIDRM = 43;
    public static final int EMSGSIZE = 90;
    public static final int EOVERFLOW = 75;
    public static final int ETIMEDOUT = 110;
    public static final int ENOTSOCK = 88;
    public static final int EDESTADDRREQ = 89;
    public static final int EPROTOTYPE = 91;
    public static final int ENOPROTOOPT = 92;
    public static final int EOPNOTSUPP = 95;
    public static final int EADDRINUSE = 98;
    public static final int ECONNABORTED = 103;
    public static final int ECONNRESET = 104;
    public static final int ENOBUFS = 105;
    public static final int EISCONN = 106;
    public static final int ENOTCONN = 107;
    public static final int ECONNREFUSED = 111;
    public static final int EINPROGRESS = 115;

    // strerrorname_np and strerrordesc_np (glibc 2.32+) return static strings, so unlike strerror they are
    // thread-safe; on a C library without them the number is shown instead.
    private static final Optional<MethodHandle> NAME = Libc.linkOptional("strerrorname_np",
            FunctionDescriptor.of(ADDRESS, JAVA_INT));
    private static final Optional<MethodHandle> DESCRIPTION = Libc.linkOptional("strerrordesc_np",
            FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private Errno() {
    }

    /** The symbolic name, such as {@code EEXIST}; {@code errno 999} for a number the C library does not know. */
    public static String name(int errno) {
        return NAME.map(handle -> cString(handle, errno)).orElse(null) instanceof String s
                ? s : "errno " + errno;
    }

    /** The C library's text, such as {@code File exists}. */
    public static String description(int errno) {
        return DESCRIPTION.map(handle -> cString(handle, errno)).orElse(null) instanceof String s
                ? s : "unknown error";
    }

    @SuppressWarnings("restricted")
    private static String cString(MethodHandle handle, int errno) {
        try {
            MemorySegment text = (MemorySegment) handle.invokeExact(errno);
            return text.equals(MemorySegment.NULL)
                    ? null : text.reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw new AssertionError("strerrorname_np/strerrordesc_np cannot fail", t);
        }
    }
}
