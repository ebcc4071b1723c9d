package io.ipc4j;

/**
 * What every exception from a failed C call carries, whatever JDK exception type it is (ipc4j throws
 * {@link java.nio.file.NoSuchFileException}, {@link java.nio.file.FileAlreadyExistsException} and
 * {@link java.nio.file.AccessDeniedException} where those fit, and {@link ErrnoException} otherwise).
 *
 * <pre>{@code
 * catch (IOException e) {
 *     if (e instanceof PosixError p && p.errnoName().equals("EEXIST")) ...
 * }
 * }</pre>
 */
public interface PosixError {
    /**
     * The C function that failed, such as {@code mkfifo}.
     *
     * @return the C function that failed, such as {@code mkfifo}
     */
    String call();

    /**
     * What it was called on: a path, a queue name, a descriptor; never null.
     *
     * @return what it was called on: a path, a queue name, a descriptor
     */
    String object();

    /**
     * The errno value.
     *
     * @return the errno value
     */
    int errno();

    /**
     * The symbolic errno, such as {@code EEXIST}.
     *
     * @return the symbolic errno, such as {@code EEXIST}
     */
    String errnoName();

    /**
     * The C library's text for the errno, such as {@code File exists}.
     *
     * @return the C library's text for the errno, such as {@code File exists}
     */
    String errnoText();
}
