package io.ipc4j.cli.kv;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code ipc4j kv bench}: redis-benchmark against ipc4j-kv and redis-server, side by side. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Run redis-benchmark over Unix sockets against ipc4j-kv and redis-server, side by side.")
public final class KvBench implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("not yet");
        return 1;
    }
}
