package io.ipc4j.cli.bench;

import io.ipc4j.bench.echo.EchoBench;
import io.ipc4j.cli.Ranges;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code ipc4j bench echo}: ipc4j's event loop against netty's epoll transport and the JDK's Selector. */
@Command(name = "echo", mixinStandardHelpOptions = true,
        description = {"An echo server over a Unix stream socket on ipc4j's EventLoop, on netty's native epoll "
                + "transport and on the JDK's Selector (each one thread, in a process of its own), driven in "
                + "turns by the same client: requests/s, p50/p99 latency, server CPU per request, and each one's "
                + "ratio to netty."})
public final class EchoCommand implements Callable<Integer> {
    @Option(names = "--connections", split = ",", converter = Ranges.Positive.class, paramLabel = "N",
            description = "Connection counts (default 1,50,1000).")
    List<Integer> connections;
    @Option(names = "--seconds", converter = Ranges.Positive.class, defaultValue = "3",
            description = "Measured seconds per server, count and round (default 3; one more of warm-up).")
    int seconds;
    @Option(names = "--rounds", converter = Ranges.Positive.class, defaultValue = "3",
            description = "Rounds; each runs every server in a rotating order (default 3).")
    int rounds;

    @Override
    public Integer call() throws Exception {
        EchoBench.Config config = new EchoBench.Config(connections == null ? List.of(1, 50, 1000) : connections,
                Duration.ofSeconds(1), Duration.ofSeconds(seconds), rounds);
        List<EchoBench.Result> results = new EchoBench(config, System.err).run();
        EchoBench.print(results, System.out);
        return 0;
    }
}
