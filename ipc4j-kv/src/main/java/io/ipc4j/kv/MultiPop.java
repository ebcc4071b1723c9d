package io.ipc4j.kv;

/**
 * The arguments of LMPOP, BLMPOP, ZMPOP and BZMPOP: {@code [timeout] numkeys key [key ...] END [COUNT count]},
 * with Redis's errors: which keys, which end (the first of the two words given, such as LEFT or MIN), and
 * how many.
 *
 * @param keys     the keys, in order
 * @param first    whether the end named is the first of the two words
 * @param count    how many elements to pop at most
 * @param deadline the blocking forms' deadline (see {@link Blocking#deadline}), else 0
 */
record MultiPop(MultiKeys keys, boolean first, long count, long deadline) {
    /**
     * Parses the request in {@code c}; {@code blocking} forms have their timeout first.
     *
     * @param ends the two words for the ends, lower case: "left", "right" or "min", "max"
     */
    static MultiPop parse(Call c, boolean blocking, String... ends) throws KvError {
        long deadline = blocking ? Blocking.deadline(c.args[1], c.now) : 0;
        MultiKeys m = MultiKeys.parse(c, blocking ? 2 : 1, "ERR numkeys should be greater than 0",
                KvError.SYNTAX.getMessage());
        if (m.end() >= c.argc()) {
            throw KvError.SYNTAX;
        }
        String end = c.word(m.end());
        if (!end.equals(ends[0]) && !end.equals(ends[1])) {
            throw KvError.SYNTAX;
        }
        long count = 1;
        int i = m.end() + 1;
        if (i < c.argc()) {
            if (!c.word(i).equals("count") || i + 2 != c.argc()) {
                throw KvError.SYNTAX;
            }
            count = Numbers.parseLongOr(c.args[i + 1], 0);
            if (count <= 0) {
                throw new KvError("ERR count should be greater than 0");
            }
        }
        return new MultiPop(m, end.equals(ends[0]), count, deadline);
    }
}
