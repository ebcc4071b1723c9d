package io.ipc4j.cli.demo;

import io.ipc4j.mq.Access;
import io.ipc4j.mq.PosixMessageQueue;
import io.ipc4j.sysv.SysVKey;
import io.ipc4j.mq.SysVMessageQueue;
import io.ipc4j.process.ChildProcess;
import io.ipc4j.process.ExitStatus;
import io.ipc4j.process.Spawn;
import io.ipc4j.signal.GracefulShutdown;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * Both kinds of message queue across two processes: a child sends messages with mixed POSIX priorities and
 * System V types, and the parent shows the order in which the kernel hands them out.
 */
@Command(name = "mq", mixinStandardHelpOptions = true,
        description = "A child process sends with priorities (POSIX) and types (System V); the parent receives.")
public final class MqDemo implements Callable<Integer> {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String[][] POSIX_SENDS = {{"low", "1"}, {"urgent", "9"}, {"normal", "5"},
        {"urgent again", "9"}, {"low again", "1"}};
    private static final String[][] SYSV_SENDS = {{"order", "3"}, {"invoice", "1"}, {"refund", "2"},
        {"invoice 2", "1"}, {"order 2", "3"}};

    @Override
    public Integer call() throws IOException {
        String name = "/ipc4j-demo-" + Spawn.currentPid();
        // a finally block does not run on INT, TERM or HUP: the clean-up is registered to run then too
        GracefulShutdown cleanup = GracefulShutdown.install().add("unlink " + name, () -> PosixMessageQueue.unlink(name));
        try (PosixMessageQueue posix = PosixMessageQueue.create(name).maxMessages(5).messageSize(64).exclusive().open();
             SysVMessageQueue sysv = SysVMessageQueue.create(SysVKey.PRIVATE, 0600)) {
            cleanup.add("remove System V queue " + sysv.id(), sysv::remove);
            try {
                Say.parent("created POSIX queue %s and System V queue id %d", name, sysv.id());
                ExitStatus status = runSender(name, sysv.id());
                receivePosix(posix);
                receiveSysV(sysv);
                return status.succeeded() ? 0 : 1;
            } finally {
                cleanup.runNow();
                Say.parent("removed both queues: queues outlive the processes that use them");
            }
        }
    }

    private static ExitStatus runSender(String name, int sysvId) throws IOException {
        try (ChildProcess child = Spawn.java(Sender.class.getName(), name, String.valueOf(sysvId)).start()) {
            GracefulShutdown.install().closeOnExit("stop the sender", child);
            ExitStatus status = child.waitFor(TIMEOUT);
            Say.parent("sender %d ended: %s; all its messages wait in the kernel", child.pid(), status);
            return status;
        }
    }

    private static void receivePosix(PosixMessageQueue q) throws IOException {
        Say.parent("POSIX: receiving everything: highest priority first, first-in-first-out within one");
        ByteBuffer buffer = ByteBuffer.allocate(q.messageSize());
        int priority;
        while ((priority = q.tryReceive(buffer.clear())) >= 0) {
            Say.parent("  <- priority %d: \"%s\"", priority, text(buffer));
        }
    }

    private static void receiveSysV(SysVMessageQueue q) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(64);
        Say.parent("System V: receive type 2 (only refunds):");
        show(q, buffer, 2);
        Say.parent("System V: receive type -2 (the lowest type <= 2 first):");
        show(q, buffer, -2);
        show(q, buffer, -2);
        Say.parent("System V: receive type 0 (whatever is first):");
        show(q, buffer, 0);
        show(q, buffer, 0);
    }

    private static void show(SysVMessageQueue q, ByteBuffer buffer, long selector) throws IOException {
        long type = q.receive(buffer.clear(), selector, TIMEOUT);
        Say.parent("  <- type %d: \"%s\"", type, text(buffer));
    }

    private static String text(ByteBuffer buffer) {
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
    }

    /** The sending process: args are the POSIX queue name and the System V queue id. */
    public static final class Sender {
        public static void main(String[] args) throws IOException {
            try (PosixMessageQueue posix = PosixMessageQueue.open(args[0], Access.WRITE_ONLY);
                 SysVMessageQueue sysv = SysVMessageQueue.ofId(Integer.parseInt(args[1]))) {
                for (String[] send : POSIX_SENDS) {
                    posix.send(ByteBuffer.wrap(send[0].getBytes(StandardCharsets.UTF_8)), Integer.parseInt(send[1]),
                            TIMEOUT);
                    Say.child("POSIX -> priority %s: \"%s\"", send[1], send[0]);
                }
                for (String[] send : SYSV_SENDS) {
                    sysv.send(Long.parseLong(send[1]), ByteBuffer.wrap(send[0].getBytes(StandardCharsets.UTF_8)),
                            TIMEOUT);
                    Say.child("System V -> type %s: \"%s\"", send[1], send[0]);
                }
            }
        }
    }
}
