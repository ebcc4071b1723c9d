package io.ipc4j.channel;

import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import io.ipc4j.testing.Peers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one-to-one channel's format shared with other languages: the C header (peers/c/ipc4j_channel.h) and the
 * Python module (peers/python/ipc4j_channel.py), each as sender and as receiver of a Java channel, 100,000
 * messages each way with every byte checked, and each side seeing the other killed mid-stream. Message i:
 * type i % 1000, (i * 7919) % 200 bytes, byte k = (i + k) &amp; 0xff; the checksum adds every byte. Many-to-one
 * (C senders beside a Java sender; C and Python receivers of Java senders) and broadcast (Java writer to C and
 * Python readers at once, and the reverse) carry a sequence number first, so that order is checked too.
 */
class ChannelPeersTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final int MESSAGES = 100_000;
    private static final AtomicInteger NAMES = new AtomicInteger();

    @Test
    void javaSendsToC() throws Exception {
        javaSendsTo(name -> Peers.c("channel_peer", "receive", name, String.valueOf(MESSAGES)));
    }

    @Test
    void cSendsToJava() throws Exception {
        sendsToJava(name -> Peers.c("channel_peer", "send", name, String.valueOf(MESSAGES)));
    }

    @Test
    void javaSendsToPython() throws Exception {
        javaSendsTo(name -> python("receive", name, MESSAGES));
    }

    @Test
    void pythonSendsToJava() throws Exception {
        sendsToJava(name -> python("send", name, MESSAGES));
    }

    @Test
    void aKilledCSenderLeavesEveryCommittedMessageThenTheJavaReceiverSeesItDead() throws Exception {
        killedSender(name -> Peers.c("channel_peer", "send", name, "0"));
    }

    @Test
    void aKilledPythonSenderLeavesEveryCommittedMessageThenTheJavaReceiverSeesItDead() throws Exception {
        killedSender(name -> python("send", name, 0));
    }

    @Test
    void aKilledJavaSenderIsSeenDeadByTheCReceiver() throws Exception {
        killedJavaSender(name -> Peers.c("channel_peer", "receive", name, "0"));
    }

    @Test
    void aKilledJavaSenderIsSeenDeadByThePythonReceiver() throws Exception {
        killedJavaSender(name -> python("receive", name, 0));
    }

    @FunctionalInterface
    interface PeerStart {
        Peers start(String channel) throws Exception;
    }

    private static Peers python(String role, String name, int count) throws Exception {
        return Peers.python("channel_peer", "mmap", "python3", role, name, String.valueOf(count));
    }

    private static void javaSendsTo(PeerStart peer) throws Exception {
        String name = freshName();
        try (OneToOneChannel ch = OneToOneChannel.create(name, 1 << 16)) {
            try (Peers receiver = peer.start(name)) {
                assertEquals("ready", receiver.nextLine(LIMIT));
                OneToOneChannel.Sender tx = ch.sender();
                ByteBuffer buffer = ByteBuffer.allocate(256);
                long checksum = 0;
                for (int i = 0; i < MESSAGES; i++) {
                    checksum += fill(buffer, i);
                    tx.send(i % 1000, buffer, LIMIT);
                }
                assertEquals("received " + MESSAGES + " checksum " + checksum, receiver.nextLine(LIMIT));
                receiver.awaitSuccess(LIMIT);
            } finally {
                OneToOneChannel.unlink(name);
            }
        }
    }

    private static void sendsToJava(PeerStart peer) throws Exception {
        String name = freshName();
        try (OneToOneChannel ch = OneToOneChannel.create(name, 1 << 16)) {
            RingReceiver rx = ch.receiver();
            try (Peers sender = peer.start(name)) {
                assertEquals("ready", sender.nextLine(LIMIT));
                long checksum = 0;
                ByteBuffer buffer = ByteBuffer.allocate(8192);
                for (int i = 0; i < MESSAGES; i++) {
                    checksum += check(rx.receive(buffer.clear(), LIMIT), buffer.flip(), i);
                }
                assertEquals("sent " + MESSAGES + " checksum " + checksum, sender.nextLine(LIMIT));
                sender.awaitSuccess(LIMIT);
                assertEquals(Integer.MIN_VALUE, rx.receiveNow(buffer.clear()), "more than was sent");
                assertEquals(0, rx.missedWakeups(), "sleeps the peer sender never woke");
            } finally {
                OneToOneChannel.unlink(name);
            }
        }
    }

    private static void killedSender(PeerStart peer) throws Exception {
        String name = freshName();
        try (OneToOneChannel ch = OneToOneChannel.create(name, 1 << 16)) {
            RingReceiver rx = ch.receiver();
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            int i = 0;
            try (Peers sender = peer.start(name)) {
                assertEquals("ready", sender.nextLine(LIMIT));
                for (; i < 10_000; i++) {
                    check(rx.receive(buffer.clear(), LIMIT), buffer.flip(), i);
                }
            } // SIGKILL, mid-stream
            try {
                for (; ; i++) { // every message it committed, in order, intact; then it is seen dead
                    check(rx.receive(buffer.clear(), LIMIT), buffer.flip(), i);
                }
            } catch (PeerDeadException expected) {
                assertTrue(expected.getMessage().contains("died and nothing is left to read"), expected.getMessage());
            } finally {
                OneToOneChannel.unlink(name);
            }
            assertTrue(i >= 10_000, "received " + i);
        }
    }

    @SuppressWarnings("try") // the channel only needs to exist while the peers use it
    private static void killedJavaSender(PeerStart peer) throws Exception {
        String name = freshName();
        try (OneToOneChannel ch = OneToOneChannel.create(name, 1 << 16)) {
            try (Peers receiver = peer.start(name);
                 ChildJvm.Running sender = ChildJvm.of(SendForever.class, name).start()) {
                assertEquals("ready", receiver.nextLine(LIMIT));
                sender.awaitLine(line -> line.equals("sent 10000"), LIMIT);
                sender.process().kill();
                Matcher m = Pattern.compile("sender dead after (\\d+) checksum (\\d+)").matcher(receiver.nextLine(LIMIT));
                assertTrue(m.matches(), m.toString());
                long received = Long.parseLong(m.group(1));
                assertTrue(received >= 10_000, "received " + received);
                long checksum = 0;
                ByteBuffer buffer = ByteBuffer.allocate(256);
                for (int i = 0; i < received; i++) {
                    checksum += fill(buffer, i);
                }
                assertEquals(checksum, Long.parseLong(m.group(2)), "the checksum of the first " + received);
                receiver.awaitSuccess(LIMIT);
            } finally {
                OneToOneChannel.unlink(name);
            }
        }
    }

    /** Child: the sender of channel args[0], forever; says when 10,000 messages are in. */
    public static final class SendForever {
        public static void main(String[] args) throws Exception {
            try (OneToOneChannel ch = OneToOneChannel.open(args[0])) {
                OneToOneChannel.Sender tx = ch.sender();
                ByteBuffer buffer = ByteBuffer.allocate(256);
                for (int i = 0; ; i++) {
                    fill(buffer, i);
                    tx.send(i % 1000, buffer, Duration.ofSeconds(60));
                    if (i == 9_999) {
                        System.out.println("sent 10000");
                    }
                }
            }
        }
    }

    // ---- many-to-one: message i of producer p is type p, its sequence i (4 bytes), then the pattern of p ----

    private static final int PER_PRODUCER = 30_000;

    @Test
    void manyToOneCAndPythonSendersBesideAJavaSenderToAJavaReceiver() throws Exception {
        String name = freshName();
        try (ManyToOneChannel ch = ManyToOneChannel.create(name, 1 << 16)) {
            RingReceiver rx = ch.receiver();
            try (Peers one = Peers.c("channel_peer", "m2o-send", name, String.valueOf(PER_PRODUCER), "1");
                 Peers two = Peers.c("channel_peer", "m2o-send", name, String.valueOf(PER_PRODUCER), "2");
                 Peers three = Peers.python("channel_peer", "ctypes", "python3", "m2o-send", name,
                         String.valueOf(PER_PRODUCER), "3")) {
                Thread java = Thread.ofPlatform().start(() -> sendAsProducer(ch, 0));
                long[] checksums = new long[4];
                int[] next = new int[4];
                ByteBuffer buffer = ByteBuffer.allocate(8192);
                for (int m = 0; m < 4 * PER_PRODUCER; m++) {
                    int producer = rx.receive(buffer.clear(), LIMIT);
                    checksums[producer] += checkTagged(buffer.flip(), producer, next[producer]++);
                }
                java.join(LIMIT.toMillis());
                assertEquals("sent " + PER_PRODUCER + " checksum " + checksums[1], one.nextLine(LIMIT));
                assertEquals("sent " + PER_PRODUCER + " checksum " + checksums[2], two.nextLine(LIMIT));
                assertEquals("sent " + PER_PRODUCER + " checksum " + checksums[3], three.nextLine(LIMIT));
                one.awaitSuccess(LIMIT);
                two.awaitSuccess(LIMIT);
                three.awaitSuccess(LIMIT);
                assertEquals(Integer.MIN_VALUE, rx.receiveNow(buffer.clear()), "more than was sent");
                assertEquals(0, rx.lostMessages());
                assertEquals(0, rx.missedWakeups(), "sleeps the senders never woke");
            } finally {
                ManyToOneChannel.unlink(name);
            }
        }
    }

    @Test
    void manyToOneJavaSendersToACReceiver() throws Exception {
        manyToOneJavaSendersTo(name -> Peers.c("channel_peer", "m2o-receive", name, String.valueOf(2 * PER_PRODUCER),
                "2"));
    }

    @Test
    void manyToOneJavaSendersToAPythonReceiver() throws Exception {
        manyToOneJavaSendersTo(name -> Peers.python("channel_peer", "mmap", "python3", "m2o-receive", name,
                String.valueOf(2 * PER_PRODUCER), "2"));
    }

    private static void manyToOneJavaSendersTo(PeerStart peer) throws Exception {
        String name = freshName();
        try (ManyToOneChannel ch = ManyToOneChannel.create(name, 1 << 16)) {
            try (Peers receiver = peer.start(name)) {
                assertEquals("ready", receiver.nextLine(LIMIT));
                long[] checksums = new long[2];
                Thread[] senders = new Thread[2];
                for (int p = 0; p < 2; p++) {
                    int producer = p;
                    senders[p] = Thread.ofPlatform().start(() -> checksums[producer] = sendAsProducer(ch, producer));
                }
                for (Thread t : senders) {
                    t.join(LIMIT.toMillis());
                }
                assertEquals("received " + 2 * PER_PRODUCER + " checksum " + (checksums[0] + checksums[1]),
                        receiver.nextLine(LIMIT));
                receiver.awaitSuccess(LIMIT);
            } finally {
                ManyToOneChannel.unlink(name);
            }
        }
    }

    /** Sends this producer's messages from the calling thread; returns the sum of their pattern bytes. */
    private static long sendAsProducer(ManyToOneChannel ch, int producer) {
        ManyToOneChannel.Sender tx = ch.sender();
        ByteBuffer buffer = ByteBuffer.allocate(256);
        long checksum = 0;
        try {
            for (int i = 0; i < PER_PRODUCER; i++) {
                checksum += fillTagged(buffer, producer, i);
                tx.send(producer, buffer, LIMIT);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return checksum;
    }

    // ---- broadcast: message i is type i % 1000, its sequence i, then the pattern of producer 0 ----

    private static final int BROADCASTS = 100_000;

    @Test
    void broadcastFromJavaToCAndPythonReadersAtOnce() throws Exception {
        String name = freshName();
        try (BroadcastLog log = BroadcastLog.create(name, 1 << 20)) {
            try (Peers c = Peers.c("channel_peer", "bcast-read", name, String.valueOf(BROADCASTS));
                 Peers python = Peers.python("channel_peer", "mmap", "python3", "bcast-read", name,
                         String.valueOf(BROADCASTS))) {
                assertEquals("ready", c.nextLine(LIMIT));
                assertEquals("ready", python.nextLine(LIMIT));
                BroadcastLog.Sender writer = log.sender();
                ByteBuffer buffer = ByteBuffer.allocate(256);
                for (int i = 0; i < BROADCASTS; i++) {
                    fillTagged(buffer, 0, i);
                    writer.offer(i % 1000, buffer);
                    if ((i + 1) % 500 == 0) {
                        Thread.sleep(1); // readers in Python keep up; one lapped would report it, not fail
                    }
                }
                for (Peers reader : new Peers[] {c, python}) {
                    checkReadReport(reader.nextLine(LIMIT));
                    reader.awaitSuccess(LIMIT);
                }
            } finally {
                BroadcastLog.unlink(name);
            }
        }
    }

    @Test
    void broadcastFromCToAJavaReader() throws Exception {
        broadcastToJava(name -> Peers.c("channel_peer", "bcast-write", name, String.valueOf(BROADCASTS), "500"));
    }

    @Test
    void broadcastFromPythonToAJavaReader() throws Exception {
        broadcastToJava(name -> Peers.python("channel_peer", "mmap", "python3", "bcast-write", name,
                String.valueOf(BROADCASTS), "500"));
    }

    private static void broadcastToJava(PeerStart peer) throws Exception {
        String name = freshName();
        try (BroadcastLog log = BroadcastLog.create(name, 1 << 20)) {
            BroadcastLog.Receiver reader = log.receiver();
            try (Peers writer = peer.start(name)) {
                ByteBuffer buffer = ByteBuffer.allocate(8192);
                int last = -1;
                int read = 0;
                while (last < BROADCASTS - 1) {
                    int type = reader.receive(buffer.clear(), LIMIT);
                    buffer.flip();
                    int i = buffer.order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(0);
                    assertTrue(i > last, "message " + i + " after " + last);
                    assertEquals(i % 1000, type);
                    checkTagged(buffer, 0, i);
                    last = i;
                    read++;
                }
                assertEquals("written " + BROADCASTS, writer.nextLine(LIMIT));
                writer.awaitSuccess(LIMIT);
                assertTrue(reader.lostBytes() > 0 || read == BROADCASTS,
                        "read " + read + " of " + BROADCASTS + " with no bytes lost");
            } finally {
                BroadcastLog.unlink(name);
            }
        }
    }

    /** "read R lost L": every message read was intact and in order (the peer checked); none lost means all. */
    private static void checkReadReport(String line) {
        Matcher m = Pattern.compile("read (\\d+) lost (\\d+)").matcher(line);
        assertTrue(m.matches(), line);
        long read = Long.parseLong(m.group(1));
        long lost = Long.parseLong(m.group(2));
        assertTrue(read > 0 && (lost > 0 || read == BROADCASTS), line);
    }

    /** Sequence number, then (i * 7919) % 200 bytes (p * 31 + i + k) &amp; 0xff; returns the pattern's sum. */
    static long fillTagged(ByteBuffer buffer, int producer, int i) {
        buffer.clear().order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(i);
        int length = (int) ((i * 7919L) % 200);
        long sum = 0;
        for (int k = 0; k < length; k++) {
            byte b = (byte) (producer * 31 + i + k);
            buffer.put(b);
            sum += b & 0xff;
        }
        buffer.flip();
        return sum;
    }

    private static long checkTagged(ByteBuffer message, int producer, int i) {
        message.order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(i, message.getInt(), "sequence of producer " + producer);
        assertEquals((int) ((i * 7919L) % 200), message.remaining(), "length of message " + i);
        long sum = 0;
        for (int k = 0; message.hasRemaining(); k++) {
            byte b = message.get();
            assertEquals((byte) (producer * 31 + i + k), b, "byte " + k + " of message " + i + " of " + producer);
            sum += b & 0xff;
        }
        return sum;
    }

    /** Message {@code i} into {@code buffer}, flipped for sending; returns the sum of its bytes. */
    static long fill(ByteBuffer buffer, int i) {
        buffer.clear();
        int length = (int) ((i * 7919L) % 200);
        long sum = 0;
        for (int k = 0; k < length; k++) {
            byte b = (byte) (i + k);
            buffer.put(b);
            sum += b & 0xff;
        }
        buffer.flip();
        return sum;
    }

    /** Checks that {@code message} of {@code type} is message {@code i}; returns the sum of its bytes. */
    private static long check(int type, ByteBuffer message, int i) {
        assertEquals(i % 1000, type, "type of message " + i);
        assertEquals((int) ((i * 7919L) % 200), message.remaining(), "length of message " + i);
        long sum = 0;
        for (int k = 0; message.hasRemaining(); k++) {
            byte b = message.get();
            assertEquals((byte) (i + k), b, "byte " + k + " of message " + i);
            sum += b & 0xff;
        }
        return sum;
    }

    private static String freshName() {
        return "/ipc4j-peer-" + ProcessHandle.current().pid() + "-" + NAMES.incrementAndGet();
    }
}
