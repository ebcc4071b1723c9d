package io.ipc4j.kv;

/**
 * Arrays for the short arguments of read-only requests, handed out again request after request, so that a
 * GET or an HGET parses without allocating (its key's bytes were a new array each time: a JFR allocation
 * profile of pipelined GETs put them, and the Key over them, at all of the request path's garbage).
 *
 * <p>Safe because a read-only command keeps nothing of its arguments once it has replied: it stores nothing,
 * and replies copy arguments this short (only bulk strings of 4 KiB and more go out by reference). Commands
 * that keep their arguments (MULTI's queue) copy short ones first. A request's arrays are reused once the
 * next request starts, which is after the request has run. At most {@link #PER_LENGTH} arrays of each length
 * up to {@link #MAX_LENGTH}; beyond that an argument gets its own array, as before. One per connection.
 */
final class ArgumentPool {
    /** The longest argument pooled. */
    static final int MAX_LENGTH = 64;
    /** Arrays kept per length (a request with more arguments of one length allocates the rest). */
    static final int PER_LENGTH = 16;

    private final byte[][][] arrays = new byte[MAX_LENGTH + 1][][];
    private final int[] used = new int[MAX_LENGTH + 1];

    /** A new request: every array may be handed out again. */
    void reset() {
        java.util.Arrays.fill(used, 0);
    }

    /** An array of {@code length} for this request, or null if it is too long or this length's are all out. */
    byte[] take(int length) {
        if (length > MAX_LENGTH || used[length] == PER_LENGTH) {
            return null;
        }
        byte[][] ofLength = arrays[length];
        if (ofLength == null) {
            ofLength = new byte[PER_LENGTH][];
            arrays[length] = ofLength;
        }
        int slot = used[length]++;
        if (ofLength[slot] == null) {
            ofLength[slot] = new byte[length];
        }
        return ofLength[slot];
    }

    /** A copy of {@code arg} if it may be a pooled array (for what keeps arguments past their request). */
    static byte[] keepable(byte[] arg) {
        return arg.length <= MAX_LENGTH ? arg.clone() : arg;
    }
}
