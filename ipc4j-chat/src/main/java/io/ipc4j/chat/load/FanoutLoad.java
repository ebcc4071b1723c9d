package io.ipc4j.chat.load;

import io.ipc4j.event.EventLoop;
import io.ipc4j.event.Interest;
import io.ipc4j.event.Registration;
import io.ipc4j.inspect.ProcessCpu;
import io.ipc4j.socket.ReceiveBatch;
import io.ipc4j.socket.StreamSocket;
import io.ipc4j.socket.UnixEndpoint;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * ipc4j-chat's own load test: one sender, N receiving connections on one event loop, every delivery timed. It
 * measures a running ipc4j-chat server ({@link #chat}), or PUBLISH/SUBSCRIBE the same way ({@link
 * #publishSubscribe}: redis-server, ipc4j-kv), so the two compare like for like; {@code ipc4j chat load} starts
 * the servers, alternates them over rounds and prints the medians. One run per call; not thread-safe.
 */
public final class FanoutLoad {
    /**
     * What one run does.
     *
     * @param clients  receiving connections
     * @param messages messages sent
     * @param window   most messages ahead of the slowest receiver
     * @param size     message text bytes
     * @param warmUp   messages at the start left out of every figure
     * @param readers  receiving threads (the sender's and {@code readers - 1} more), 1 to {@link #MOST_READERS}
     */
    public record Settings(int clients, int messages, int window, int size, int warmUp, int readers) {
        /** The most receiving threads a run may have. */
        public static final int MOST_READERS = 8;

        /** Checks the thread count. */
        public Settings {
            if (readers < 1 || readers > MOST_READERS) {
                throw new IllegalArgumentException("1 to " + MOST_READERS + " receiving threads, not " + readers);
            }
        }
    }

    /**
     * One run's outcome, counted from the end of the warm-up.
     *
     * @param system         what was measured, for the report
     * @param deliveries     messages delivered to receivers
     * @param elapsed        how long that took
     * @param latencyNanos   each delivery's latency, send to receipt
     * @param serverCpuNanos the server's CPU time meanwhile
     */
    public record Outcome(String system, long deliveries, Duration elapsed, Histogram latencyNanos,
            long serverCpuNanos) {
        /** {@return deliveries per second} */
        public double perSecond() {
            return deliveries / (elapsed.toNanos() / 1e9);
        }

        /** {@return the server's CPU time per delivery, in nanoseconds} */
        public double serverNanosPerDelivery() {
            return (double) serverCpuNanos / deliveries;
        }
    }

    private FanoutLoad() {
    }

    /**
     * Measures the ipc4j-chat server listening on {@code socket}: N members join, one more sends.
     *
     * @param socket    the server's Unix socket
     * @param serverPid its pid, for its CPU time
     * @param settings  what the run does
     * @param system    what is measured, for the report
     * @return the run's figures
     * @throws IOException if a connection fails, or the run does not finish in 10 minutes
     */
    public static Outcome chat(Path socket, long serverPid, Settings settings, String system) throws IOException {
        Fanout fanout = new Fanout(settings.clients(), settings.messages(), settings.warmUp(), settings.readers());
        for (int i = 0; i < settings.clients(); i++) {
            fanout.add(connect(socket), "r" + i + "\n");
        }
        fanout.awaitJoined("*** you are r");
        try (StreamSocket sender = connect(socket)) {
            write(sender, "sender\n");
            return fanout.run(system, serverPid, settings.window(), Message.of("", settings.size(), "\n"),
                    message -> sender.write(message));
        }
    }

    /**
     * Measures PUBLISH/SUBSCRIBE on any server speaking Redis's protocol (ipc4j-kv, redis-server).
     *
     * @param socket    the server's Unix socket
     * @param serverPid its pid, for its CPU time
     * @param settings  what the run does
     * @param system    what is measured, for the report
     * @return the run's figures
     * @throws IOException if a connection fails, or the run does not finish in 10 minutes
     */
    public static Outcome publishSubscribe(Path socket, long serverPid, Settings settings, String system)
            throws IOException {
        Fanout fanout = new Fanout(settings.clients(), settings.messages(), settings.warmUp(), settings.readers());
        byte[] subscribe = "*2\r\n$9\r\nSUBSCRIBE\r\n$4\r\nchat\r\n".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < settings.clients(); i++) {
            fanout.add(connect(socket), new String(subscribe, StandardCharsets.US_ASCII));
        }
        fanout.awaitJoined(":1");
        try (StreamSocket publisher = connect(socket)) {
            Message publish = Message.of("*3\r\n$7\r\nPUBLISH\r\n$4\r\nchat\r\n$"
                    + Message.textBytes(settings.size()) + "\r\n", settings.size(), "\r\n");
            return fanout.run(system, serverPid, settings.window(), publish, message -> {
                publisher.write(message);
                drain(publisher);
            });
        }
    }

    /** The receiving side: one selector over every receiving connection, timing each delivery. */
    private static final class Fanout {
        private static final int BATCH = 256;
        private static final int SLOT = 16 * 1024;
        private final int clients;
        private final int messages;
        /** Messages at the start left out: the figures count from when every receiver has had them all. */
        private final int warmUp;
        /** The last message each receiver has had; written by its group's thread, read by the sender. */
        private final java.util.concurrent.atomic.AtomicLongArray received;
        private final LineState[] states;
        private final List<StreamSocket> channels = new ArrayList<>();
        private final List<StringBuilder> partial = new ArrayList<>();
        /** Each receiver's reads while it joins (the measured reads go to each group's slots). */
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(256 * 1024);
        /** Receiver i reads on group i % groups.length; group 0 on the sender's thread, each other on its own. */
        private final Group[] groups;
        /** Set while the sender waits in its select: a group that moves a receiver on wakes it. */
        private volatile boolean senderWaiting;
        private volatile boolean finished;

        Fanout(int clients, int messages, int warmUp, int readers) throws IOException {
            this.groups = new Group[readers];
            this.clients = clients;
            this.messages = messages;
            this.warmUp = warmUp;
            this.received = new java.util.concurrent.atomic.AtomicLongArray(clients);
            this.states = new LineState[clients];
            for (int i = 0; i < clients; i++) {
                states[i] = new LineState();
                received.set(i, -1);
            }
            for (int g = 0; g < readers; g++) {
                groups[g] = new Group();
            }
        }

        void add(StreamSocket ch, String hello) throws IOException {
            write(ch, hello);
            groups[channels.size() % groups.length].loop.register(ch, Interest.READ, io.ipc4j.event.Trigger.LEVEL,
                    (Object) channels.size());
            channels.add(ch);
            partial.add(new StringBuilder());
        }

        /** Waits until every receiver has seen a line starting with {@code marker} (its join is confirmed). */
        void awaitJoined(String marker) throws IOException {
            boolean[] joined = new boolean[clients];
            int count = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (count < clients) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("only " + count + " of " + clients + " receivers joined in 120 s");
                }
                for (Group group : groups) {
                    group.loop.select(Duration.ofMillis(20));
                    for (Registration key : group.loop.ready()) {
                        int i = (Integer) key.attachment();
                        for (String line : lines(i)) {
                            if (!joined[i] && line.startsWith(marker)) {
                                joined[i] = true;
                                count++;
                            }
                        }
                    }
                }
            }
        }

        interface Sender {
            /** Writes {@code message}, all of it, from its position to its limit. */
            void send(ByteBuffer message) throws IOException;
        }

        /**
         * Sends every message, keeping at most {@code window} ahead of the slowest receiver, until every receiver
         * has all. The figures start once every receiver has had the warm-up messages: deliveries, time and server
         * CPU from then on, and the latency of each later message.
         */
        Outcome run(String system, long serverPid, int window, Message message, Sender sender) throws IOException {
            List<Thread> helpers = new ArrayList<>();
            for (int g = 1; g < groups.length; g++) {
                Group group = groups[g];
                helpers.add(Thread.ofPlatform().name("fanout-receiver-" + g).start(group::receiveUntilFinished));
            }
            try {
                return send(system, serverPid, window, message, sender);
            } finally {
                finished = true;
                for (int g = 1; g < groups.length; g++) {
                    groups[g].loop.wakeup();
                }
                for (Thread t : helpers) {
                    try {
                        t.join(TimeUnit.SECONDS.toMillis(10));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                for (StreamSocket ch : channels) {
                    ch.close();
                }
                for (Group group : groups) {
                    group.close();
                }
            }
        }

        private Outcome send(String system, long serverPid, int window, Message message, Sender sender)
                throws IOException {
            Group own = groups[0];
            long start = System.nanoTime();
            long measuredFrom = warmUp == 0 ? start : -1;
            ProcessCpu.Sample cpuAtStart = warmUp == 0 ? ProcessCpu.sample(serverPid) : null;
            long deliveriesBefore = 0;
            long next = 0;
            while (deliveries() < (long) clients * messages) {
                while (next < messages && next - slowest() <= window) {
                    sender.send(message.stamped(next, System.nanoTime()));
                    next++;
                }
                senderWaiting = true; // then look again: a group that moved on before it saw the flag is seen here
                boolean selected = false;
                if (!(next < messages && next - slowest() <= window) && deliveries() < (long) clients * messages) {
                    own.loop.select(Duration.ofMillis(10));
                    selected = true;
                }
                senderWaiting = false;
                if (selected) {
                    own.deliverReady(own.loop.ready());
                }
                for (Group group : groups) {
                    if (group.failure != null) {
                        throw group.failure;
                    }
                }
                if (measuredFrom < 0 && slowest() >= warmUp - 1) {
                    measuredFrom = System.nanoTime();
                    cpuAtStart = ProcessCpu.sample(serverPid);
                    deliveriesBefore = deliveries();
                }
                if (System.nanoTime() - start > TimeUnit.MINUTES.toNanos(10)) {
                    throw new IOException(system + ": only " + deliveries() + " deliveries in 10 minutes");
                }
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - measuredFrom);
            long serverCpu = ProcessCpu.sample(serverPid).nanosSince(cpuAtStart);
            finished = true;
            Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            for (Group group : groups) {
                group.awaitStopped();
                latency.add(group.latency);
            }
            return new Outcome(system, deliveries() - deliveriesBefore, elapsed, latency, serverCpu);
        }

        private long deliveries() {
            long sum = 0;
            for (Group group : groups) {
                sum += group.published;
            }
            return sum;
        }

        private long slowest() {
            long min = Long.MAX_VALUE;
            for (int i = 0; i < clients; i++) {
                min = Math.min(min, received.get(i));
            }
            return min;
        }

        /**
         * The receivers one thread reads: its own loop, batch and slots, latency histogram and delivery count
         * (published after each batch for the sender to read).
         */
        private final class Group {
            final EventLoop loop = EventLoop.open(4096);
            /** The receives of one batch, {@link #SLOT} bytes of {@link #room} each. */
            final ReceiveBatch batch = ReceiveBatch.open(BATCH);
            final ByteBuffer room = ByteBuffer.allocateDirect(BATCH * SLOT).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            /** The receiver of each entry of the batch. */
            final int[] slotOwner = new int[BATCH];
            final Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            final CountDownLatch stopped = new CountDownLatch(1);
            long deliveries;
            volatile long published;
            volatile IOException failure;

            Group() throws IOException {
            }

            /** A helper group's thread: reads its receivers until the run is over. */
            void receiveUntilFinished() {
                try {
                    while (!finished) {
                        loop.select(Duration.ofMillis(10));
                        deliverReady(loop.ready());
                    }
                } catch (IOException | RuntimeException e) {
                    failure = e instanceof IOException io ? io : new IOException(e);
                    groups[0].loop.wakeup();
                } finally {
                    stopped.countDown();
                }
            }

            void awaitStopped() {
                if (this == groups[0]) {
                    return;
                }
                loop.wakeup();
                try {
                    stopped.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            void close() {
                loop.close();
                batch.close();
            }

            /**
             * Reads what the ready receivers have, a batch of them with one system call ({@link ReceiveBatch}: on an
             * io_uring where the kernel allows it), and records each delivery: the receiving side must cost less than
             * the servers it measures, or it measures itself (one read per receiver cost it about 1 µs of kernel entry
             * each on this project's VM; a byte-at-a-time scan once took more CPU per delivery than ipc4j-chat's
             * server). Every delivery in one batch is timed by one clock reading, taken when the batch returns. A
             * receiver with more than its slot's worth is ready again at the next select.
             */
            private void deliverReady(List<Registration> ready) throws IOException {
                for (int r = 0; r < ready.size(); ) {
                    for (; r < ready.size() && !batch.isFull(); r++) {
                        int i = (Integer) ready.get(r).attachment();
                        batch.add(channels.get(i), room, batch.size() * SLOT, SLOT);
                        slotOwner[batch.size() - 1] = i;
                    }
                    batch.receive();
                    long now = System.nanoTime();
                    for (int j = 0; j < batch.size(); j++) {
                        if (batch.failure(j) != null) {
                            throw batch.failure(j);
                        }
                        int n = batch.received(j);
                        if (n < 0) {
                            throw new IOException("receiver " + slotOwner[j] + ": the server closed the connection");
                        }
                        parse(slotOwner[j], j * SLOT, j * SLOT + n, now);
                    }
                    batch.clear();
                }
                published = deliveries;
                if (senderWaiting && this != groups[0]) {
                    senderWaiting = false;
                    groups[0].loop.wakeup();
                }
            }

            /**
             * Records the deliveries in {@code room[from, to)}, receiver {@code i}'s latest bytes. A delivery is a
             * line "m SEQ NANOS ..." (Redis's payload line) or "&lt;sender&gt; m SEQ NANOS ..." (a chat line). Only a
             * line's head is parsed; past it, or in a line that is no delivery, the scan jumps to the newline eight
             * bytes at a time. A line may span reads, so each receiver keeps the state of its current line.
             */
            private void parse(int i, int from, int to, long now) {
                LineState state = states[i];
                int k = from;
                while (k < to) {
                    if (state.column == 0 && to - k >= LineState.HEAD_MOST) {
                        k = state.head(room, k);
                    }
                    if (state.parsed()) {
                        k = newline(room, k, to);
                        if (k == to) {
                            break;
                        }
                    }
                    byte c = room.get(k++);
                    if (c != '\n') {
                        state.accept(c);
                    } else {
                        if (state.fields >= 3) {
                            if (state.seq >= warmUp) {
                                latency.recordValue(Math.max(0, Math.min(now - state.nanos,
                                        latency.getHighestTrackableValue())));
                            }
                            received.lazySet(i, state.seq);
                            deliveries++;
                        }
                        state.reset();
                    }
                }
            }
        }

        private static final long NEWLINES = 0x0a0a0a0a0a0a0a0aL;
        private static final long LOW_BITS = 0x0101010101010101L;
        private static final long HIGH_BITS = 0x8080808080808080L;

        /** The index of the first '\n' in {@code bytes} from {@code from} up to {@code limit}, or {@code limit}. */
        private static int newline(ByteBuffer bytes, int from, int limit) {
            int k = from;
            for (; k + Long.BYTES <= limit; k += Long.BYTES) {
                long x = bytes.getLong(k) ^ NEWLINES; // a zero byte where a newline was
                long zeros = (x - LOW_BITS) & ~x & HIGH_BITS; // the lowest set bit marks the first one exactly
                if (zeros != 0) {
                    return k + Long.numberOfTrailingZeros(zeros) / Byte.SIZE;
                }
            }
            for (; k < limit; k++) {
                if (bytes.get(k) == '\n') {
                    return k;
                }
            }
            return limit;
        }

        /**
         * Where a receiver is in its current line: which field, and the numbers so far. A delivery's text is "m
         * SEQ NANOS pad", its numbers with leading zeros to fixed widths, so that its head is parsed at fixed
         * places eight digits at a time ({@link #head}); any other form goes through the general parser.
         */
        private static final class LineState {
            private static final byte[] CHAT_PREFIX = "<sender> ".getBytes(StandardCharsets.US_ASCII);
            /** "&lt;sender&gt;" read as a little-endian long. */
            private static final long CHAT_PREFIX_LONG = ByteBuffer.wrap(CHAT_PREFIX)
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0);
            private static final int SEQ_DIGITS = Message.SEQ_DIGITS;
            private static final int NANOS_DIGITS = Message.NANOS_DIGITS;
            /** Eight ASCII zeros. */
            private static final long ZEROS = 0x3030303030303030L;
            private static final long EIGHT_DIGITS = 100_000_000L;
            int column;
            int fields; // 0: before "m", 1: in "m", 2: in SEQ, 3: in NANOS, 4: past it; -1: not a delivery
            boolean chat;
            long seq;
            long nanos;

            /** The most bytes a delivery's head takes: the chat prefix, "m ", two 19-digit numbers, a space. */
            static final int HEAD_MOST = 64;

            /**
             * Parses the head of the line starting at {@code k} in place, all of it being in {@code bytes}; the
             * byte-at-a-time {@link #accept} would cost most of the receiving side's CPU. Returns the index of the
             * first byte it did not take: the one ending NANOS, or the first that shows the line is not a
             * delivery. A head longer than {@link #HEAD_MOST} is left to {@link #accept} (returns {@code k}).
             */
            int head(ByteBuffer bytes, int k) {
                int fixed = fixedHead(bytes, k);
                return fixed >= 0 ? fixed : generalHead(bytes, k);
            }

            /**
             * Parses a head of the tool's own fixed form at {@code k} (within {@link #HEAD_MOST} bytes, all in
             * {@code bytes}, which is little-endian): as {@link #head}, or -1 if the line has another form.
             */
            private int fixedHead(ByteBuffer bytes, int k) {
                int p = k;
                if (bytes.getLong(p) == CHAT_PREFIX_LONG && bytes.get(p + 8) == ' ') {
                    p += CHAT_PREFIX.length;
                }
                int seqAt = p + 2;
                int nanosAt = seqAt + SEQ_DIGITS + 1;
                if (bytes.get(p) != 'm' || bytes.get(p + 1) != ' ' || bytes.get(nanosAt - 1) != ' ') {
                    return -1;
                }
                byte end = bytes.get(nanosAt + NANOS_DIGITS);
                // SEQ is 2 + 8 digits, NANOS 3 + 8 + 8: each short front is made eight digits with leading zeros
                long seqFront = ZEROS >>> 16 | (long) bytes.getShort(seqAt) << 48;
                long seqBack = bytes.getLong(seqAt + 2);
                long nanosFront = ZEROS >>> 24 | (bytes.getInt(nanosAt) & 0xffffffL) << 40;
                long nanosMiddle = bytes.getLong(nanosAt + 3);
                long nanosBack = bytes.getLong(nanosAt + 11);
                if ((end != ' ' && end != '\r' && end != '\n') || !allDigits(seqFront) || !allDigits(seqBack)
                        || !allDigits(nanosFront) || !allDigits(nanosMiddle) || !allDigits(nanosBack)) {
                    return -1;
                }
                this.seq = eightDigits(seqFront) * EIGHT_DIGITS + eightDigits(seqBack);
                this.nanos = (eightDigits(nanosFront) * EIGHT_DIGITS + eightDigits(nanosMiddle)) * EIGHT_DIGITS
                        + eightDigits(nanosBack);
                fields = 3;
                column = nanosAt + NANOS_DIGITS - k;
                return nanosAt + NANOS_DIGITS;
            }

            /** Whether the eight bytes of {@code chunk} are all ASCII digits. */
            private static boolean allDigits(long chunk) {
                return ((chunk & 0xF0F0F0F0F0F0F0F0L) | (((chunk + 0x0606060606060606L) & 0xF0F0F0F0F0F0F0F0L)
                        >>> 4)) == 0x3333333333333333L;
            }

            /** The number eight ASCII digits make, the first in the lowest byte (D. Lemire's method). */
            private static long eightDigits(long chunk) {
                long v = chunk - ZEROS;
                v = v * 10 + (v >>> 8);
                return ((v & 0x000000FF000000FFL) * (100 + (1000000L << 32))
                        + ((v >>> 16) & 0x000000FF000000FFL) * (1 + (10000L << 32))) >>> 32;
            }

            private int generalHead(ByteBuffer bytes, int k) {
                int p = k;
                if (bytes.get(p) == '<') {
                    for (byte expected : CHAT_PREFIX) {
                        if (bytes.get(p) != expected) {
                            return notDelivery(p);
                        }
                        p++;
                    }
                }
                if (bytes.get(p) != 'm') {
                    return notDelivery(p);
                }
                if (bytes.get(p + 1) != ' ') {
                    return notDelivery(p + 1);
                }
                int end = k + HEAD_MOST - 1;
                long seq = 0;
                byte c;
                for (p += 2; p < end && (c = bytes.get(p)) >= '0' && c <= '9'; p++) {
                    seq = seq * 10 + (c - '0');
                }
                if (p >= end) {
                    return k;
                }
                c = bytes.get(p);
                if (c != ' ' && c != '\r') {
                    return notDelivery(p);
                }
                long time = 0;
                for (p++; p < end && (c = bytes.get(p)) >= '0' && c <= '9'; p++) {
                    time = time * 10 + (c - '0');
                }
                if (p >= end) {
                    return k;
                }
                this.seq = seq;
                this.nanos = time;
                fields = 3;
                column = p - k;
                return p;
            }

            private int notDelivery(int at) {
                fields = -1;
                column = 1;
                return at;
            }

            /** Whether the rest of the line does not matter: past NANOS, or not a delivery. */
            boolean parsed() {
                return fields < 0 || fields >= 4;
            }

            void reset() {
                column = 0;
                fields = 0;
                chat = false;
                seq = 0;
                nanos = 0;
            }

            void accept(byte c) {
                int at = column++;
                if (fields < 0 || fields >= 4) {
                    return;
                }
                if (fields == 0) {
                    if (at == 0 && c == '<') {
                        chat = true;
                    }
                    int prefix = chat ? CHAT_PREFIX.length : 0;
                    if (chat && at < prefix) {
                        fields = c == CHAT_PREFIX[at] ? 0 : -1;
                    } else if (at == prefix) {
                        fields = c == 'm' ? 1 : -1;
                    }
                } else if (c == ' ' || c == '\r') {
                    fields++;
                } else if (c < '0' || c > '9') {
                    fields = fields == 1 ? -1 : fields; // "m" must be followed by a space
                } else if (fields == 2) {
                    seq = seq * 10 + (c - '0');
                } else if (fields == 3) {
                    nanos = nanos * 10 + (c - '0');
                }
            }
        }

        /** Complete lines now readable on receiver {@code i}. */
        private List<String> lines(int i) throws IOException {
            List<String> out = new ArrayList<>();
            StreamSocket ch = channels.get(i);
            StringBuilder part = partial.get(i);
            int n;
            while ((n = ch.readNow(buffer.clear())) > 0) {
                for (int k = 0; k < n; k++) {
                    char c = (char) (buffer.get(k) & 0xff);
                    if (c == '\n') {
                        out.add(part.toString());
                        part.setLength(0);
                    } else {
                        part.append(c);
                    }
                }
            }
            return out;
        }
    }

    /**
     * The sender's message as it goes on the wire: the protocol's framing around a delivery's text, "m SEQ NANOS "
     * with both numbers at fixed widths and then a pad of 'x' to the message size. Built once per run; each message
     * rewrites only the digits in place, so that sending allocates nothing and costs the tool little beside the
     * write (its strings and their encoding were 4% of its CPU at 100 receivers).
     */
    private static final class Message {
        static final int SEQ_DIGITS = 10;
        static final int NANOS_DIGITS = 19;
        /** The fixed head of a delivery's text: "m ", SEQ, a space, NANOS, a space. */
        static final int STAMP = 2 + SEQ_DIGITS + 1 + NANOS_DIGITS + 1;
        private final ByteBuffer bytes;
        private final int seqAt;
        private final int nanosAt;

        private Message(ByteBuffer bytes, int textAt) {
            this.bytes = bytes;
            this.seqAt = textAt + 2;
            this.nanosAt = seqAt + SEQ_DIGITS + 1;
        }

        /** The text bytes of a message asked to be {@code size}: never fewer than its {@link #STAMP}. */
        static int textBytes(int size) {
            return Math.max(size, STAMP);
        }

        /** A message of {@link #textBytes} text bytes between {@code before} and {@code after}. */
        static Message of(String before, int size, String after) {
            String text = "m " + "0".repeat(SEQ_DIGITS) + " " + "0".repeat(NANOS_DIGITS) + " "
                    + "x".repeat(textBytes(size) - STAMP);
            byte[] wire = (before + text + after).getBytes(StandardCharsets.US_ASCII);
            return new Message(ByteBuffer.allocateDirect(wire.length).put(wire).flip(), before.length());
        }

        /** {@return the message with these numbers, positioned to be written whole} */
        ByteBuffer stamped(long seq, long nanos) {
            digits(seqAt, SEQ_DIGITS, seq);
            digits(nanosAt, NANOS_DIGITS, nanos);
            return bytes.clear();
        }

        private void digits(int at, int width, long value) {
            long rest = value;
            for (int k = at + width - 1; k >= at; k--) {
                bytes.put(k, (byte) ('0' + rest % 10));
                rest /= 10;
            }
        }
    }

    private static StreamSocket connect(Path socket) throws IOException {
        return StreamSocket.connect(UnixEndpoint.path(socket));
    }

    private static void write(StreamSocket ch, String text) throws IOException {
        ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8))); // all of it, waiting for room
    }

    private static final ByteBuffer REPLIES = ByteBuffer.allocateDirect(4096);

    /** Reads and drops the publisher's integer replies so its socket never fills (one read, never waiting). */
    private static void drain(StreamSocket ch) throws IOException {
        while (ch.readNow(REPLIES.clear()) == REPLIES.capacity()) {
            // replies are ":N" subscriber counts
        }
    }
}
