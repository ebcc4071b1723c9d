package io.ipc4j.internal.posix;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Struct layouts that several call classes and {@link Platform}'s per-architecture tables share, and that
 * are the same on every supported platform. A class of its own, linking nothing: Platform's tables use them
 * while it initialises, before any class that links a symbol may.
 */
final class Layouts {
    /** glibc's {@code struct ipc_perm}, 48 bytes on x86-64 and aarch64 (mode: the low 16 bits). */
    static final StructLayout IPC_PERM = MemoryLayout.structLayout(
            JAVA_INT.withName("__key"), JAVA_INT.withName("uid"), JAVA_INT.withName("gid"),
            JAVA_INT.withName("cuid"), JAVA_INT.withName("cgid"), JAVA_INT.withName("mode"),
            JAVA_INT.withName("__seq"), MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("__glibc_reserved1"), JAVA_LONG.withName("__glibc_reserved2")).withName("ipc_perm");

    private Layouts() {
    }
}
