/**
 * {@code ipc4j inspect}, {@code ipcs}, {@code limits} and {@code clean}: the inspector's findings as tables or JSON, and
 * removal of objects no process uses. Main thread; nothing waits but the scans.
 */
package io.ipc4j.cli.inspect;
