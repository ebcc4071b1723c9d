package io.ipc4j.cli.demo;

import picocli.CommandLine.Command;

/** {@code ipc4j demo MECHANISM}: each mechanism as a runnable two-process example. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run a mechanism as a two-process example: parent and child are separate OS processes.",
        subcommands = {PipeDemo.class, FifoDemo.class, MqDemo.class, ShmDemo.class, SemDemo.class,
            ChannelDemo.class, SignalDemo.class, SocketDemo.class, LoopDemo.class, io.ipc4j.cli.demo.mistakes.MistakesDemo.class})
public final class DemoCommand {
}
