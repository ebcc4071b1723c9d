package io.ipc4j.cli;

import io.ipc4j.cli.demo.DemoCommand;
import io.ipc4j.cli.inspect.InspectCommands;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;

/** The {@code ipc4j} command. Thin: parsing and printing; the work is done by the modules. */
@Command(name = "ipc4j", mixinStandardHelpOptions = true, versionProvider = Ipc4j.Version.class,
        description = "Every Unix IPC mechanism for Java: run, measure and inspect them.",
        subcommands = {io.ipc4j.cli.bench.BenchCommand.class, DemoCommand.class, io.ipc4j.cli.mq.MqCommand.class,
            InspectCommands.Inspect.class, InspectCommands.Ipcs.class, InspectCommands.Limits.class,
            InspectCommands.Clean.class, io.ipc4j.cli.kv.KvCommand.class, io.ipc4j.cli.chat.ChatCommand.class,
            CommandLine.HelpCommand.class})
public final class Ipc4j implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line with ipc4j's error handling: a bad option or argument is one line on stderr naming it and
     * what is allowed, and exit 2; an IOException or IllegalArgumentException while running is one line and
     * exit 1.
     */
    public static CommandLine commandLine() {
        return new CommandLine(new Ipc4j()).setParameterExceptionHandler((e, args) -> {
            CommandLine cmd = e.getCommandLine();
            cmd.getErr().println("ipc4j: " + e.getMessage() + " (see " + cmd.getCommandSpec().qualifiedName()
                    + " --help)");
            return cmd.getCommandSpec().exitCodeOnInvalidInput();
        }).setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof IOException || e instanceof IllegalArgumentException) {
                cmd.getErr().println("ipc4j: " + e.getMessage());
                return 1;
            }
            throw e;
        });
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The version from the jar's manifest, or "development" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Ipc4j.class.getPackage().getImplementationVersion();
            return new String[] {"ipc4j " + (version == null ? "development" : version)
                    + " on Java " + Runtime.version()};
        }
    }
}
