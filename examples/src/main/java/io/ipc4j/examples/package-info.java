/**
 * The README's steps as a user's own project: a program using ipc4j from Maven Central's coordinates, on the
 * module path or the class path. Main thread; it blocks until its child process is done.
 */
package io.ipc4j.examples;
