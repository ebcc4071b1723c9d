package io.ipc4j.kv;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Incremental RESP2 request parser: multibulk requests ({@code *N\r\n$len\r\narg\r\n...}) and inline ones
 * ({@code PING\r\n}, as nc and redis-benchmark's PING_INLINE send). It resumes where it stopped when a request
 * arrives in pieces, so a large or slow request costs no re-parsing. Not thread-safe: one per connection.
 */
final class RespParser {
    /** A request the server must refuse; the connection is then closed, as Redis does. */
    static final class ProtocolException extends Exception {
        private static final long serialVersionUID = 1L;

        ProtocolException(String message) {
            super(message, null, false, false);
        }
    }

    static final int MAX_INLINE = 64 * 1024;
    /**
     * An argument at least this long that has not all arrived is moved out of the input buffer into a
     * {@link PartialArgument} as it arrives, so the input buffer never grows for it (Redis's PROTO_MBULK_BIG_ARG).
     */
    static final int BIG_ARG = 32 * 1024;
    /** The most the input buffer ever needs: an inline line or a count line, or a small argument, and a bit. */
    static final int MAX_BUFFER = MAX_INLINE + BIG_ARG + 64;
    /** What an argument costs beyond its bytes (array header and reference), for {@link #heldBytes}. */
    private static final int ARG_OVERHEAD = 24;

    private final long maxBulk;
    private final int maxMultibulk;
    private int expected = -1;      // arguments of the request being parsed; -1 between requests
    private int bulkLength = -1;    // length of the argument being read; -1 before its header
    /** The array type for toArray: shared, so that each request allocates its argument array only. */
    private static final byte[][] NO_ARGUMENTS = new byte[0][];
    /** The last request's argument array, reused by the next request of as many arguments. */
    private byte[][] reusable = NO_ARGUMENTS;
    private final List<byte[]> args = new ArrayList<>();
    private long argBytes;          // bytes (with overhead) of the arguments parsed so far in this request
    private PartialArgument partial; // a large argument still arriving, or null
    /** The last command name parsed, shared by the requests that repeat it (arguments are never changed). */
    private byte[] lastName = new byte[0];
    /** Arrays for the short arguments of read-only commands (see {@link ArgumentPool}). */
    private final ArgumentPool pool = new ArgumentPool();
    private final Commands.NameKey probe = new Commands.NameKey(new byte[0]);
    /** Whether the request being parsed is a read-only command's, whose short arguments come from the pool. */
    private boolean pooling;
    /** Whether {@link #lastName} names a read-only command: looked up once, not per request. */
    private boolean lastNameReadOnly;

    RespParser(long maxBulk, int maxMultibulk) {
        this.maxBulk = maxBulk;
        this.maxMultibulk = maxMultibulk;
    }

    /** Whether no request is partly parsed (the next byte starts a new one). */
    boolean idle() {
        return expected < 0 && args.isEmpty() && partial == null;
    }

    /**
     * The next whole request in {@code in} (flipped for reading; its position advances past what is used),
     * or null if it has not all arrived. An empty inline line is returned as a request of no arguments.
     */
    byte[][] next(ByteBuffer in) throws ProtocolException {
        if (expected < 0) {
            if (!in.hasRemaining()) {
                return null;
            }
            if (in.get(in.position()) != '*') {
                return inline(in);
            }
            int lineEnd = findLineEnd(in, in.position());
            if (lineEnd < 0) {
                if (in.remaining() > MAX_INLINE) {
                    throw new ProtocolException("Protocol error: too big mbulk count string");
                }
                return null;
            }
            long count = parseNumber(in, in.position() + 1, lineEnd);
            if (count == Long.MIN_VALUE || count > maxMultibulk) {
                throw new ProtocolException("Protocol error: invalid multibulk length");
            }
            in.position(lineEnd + 2);
            if (count <= 0) {
                return NO_ARGUMENTS;
            }
            expected = (int) count;
        }
        while (args.size() < expected) {
            if (bulkLength < 0) {
                if (!in.hasRemaining()) {
                    return null;
                }
                if (in.get(in.position()) != '$') {
                    throw new ProtocolException("Protocol error: expected '$', got '" + (char) in.get(in.position()) + "'");
                }
                int lineEnd = findLineEnd(in, in.position());
                if (lineEnd < 0) {
                    if (in.remaining() > MAX_INLINE) {
                        throw new ProtocolException("Protocol error: too big bulk count string");
                    }
                    return null;
                }
                long length = parseNumber(in, in.position() + 1, lineEnd);
                if (length < 0 || length > maxBulk) {
                    throw new ProtocolException("Protocol error: invalid bulk length");
                }
                in.position(lineEnd + 2);
                bulkLength = (int) length;
            }
            byte[] arg = argument(in);
            if (arg == null) {
                return null;
            }
            if (in.get() != '\r' || in.get() != '\n') {
                throw new ProtocolException("Protocol error: bulk string not terminated by CRLF");
            }
            args.add(arg);
            argBytes += arg.length + ARG_OVERHEAD;
            bulkLength = -1;
        }
        // the same array for every request of this size: a request is run before the next is parsed, and what
        // keeps one longer (MULTI's queue, a blocked client) keeps a copy
        if (reusable.length != args.size()) {
            reusable = new byte[args.size()][];
        }
        byte[][] request = args.toArray(reusable);
        args.clear();
        argBytes = 0;
        expected = -1;
        return request;
    }

    /**
     * The argument being read once all of it and its CRLF are in {@code in} (positioned at the CRLF), else
     * null. A large one is taken out of {@code in} as it arrives, so memory follows what arrived, not what the
     * header declared.
     */
    private byte[] argument(ByteBuffer in) {
        if (partial == null && in.remaining() >= bulkLength + 2) {
            if (args.isEmpty()) {
                return name(in);
            }
            byte[] arg = pooling ? pool.take(bulkLength) : null;
            if (arg == null) {
                arg = new byte[bulkLength];
            }
            in.get(arg);
            return arg;
        }
        if (partial == null) {
            if (bulkLength < BIG_ARG) {
                return null;
            }
            partial = new PartialArgument(bulkLength);
        }
        partial.take(in);
        if (partial.missing() > 0 || in.remaining() < 2) {
            return null;
        }
        byte[] arg = partial.join();
        partial = null;
        return arg;
    }

    /**
     * The command name, the request's first argument: the last one's array if it is the same (a connection
     * mostly repeats a few commands: their names cost nothing); it decides whether the rest are pooled.
     */
    private byte[] name(ByteBuffer in) {
        pool.reset();
        if (sameAsLastName(in)) {
            in.position(in.position() + bulkLength);
            pooling = lastNameReadOnly;
            return lastName;
        }
        byte[] name = new byte[bulkLength];
        in.get(name);
        pooling = Commands.readOnly(probe.set(name));
        if (bulkLength <= 32) {
            lastName = name;
            lastNameReadOnly = pooling;
        }
        return name;
    }

    private boolean sameAsLastName(ByteBuffer in) {
        if (lastName.length != bulkLength) {
            return false;
        }
        int at = in.position();
        for (int i = 0; i < bulkLength; i++) {
            if (in.get(at + i) != lastName[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Bytes this parser holds for the request it has not finished: the arguments parsed so far and the part of
     * a large argument that has arrived. Never more than what arrived plus one {@link PartialArgument#CHUNK}.
     */
    long heldBytes() {
        return argBytes + (partial == null ? 0 : partial.heldBytes());
    }

    /** Forgets the unfinished request (its connection is closing), releasing what it held. */
    void discard() {
        args.clear();
        argBytes = 0;
        partial = null;
        expected = -1;
        bulkLength = -1;
    }

    private byte[][] inline(ByteBuffer in) throws ProtocolException {
        int newline = -1;
        for (int i = in.position(); i < in.limit(); i++) {
            if (in.get(i) == '\n') {
                newline = i;
                break;
            }
        }
        if (newline < 0) {
            if (in.remaining() > MAX_INLINE) {
                throw new ProtocolException("Protocol error: too big inline request");
            }
            return null;
        }
        int end = newline > in.position() && in.get(newline - 1) == '\r' ? newline - 1 : newline;
        List<byte[]> words = InlineSplitter.split(in, in.position(), end);
        in.position(newline + 1);
        return words.toArray(NO_ARGUMENTS);
    }

    private static int findLineEnd(ByteBuffer in, int from) {
        for (int i = from; i < in.limit() - 1; i++) {
            if (in.get(i) == '\r' && in.get(i + 1) == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** The decimal number in [from, to), or Long.MIN_VALUE if it is not one. */
    private static long parseNumber(ByteBuffer in, int from, int to) {
        if (from >= to || to - from > 19) {
            return Long.MIN_VALUE;
        }
        boolean negative = in.get(from) == '-';
        long value = 0;
        for (int i = negative ? from + 1 : from; i < to; i++) {
            int d = in.get(i) - '0';
            if (d < 0 || d > 9) {
                return Long.MIN_VALUE;
            }
            value = value * 10 + d;
        }
        return negative ? -value : value;
    }
}
