package io.ipc4j.kv;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Random picks for HRANDFIELD, SRANDMEMBER and ZRANDMEMBER: Redis's count convention. */
final class Sampling {
    private Sampling() {
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
