package io.ipc4j.kv;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Random picks for HRANDFIELD, SRANDMEMBER and ZRANDMEMBER: Redis's count convention. */
final class Sampling {
    /** The fewest bytes an element of such a reply takes ("$0\r\n\r\n"). */
    private static final int SMALLEST_ELEMENT = 6;

    private Sampling() {
    }

    /**
     * A negative count asks for that many picks, repeats allowed, whatever the value's size: refused when even
     * the smallest elements would pass the client's output limit (the client would be disconnected anyway,
     * after the server had spent the memory and the time). Redis builds such a reply.
     */
    static void checkRepeats(Call c, long count) throws KvError {
        long limit = c.server.config.outputLimit();
        if (count < 0 && -count > limit / SMALLEST_ELEMENT) {
            throw new KvError("ERR a reply of " + -count + " elements would pass the client output limit of "
                    + limit + " bytes: ask for fewer");
        }
    }

    /**
     * Adds to {@code out} up to {@code count} distinct elements of {@code from} when count is positive, or
     * exactly {@code -count} elements, repeats allowed, when it is negative.
     */
    static <T> void pick(List<T> from, long count, List<T> out) {
        if (from.isEmpty() || count == 0) {
            return;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (count < 0) {
            for (long i = 0; i < -count; i++) {
                out.add(from.get(random.nextInt(from.size())));
            }
            return;
        }
        List<T> shuffled = new ArrayList<>(from);
        Collections.shuffle(shuffled, random);
        out.addAll(shuffled.subList(0, (int) Math.min(count, shuffled.size())));
    }
}
