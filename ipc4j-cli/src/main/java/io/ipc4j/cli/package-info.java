/**
 * The ipc4j command (picocli): wiring only, from the command line to the library and the apps; its
 * converters and shared helpers. Each command runs on the main thread and blocks until it is done; INT, TERM
 * and HUP remove what it created.
 */
package io.ipc4j.cli;
