package io.ipc4j.cli.demo.mistakes;

import io.ipc4j.mq.Access;
import io.ipc4j.mq.PosixMessageQueue;
import io.ipc4j.sysv.SysVKey;
import io.ipc4j.mq.SysVMessageQueue;
import io.ipc4j.process.ChildProcess;
import io.ipc4j.process.Spawn;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** 3. Expecting send order from queues that order by priority or select by type. */
final class PriorityOrder implements Mistake {
    static final String[][] POSIX = {{"A", "1"}, {"B", "5"}, {"C", "1"}, {"D", "9"}, {"E", "5"}};
    static final String[][] SYSV = {{"a", "3"}, {"b", "1"}, {"c", "2"}, {"d", "1"}};

    @Override
    public String name() {
        return "ordering";
    }

    @Override
    public String title() {
        return "Ordering across priorities";
    }

    @Override
    public String explanation() {
        return "A POSIX queue hands out the highest priority first (FIFO only within a priority); a System V "
                + "receive picks by type (0: first, n: that type, -n: lowest type up to n). A reader that expects "
                + "send order processes messages out of order. Another process sent these; the kernel's order is "
                + "shown next to the naive one.";
    }

    @Override
    public Outcome run() throws IOException {
        Outcome outcome = Outcome.of();
        String name = "/ipc4j-mistake-3-" + Spawn.currentPid();
        try (PosixMessageQueue posix = PosixMessageQueue.create(name).maxMessages(5).messageSize(16).exclusive().open();
             SysVMessageQueue sysv = SysVMessageQueue.create(SysVKey.PRIVATE, 0600)) {
            try {
                showOrder(outcome, posix, sysv);
            } finally {
                sysv.remove(); // closing a System V handle does not remove the queue
            }
        } finally {
            PosixMessageQueue.unlink(name);
        }
        return outcome;
    }

    private static void showOrder(Outcome outcome, PosixMessageQueue posix, SysVMessageQueue sysv) throws IOException {
        try (ChildProcess sender = Spawn.java(Sender.class.getName(), posix.name(), String.valueOf(sysv.id()))
                .start()) {
            if (!sender.waitFor(Duration.ofSeconds(30)).succeeded()) {
                throw new IOException("the sending process failed");
            }
        }
        List<String> sent = new ArrayList<>();
        for (String[] m : POSIX) {
            sent.add(m[0] + "(prio " + m[1] + ")");
        }
        outcome.wrong().put("POSIX, expected (send order)", String.join(" ", sent));
        List<String> got = new ArrayList<>();
        ByteBuffer buffer = ByteBuffer.allocate(posix.messageSize()); // mq_receive needs room for the largest
        int priority;
        while ((priority = posix.tryReceive(buffer.clear())) >= 0) {
            got.add(text(buffer) + "(prio " + priority + ")");
        }
        outcome.right().put("POSIX, kernel order", String.join(" ", got));
        outcome.wrong().put("System V, expected (send order)", "a(3) b(1) c(2) d(1)");
        List<String> selected = new ArrayList<>();
        for (long selector : new long[] {2, -2, -2, 0}) {
            long type = sysv.receive(buffer.clear(), selector, Duration.ofSeconds(5));
            selected.add("type " + selector + " -> " + text(buffer) + "(" + type + ")");
        }
        outcome.right().put("System V, by selector", String.join(", ", selected));
    }

    private static String text(ByteBuffer buffer) {
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
    }

    /** The sending process: args are the POSIX queue name and the System V queue id. */
    public static final class Sender {
        public static void main(String[] args) throws IOException {
            try (PosixMessageQueue posix = PosixMessageQueue.open(args[0], Access.WRITE_ONLY);
                 SysVMessageQueue sysv = SysVMessageQueue.ofId(Integer.parseInt(args[1]))) {
                for (String[] m : POSIX) {
                    posix.send(ByteBuffer.wrap(m[0].getBytes(StandardCharsets.UTF_8)), Integer.parseInt(m[1]));
                }
                for (String[] m : SYSV) {
                    sysv.send(Long.parseLong(m[1]), ByteBuffer.wrap(m[0].getBytes(StandardCharsets.UTF_8)));
                }
            }
        }
    }
}
