package io.ipc4j.kv;

import java.util.ArrayList;
import java.util.List;

/** A "numkeys key [key ...]" argument group: where its keys start and end (exclusive). */
record MultiKeys(int first, int end) {
    /** Parses the group whose numkeys is argument {@code at}, with Redis's errors. */
    static MultiKeys parse(Call c, int at) throws KvError {
        return parse(c, at, "ERR numkeys should be greater than 0",
                "ERR Number of keys can't be greater than number of args");
    }

    /**
     * As {@link #parse(Call, int)}, with the command's own texts for too few and too many keys; a numkeys that
     * is not an integer gets the too-few text too, as the list, sorted-set pop and SINTERCARD commands answer.
     */
    static MultiKeys parse(Call c, int at, String tooFew, String tooMany) throws KvError {
        long n;
        try {
            n = c.longArg(at);
        } catch (KvError notInteger) {
            throw new KvError(tooFew);
        }
        if (n <= 0) {
            throw new KvError(tooFew);
        }
        if (n > c.argc() - at - 1) {
            throw new KvError(tooMany);
        }
        return new MultiKeys(at + 1, at + 1 + (int) n);
    }

    List<Key> keys(Call c) {
        List<Key> keys = new ArrayList<>();
        for (int i = first; i < end; i++) {
            keys.add(c.key(i));
        }
        return keys;
    }
}
