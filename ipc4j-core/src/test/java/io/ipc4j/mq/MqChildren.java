package io.ipc4j.mq;

import io.ipc4j.testing.KernelWait;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Child-process mains for the message queue tests. */
final class MqChildren {
    private static final Duration LONG = Duration.ofSeconds(60);

    private MqChildren() {
    }

    /** The message with sequence number {@code seq}: its number, then {@code seq % 57} bytes of {@code seq}. */
    static ByteBuffer message(ByteBuffer buffer, int seq) {
        buffer.clear().putInt(seq);
        for (int i = 0; i < seq % 57; i++) {
            buffer.put((byte) seq);
        }
        return buffer.flip();
    }

    /** Checks a received message against {@link #message}; returns its sequence number. */
    static int check(ByteBuffer received) {
        received.flip();
        int seq = received.getInt();
        if (received.remaining() != seq % 57) {
            throw new AssertionError("message " + seq + " has " + received.remaining() + " bytes of padding");
        }
        while (received.hasRemaining()) {
            if (received.get() != (byte) seq) {
                throw new AssertionError("message " + seq + " is corrupt");
            }
        }
        return seq;
    }

    /** args: queue name, count. Sends count numbered messages at priority 0. */
    static final class PosixProducer {
        public static void main(String[] args) throws Exception {
            int count = Integer.parseInt(args[1]);
            try (PosixMessageQueue q = PosixMessageQueue.open(args[0], Access.WRITE_ONLY)) {
                ByteBuffer buffer = ByteBuffer.allocateDirect(64);
                for (int seq = 0; seq < count; seq++) {
                    q.send(message(buffer, seq), 0, LONG);
                }
            }
            System.out.println("sent " + count);
        }
    }

    /** args: queue id, count. Sends count numbered messages, types cycling 1, 2, 3. */
    static final class SysVProducer {
        public static void main(String[] args) throws Exception {
            int count = Integer.parseInt(args[1]);
            try (SysVMessageQueue q = SysVMessageQueue.ofId(Integer.parseInt(args[0]))) {
                ByteBuffer buffer = ByteBuffer.allocate(64);
                for (int seq = 0; seq < count; seq++) {
                    q.send(seq % 3 + 1, message(buffer, seq));
                }
            }
            System.out.println("sent " + count);
        }
    }

    /**
     * args: queue name, "timed" or "untimed". Says "waiting TID", then receives one message: "got P:TEXT" or
     * "removed: MESSAGE".
     */
    static final class PosixWaiter {
        public static void main(String[] args) throws Exception {
            try (PosixMessageQueue q = PosixMessageQueue.open(args[0], Access.READ_ONLY)) {
                ByteBuffer buffer = ByteBuffer.allocate(q.messageSize());
                System.out.println("waiting " + KernelWait.currentTid());
                try {
                    int priority = args[1].equals("timed") ? q.receive(buffer, LONG) : q.receive(buffer);
                    System.out.println("got " + priority + ":" + new String(buffer.array(), 0, buffer.position(),
                            StandardCharsets.UTF_8));
                } catch (QueueRemovedException e) {
                    System.out.println("removed: " + e.getMessage());
                }
            }
        }
    }

    /**
     * args: queue name. Tries to receive into a 4-byte buffer, prints the refusal, and exits with the handle
     * still open (the JVM closes it), as a program that dies after the mistake would.
     */
    static final class PosixSmallBufferReceiver {
        public static void main(String[] args) throws Exception {
            PosixMessageQueue q = PosixMessageQueue.open(args[0], Access.READ_ONLY);
            try {
                q.receive(ByteBuffer.allocate(4), LONG);
                System.out.println("received into 4 bytes");
            } catch (BufferTooSmallException e) {
                System.out.println("refused: " + e.getMessage());
            }
            System.exit(0); // no close: the process dies holding the descriptor
        }
    }

    /** args: queue id, "timed" or "untimed". As PosixWaiter, for a System V queue (type 0). */
    static final class SysVWaiter {
        public static void main(String[] args) throws Exception {
            try (SysVMessageQueue q = SysVMessageQueue.ofId(Integer.parseInt(args[0]))) {
                ByteBuffer buffer = ByteBuffer.allocate(128);
                warmUp(q, buffer); // class loading and initialisation wait in futexes too: do them first
                System.out.println("waiting " + KernelWait.currentTid());
                try {
                    long type = args[1].equals("timed") ? q.receive(buffer, 0, LONG) : q.receive(buffer, 0);
                    System.out.println("got " + type + ":" + new String(buffer.array(), 0, buffer.position(),
                            StandardCharsets.UTF_8));
                } catch (QueueRemovedException e) {
                    System.out.println("removed: " + e.getMessage());
                }
            }
        }
    }
        private static void warmUp(SysVMessageQueue q, ByteBuffer buffer) throws Exception {
            try {
                q.receive(buffer, Long.MAX_VALUE, Duration.ofMillis(5)); // a type no one sends
                throw new AssertionError("a message of type Long.MAX_VALUE arrived");
            } catch (io.ipc4j.IpcTimeoutException expected) {
                buffer.clear();
            }
        }


    /** args: queue name. Sends low/1, high/9, mid/5, high-again/9, then exits. */
    static final class PosixMixedPriorities {
        public static void main(String[] args) throws Exception {
            try (PosixMessageQueue q = PosixMessageQueue.open(args[0], Access.WRITE_ONLY)) {
                q.send(text("low"), 1, LONG);
                q.send(text("high"), 9, LONG);
                q.send(text("mid"), 5, LONG);
                q.send(text("high-again"), 9, LONG);
            }
        }

        private static ByteBuffer text(String s) {
            return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
        }
    }
}
