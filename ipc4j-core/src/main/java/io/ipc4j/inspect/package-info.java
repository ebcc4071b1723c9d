/**
 * What processes and the kernel hold: a process's descriptors, mappings and IPC objects, every named IPC
 * object with its users, limits, the IPC graph between processes, and a cleaner that refuses objects in use.
 * Reads /proc and sysfs; thread-safe; nothing waits, though a scan of every process takes time.
 */
package io.ipc4j.inspect;
