package io.ipc4j.kv;

import java.util.List;

/**
 * HSCAN, SSCAN and ZSCAN: "cursor [MATCH pattern] [COUNT count]". The whole value is returned at once with
 * cursor 0, which is what Redis does for small values and meets SCAN's guarantee for any size.
 */
record Scan(byte[] pattern) {
    static Scan parse(Call c, int cursorAt) throws KvError {
        try {
            Long.parseUnsignedLong(c.text(cursorAt));
        } catch (NumberFormatException e) {
            throw new KvError("ERR invalid cursor");
        }
        byte[] pattern = null;
        for (int i = cursorAt + 1; i < c.argc(); i++) {
            if (i + 1 >= c.argc()) {
                throw KvError.SYNTAX;
            }
            switch (c.word(i)) {
                case "match" -> pattern = c.args[++i];
                case "count" -> {
                    if (c.longArg(++i) < 1) {
                        throw KvError.SYNTAX;
                    }
                }
                default -> throw KvError.SYNTAX;
            }
        }
        return new Scan(pattern);
    }

    boolean matches(byte[] element) {
        return pattern == null || Glob.matches(pattern, element);
    }

    /** The reply: cursor 0 and the elements (pairs already flattened by the caller). */
    void reply(Call c, List<byte[]> elements) {
        c.reply.array(2);
        c.reply.bulk("0");
        c.reply.array(elements.size());
        elements.forEach(c.reply::bulk);
    }
}
