package io.ipc4j.cli.chat;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code ipc4j chat load}: fan-out measured against Redis PUBLISH/SUBSCRIBE. */
@Command(name = "load", mixinStandardHelpOptions = true, description = "Measure fan-out to many clients.")
public final class ChatLoad implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("not built yet");
        return 1;
    }
}
