package io.ipc4j.kv;

import io.ipc4j.socket.StreamSocket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * A connection's replies waiting to be written, in RESP2 or (after HELLO 3) RESP3: the aggregate, double and
 * null methods write whichever the connection speaks. Small replies are encoded into pooled chunks; large
 * values are queued by reference (stored values are never modified in place), so a big GET copies nothing.
 * Not thread-safe: owned by the connection's event loop.
 */
final class Reply {
    private static final int CHUNK = 16 * 1024;
    private static final int BY_REFERENCE = 4 * 1024;
    /** The most bytes a bulk string shorter than {@link #BY_REFERENCE} adds: "$", four digits, two CRLFs. */
    private static final int MOST_BULK_FRAMING = 1 + 4 + 2 + 2;
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL_BULK = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL_ARRAY = "*-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL3 = "_\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[][] SMALL_INTEGERS = new byte[1024][];

    static {
        for (int i = 0; i < SMALL_INTEGERS.length; i++) {
            SMALL_INTEGERS[i] = (":" + i + "\r\n").getBytes(StandardCharsets.US_ASCII);
        }
    }

    private boolean resp3;
    private final byte[] digits = new byte[20];
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    private ByteBuffer current;
    private long pending;
    private final ByteBuffer[] gather = new ByteBuffer[64];
    /** Written chunks kept for reuse, so a steady request/reply flow allocates nothing. */
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();

    Reply() {
    }

    /** A reply buffer speaking RESP3 ({@code true}) or RESP2. */
    Reply(boolean resp3) {
        this.resp3 = resp3;
    }

    boolean resp3() {
        return resp3;
    }

    void resp3(boolean on) {
        resp3 = on;
    }

    /** Bytes queued and not yet written. */
    long pending() {
        return pending;
    }

    boolean isEmpty() {
        return pending == 0;
    }

    void ok() {
        raw(OK);
    }

    void simple(String text) {
        put((byte) '+');
        ascii(text);
        raw(CRLF);
    }

    /** An error reply; {@code text} starts with its code (ERR, WRONGTYPE, OOM...). */
    void error(String text) {
        put((byte) '-');
        ascii(text.replace('\r', ' ').replace('\n', ' '));
        raw(CRLF);
    }

    void integer(long value) {
        if (value >= 0 && value < SMALL_INTEGERS.length) {
            raw(SMALL_INTEGERS[(int) value]);
            return;
        }
        put((byte) ':');
        decimal(value);
        raw(CRLF);
    }

    void bulk(byte[] value) {
        if (value == null) {
            nullBulk();
            return;
        }
        if (value.length < BY_REFERENCE && bulkInPlace(value, 0, value.length)) {
            return;
        }
        put((byte) '$');
        decimal(value.length);
        raw(CRLF);
        if (value.length >= BY_REFERENCE) {
            seal();
            queue.add(ByteBuffer.wrap(value).asReadOnlyBuffer()); // read-only: never recycled as a chunk
            pending += value.length;
        } else {
            raw(value);
        }
        raw(CRLF);
    }

    /**
     * A bulk string of {@code length} bytes of {@code source} from {@code offset}, copied now: the source (a
     * packed list's node) may change after this returns.
     */
    void bulk(byte[] source, int offset, int length) {
        if (length >= BY_REFERENCE) {
            bulk(Arrays.copyOfRange(source, offset, offset + length));
            return;
        }
        if (bulkInPlace(source, offset, length)) {
            return;
        }
        put((byte) '$');
        decimal(length);
        raw(CRLF);
        raw(source, offset, length);
        raw(CRLF);
    }

    /**
     * Writes a short bulk string straight into the current chunk's array if all of it fits there: one check of
     * room instead of one per part and per byte of its header. Most elements of a large LRANGE reply go this way
     * (building such replies part by part was three quarters of ipc4j-kv's CPU in redis-benchmark's pipelined
     * LRANGE_600). {@code length} is under {@link #BY_REFERENCE}, so its header has at most four digits.
     *
     * @return false if it did not fit, and nothing was written
     */
    private boolean bulkInPlace(byte[] source, int offset, int length) {
        ByteBuffer chunk = current;
        if (chunk == null || chunk.remaining() < length + MOST_BULK_FRAMING || !chunk.hasArray()) {
            return false;
        }
        byte[] a = chunk.array();
        int start = chunk.arrayOffset() + chunk.position();
        int p = start;
        a[p++] = '$';
        if (length >= 1000) {
            a[p++] = (byte) ('0' + length / 1000);
        }
        if (length >= 100) {
            a[p++] = (byte) ('0' + length / 100 % 10);
        }
        if (length >= 10) {
            a[p++] = (byte) ('0' + length / 10 % 10);
        }
        a[p++] = (byte) ('0' + length % 10);
        a[p++] = '\r';
        a[p++] = '\n';
        System.arraycopy(source, offset, a, p, length);
        p += length;
        a[p++] = '\r';
        a[p++] = '\n';
        chunk.position(chunk.position() + (p - start));
        pending += p - start;
        return true;
    }

    void bulk(String value) {
        bulk(value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    void nullBulk() {
        raw(resp3 ? NULL3 : NULL_BULK);
    }

    void nullArray() {
        raw(resp3 ? NULL3 : NULL_ARRAY);
    }

    void array(int length) {
        header('*', length);
    }

    /** A map of {@code pairs} key-value pairs (RESP2: an array of twice as many elements). */
    void map(int pairs) {
        if (resp3) {
            header('%', pairs);
        } else {
            header('*', pairs * 2L);
        }
    }

    /** A set of {@code length} members (RESP2: an array). */
    void set(int length) {
        header(resp3 ? '~' : '*', length);
    }

    /** An out-of-band push of {@code length} elements, such as a pub/sub message (RESP2: an array). */
    void push(int length) {
        header(resp3 ? '>' : '*', length);
    }

    /** A double (a score): RESP3's double type, or RESP2's bulk string as Redis 7.0 prints it. */
    void score(double value) {
        String text = Numbers.formatDouble(value);
        if (resp3) {
            put((byte) ',');
            ascii(text);
            raw(CRLF);
        } else {
            bulk(text);
        }
    }

    /** Bytes already encoded (a message shared by many subscribers); kept by reference when large. */
    void encoded(byte[] frame) {
        if (frame.length >= BY_REFERENCE) {
            seal();
            queue.add(ByteBuffer.wrap(frame).asReadOnlyBuffer());
            pending += frame.length;
        } else {
            raw(frame);
        }
    }

    /** Takes everything queued out as one array (a reply made on a client's behalf, to hand over). */
    byte[] drain() {
        seal();
        byte[] out = new byte[(int) pending];
        int at = 0;
        for (ByteBuffer b; (b = queue.pollFirst()) != null; ) {
            int n = b.remaining();
            b.get(out, at, n);
            at += n;
            if (!b.isReadOnly() && free.size() < 4) {
                free.add(b); // kept for the next reply: the log's replay drains one per command
            }
        }
        pending = 0;
        return out;
    }

    private void header(char type, long length) {
        put((byte) type);
        decimal(length);
        raw(CRLF);
    }

    /** Writes {@code v} in decimal without making a String (lengths and integers are in every reply). */
    private void decimal(long v) {
        if (v == Long.MIN_VALUE) {
            ascii(Long.toString(v));
            return;
        }
        if (v < 0) {
            put((byte) '-');
            v = -v;
        }
        int n = 0;
        do {
            digits[n++] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v > 0);
        while (n > 0) {
            put(digits[--n]);
        }
    }

    private void ascii(String s) {
        for (int i = 0; i < s.length(); i++) {
            put((byte) s.charAt(i));
        }
    }

    private void put(byte b) {
        if (current == null || !current.hasRemaining()) {
            newChunk();
        }
        current.put(b);
        pending++;
    }

    private void raw(byte[] bytes) {
        raw(bytes, 0, bytes.length);
    }

    private void raw(byte[] bytes, int offset, int length) {
        int at = offset;
        int end = offset + length;
        while (at < end) {
            if (current == null || !current.hasRemaining()) {
                newChunk();
            }
            int n = Math.min(end - at, current.remaining());
            current.put(bytes, at, n);
            at += n;
        }
        pending += length;
    }

    private void newChunk() {
        seal();
        ByteBuffer recycled = free.pollFirst();
        current = recycled != null ? recycled.clear() : ByteBuffer.allocate(CHUNK);
    }

    /** Ends the current chunk so that what follows is queued after it. */
    private void seal() {
        if (current != null && current.position() > 0) {
            current.flip();
            queue.add(current);
        }
        current = null;
    }

    /**
     * Writes as much as the socket takes without blocking (one send(2) per 64 KiB gathered).
     *
     * @return true if everything was written.
     */
    boolean writeTo(StreamSocket socket) throws IOException {
        seal();
        while (!queue.isEmpty()) {
            int n = 0;
            for (ByteBuffer b : queue) {
                if (n == gather.length) {
                    break;
                }
                gather[n++] = b;
            }
            long written = socket.writeNow(gather, 0, n);
            pending -= written;
            while (!queue.isEmpty() && !queue.peekFirst().hasRemaining()) {
                recycle(queue.pollFirst());
            }
            java.util.Arrays.fill(gather, 0, n, null);
            if (written == 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Copies up to {@code max} bytes of the queued replies, in order, into {@code into} from its position (which
     * moves past them), without taking them off the queue: for a batch of sends ({@code SendBatch}), after which
     * {@link #consume} drops what the socket took.
     *
     * @return how many bytes were copied
     */
    int copyTo(ByteBuffer into, int max) {
        seal();
        int copied = 0;
        for (ByteBuffer b : queue) {
            int n = Math.min(b.remaining(), max - copied);
            into.put(into.position(), b, b.position(), n);
            into.position(into.position() + n);
            copied += n;
            if (copied == max) {
                break;
            }
        }
        return copied;
    }

    /** Drops the first {@code written} queued bytes, which a send took (see {@link #copyTo}). */
    void consume(long written) {
        pending -= written;
        while (written > 0) {
            ByteBuffer head = queue.peekFirst();
            int taken = (int) Math.min(written, head.remaining());
            head.position(head.position() + taken);
            written -= taken;
            if (!head.hasRemaining()) {
                recycle(queue.pollFirst());
            }
        }
    }

    private void recycle(ByteBuffer done) {
        if (!done.isReadOnly() && free.size() < 4) {
            free.add(done);
        }
    }

    /** Drops everything queued (the connection is being closed). */
    void discard() {
        queue.clear();
        current = null;
        pending = 0;
    }
}
