package io.ipc4j.cli.mq;

import io.ipc4j.cli.DurationConverter;
import io.ipc4j.mq.PosixMessageQueue;
import io.ipc4j.mq.PosixQueueAttributes;
import io.ipc4j.mq.PosixQueueOptions;
import io.ipc4j.sysv.SysVKey;
import io.ipc4j.mq.SysVMessageQueue;
import io.ipc4j.mq.SysVQueueStatus;
import io.ipc4j.cli.Ranges;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ipc4j mq}: create, send to, receive from, inspect and remove POSIX and System V queues from the
 * shell, for scripts and for debugging other programs' queues.
 */
@Command(name = "mq", mixinStandardHelpOptions = true,
        description = {"Message queues from the shell. QUEUE is /name (POSIX), or sysv:KEY, sysv-id:ID or "
                + "ftok:PATH:PROJECT (System V)."},
        subcommands = {MqCommand.Create.class, MqCommand.Send.class, MqCommand.Receive.class, MqCommand.Stat.class,
            MqCommand.Remove.class})
public final class MqCommand {

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a queue (or open an existing one).")
    static final class Create implements Callable<Integer> {
        @Parameters(paramLabel = "QUEUE", description = "/name, or sysv:KEY (sysv:private for a new private queue)")
        String queue;
        @Option(names = "--max-messages", converter = Ranges.Positive.class, description = "POSIX mq_maxmsg (default: fs.mqueue.msg_default)")
        Integer maxMessages;
        @Option(names = "--message-size", converter = Ranges.MessageSize.class, description = "POSIX mq_msgsize in bytes (default: fs.mqueue.msgsize_default)")
        Integer messageSize;
        @Option(names = "--mode", converter = Ranges.OctalMode.class, defaultValue = "0600",
                description = "permission bits, octal (default 0600)")
        int mode;
        @Option(names = "--exclusive", description = "fail if the queue exists")
        boolean exclusive;

        @Override
        public Integer call() throws IOException {
            QueueAddress address = QueueAddress.parse(queue);
            int bits = mode;
            if (address.isPosix()) {
                PosixQueueOptions options = PosixMessageQueue.create(address.posixName()).mode(bits);
                if (maxMessages != null) {
                    options.maxMessages(maxMessages);
                }
                if (messageSize != null) {
                    options.messageSize(messageSize);
                }
                if (exclusive) {
                    options.exclusive();
                }
                try (PosixMessageQueue q = options.open()) {
                    System.out.printf("%s: max %d messages of %d bytes%n", q.name(), q.maxMessages(), q.messageSize());
                }
            } else {
                SysVKey key = address.key();
                try (SysVMessageQueue q = exclusive || key.equals(SysVKey.PRIVATE) ? SysVMessageQueue.create(key, bits)
                        : SysVMessageQueue.openOrCreate(key, bits)) {
                    System.out.printf("System V queue id %d (key %s); use sysv-id:%d%n", q.id(), key, q.id());
                }
            }
            return 0;
        }
    }

    @Command(name = "send", mixinStandardHelpOptions = true, description = "Send one message (the words, joined by spaces).")
    static final class Send implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "QUEUE")
        String queue;
        @Parameters(index = "1..*", paramLabel = "TEXT", arity = "1..*")
        List<String> words;
        @Option(names = "--priority", defaultValue = "0", description = "POSIX priority (default 0)")
        int priority;
        @Option(names = "--type", defaultValue = "1", description = "System V message type (default 1)")
        long type;
        @Option(names = "--timeout", defaultValue = "5s", converter = DurationConverter.class,
                description = "how long to wait while the queue is full (default 5s)")
        Duration timeout;

        @Override
        public Integer call() throws IOException {
            QueueAddress address = QueueAddress.parse(queue);
            ByteBuffer message = ByteBuffer.wrap(String.join(" ", words).getBytes(StandardCharsets.UTF_8));
            if (address.isPosix()) {
                try (PosixMessageQueue q = PosixMessageQueue.open(address.posixName())) {
                    q.send(message, priority, timeout);
                }
            } else {
                try (SysVMessageQueue q = address.openSysV()) {
                    q.send(type, message, timeout);
                }
            }
            return 0;
        }
    }

    @Command(name = "receive", mixinStandardHelpOptions = true,
            description = "Receive messages and print them, one per line: PRIORITY or TYPE, a tab, the text.")
    static final class Receive implements Callable<Integer> {
        @Parameters(paramLabel = "QUEUE")
        String queue;
        @Option(names = "--count", converter = Ranges.Positive.class, defaultValue = "1", description = "how many messages (default 1)")
        int count;
        @Option(names = "--type", defaultValue = "0",
                description = "System V type selector: 0 first, >0 that type, <0 lowest type <= |t| (default 0)")
        long type;
        @Option(names = "--timeout", defaultValue = "5s", converter = DurationConverter.class,
                description = "how long to wait for each message (default 5s)")
        Duration timeout;

        @Override
        public Integer call() throws IOException {
            QueueAddress address = QueueAddress.parse(queue);
            if (address.isPosix()) {
                try (PosixMessageQueue q = PosixMessageQueue.open(address.posixName())) {
                    ByteBuffer buffer = ByteBuffer.allocate(q.messageSize());
                    for (int i = 0; i < count; i++) {
                        int priority = q.receive(buffer.clear(), timeout);
                        print(priority, buffer);
                    }
                }
            } else {
                try (SysVMessageQueue q = address.openSysV()) {
                    ByteBuffer buffer = ByteBuffer.allocate((int) q.maxMessageSize());
                    for (int i = 0; i < count; i++) {
                        print(q.receive(buffer.clear(), type, timeout), buffer);
                    }
                }
            }
            return 0;
        }

        private static void print(long tag, ByteBuffer buffer) {
            System.out.println(tag + "\t" + new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8));
        }
    }

    @Command(name = "stat", mixinStandardHelpOptions = true, description = "Show a queue's attributes and counters.")
    static final class Stat implements Callable<Integer> {
        @Parameters(paramLabel = "QUEUE")
        String queue;

        @Override
        public Integer call() throws IOException {
            QueueAddress address = QueueAddress.parse(queue);
            if (address.isPosix()) {
                try (PosixMessageQueue q = PosixMessageQueue.open(address.posixName(), io.ipc4j.mq.Access.READ_ONLY)) {
                    PosixQueueAttributes a = q.attributes();
                    System.out.printf("name          %s%nmessages      %d of %d%nmessage size  %d bytes%n", q.name(),
                            a.currentMessages(), a.maxMessages(), a.messageSize());
                }
            } else {
                try (SysVMessageQueue q = address.openSysV()) {
                    SysVQueueStatus s = q.status();
                    System.out.printf("id            %d%nkey           %s%nmode          %04o%nmessages      %d%n"
                                    + "bytes         %d of %d%nlast sender   %s%nlast receiver %s%n", q.id(), s.key(),
                            s.mode(), s.messages(), s.bytes(), s.maxBytes(), pid(s.lastSendPid()),
                            pid(s.lastReceivePid()));
                }
            }
            return 0;
        }

        private static String pid(int pid) {
            if (pid == 0) {
                return "none yet";
            }
            return pid + (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) ? " (alive)" : " (gone)");
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a queue and its messages.")
    static final class Remove implements Callable<Integer> {
        @Parameters(paramLabel = "QUEUE")
        String queue;

        @Override
        public Integer call() throws IOException {
            QueueAddress address = QueueAddress.parse(queue);
            if (address.isPosix()) {
                if (!PosixMessageQueue.unlink(address.posixName())) {
                    System.err.println("ipc4j: no POSIX queue " + address.posixName());
                    return 1;
                }
            } else {
                try (SysVMessageQueue q = address.openSysV()) {
                    q.remove();
                }
            }
            return 0;
        }
    }
}
