package io.ipc4j.kv;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random well-formed commands over a few keys, so that types collide: every data command with arguments drawn
 * from edge values (negative, zero, huge, not-a-number, inf, empty, binary) and from each command's option
 * words. A template's letters: k a key, v a value, n an integer-ish word, s a score-ish word, t a short
 * timeout, w one of the option words after the '|', '*' repeats the letter before it 0-3 more times.
 */
final class CommandFuzzer {
    private static final String[] KEYS = {"k1", "k2", "k3", "k4"};
    private static final String[] VALUES = {"a", "b", "1", "-1", "0", "3.5", "", "x y", "\\xff\\x00", "10"};
    private static final String[] NUMBERS = {"0", "1", "2", "5", "-1", "-3", "100", "9223372036854775807",
        "-9223372036854775808", "1.5", "abc", ""};
    private static final String[] SCORES = {"0", "1", "-2.5", "inf", "-inf", "+inf", "(1", "(-inf", "nan", "1e3",
        "x", "[a", "-", "+", "(b"};

    /** Commands whose reply has no defined order: compared sorted. */
    static final List<String> UNORDERED = List.of("SMEMBERS", "SINTER", "SUNION", "SDIFF", "KEYS", "HKEYS",
        "HVALS", "HGETALL");

    private static final String[] TEMPLATES = {
        "SET k v", "SET k v w|NX|XX|GET|KEEPTTL", "GET k", "APPEND k v", "INCR k", "INCRBY k n", "DECRBY k n",
        "INCRBYFLOAT k s", "STRLEN k", "GETRANGE k n n", "SETRANGE k n v", "GETDEL k", "GETSET k v", "MGET k k*",
        "MSET k v k v", "SETNX k v", "DEL k k*", "EXISTS k k*", "TYPE k", "RENAME k k", "RENAMENX k k",
        "COPY k k w|REPLACE", "PERSIST k", "LPUSH k v v*", "RPUSH k v v*", "LPUSHX k v", "RPUSHX k v", "LPOP k",
        "LPOP k n", "RPOP k n", "LLEN k", "LRANGE k n n", "LINDEX k n", "LSET k n v", "LREM k n v", "LTRIM k n n",
        "LINSERT k w|BEFORE|AFTER|MIDDLE v v", "LPOS k v", "LPOS k v w|RANK|COUNT|MAXLEN n",
        "LMOVE k k w|LEFT|RIGHT w|LEFT|RIGHT", "RPOPLPUSH k k", "LMPOP n k k* w|LEFT|RIGHT",
        "LMPOP n k w|LEFT|RIGHT w|COUNT n", "BLPOP k k* t", "BRPOP k t", "BLMOVE k k w|LEFT|RIGHT w|LEFT|RIGHT t",
        "BLMPOP t n k w|LEFT|RIGHT", "HSET k v v v* v*", "HSETNX k v v", "HGET k v", "HMGET k v v*", "HDEL k v v*",
        "HLEN k", "HEXISTS k v", "HSTRLEN k v", "HKEYS k", "HVALS k", "HGETALL k", "HINCRBY k v n",
        "HINCRBYFLOAT k v s", "SADD k v v*", "SREM k v v*", "SMEMBERS k", "SISMEMBER k v", "SMISMEMBER k v v*",
        "SCARD k", "SMOVE k k v", "SINTER k k*", "SUNION k k*", "SDIFF k k*", "SINTERSTORE k k k*",
        "SUNIONSTORE k k k*", "SDIFFSTORE k k k*", "SINTERCARD n k k*", "SINTERCARD n k w|LIMIT n",
        "ZADD k s v", "ZADD k w|NX|XX|GT|LT|CH|INCR s v", "ZADD k s v s v", "ZINCRBY k s v", "ZREM k v v*",
        "ZSCORE k v", "ZMSCORE k v v*", "ZCARD k", "ZCOUNT k s s", "ZLEXCOUNT k s s", "ZRANK k v", "ZREVRANK k v",
        "ZRANGE k n n", "ZRANGE k n n w|WITHSCORES|REV", "ZRANGE k s s w|BYSCORE|BYLEX w|REV|WITHSCORES",
        "ZRANGE k s s w|BYSCORE|BYLEX w|LIMIT n n", "ZRANGEBYSCORE k s s", "ZRANGEBYSCORE k s s w|WITHSCORES",
        "ZREVRANGEBYSCORE k s s", "ZRANGEBYLEX k s s", "ZREVRANGEBYLEX k s s", "ZREVRANGE k n n",
        "ZRANGESTORE k k n n", "ZREMRANGEBYRANK k n n", "ZREMRANGEBYSCORE k s s", "ZREMRANGEBYLEX k s s",
        "ZPOPMIN k", "ZPOPMAX k n", "BZPOPMIN k t", "BZPOPMAX k k t", "ZMPOP n k w|MIN|MAX",
        "ZMPOP n k k w|MIN|MAX w|COUNT n", "BZMPOP t n k w|MIN|MAX", "ZUNIONSTORE k n k k",
        "ZINTERSTORE k n k k w|WEIGHTS n n", "ZUNIONSTORE k n k k w|AGGREGATE w|SUM|MIN|MAX|AVG", "ZUNION n k k",
        "ZINTER n k k w|WITHSCORES", "ZDIFF n k k", "ZDIFFSTORE k n k k", "OBJECT ENCODING k", "EXPIRE k n",
        "EXPIRE k n w|NX|XX|GT|LT", "PEXPIREAT k n", "FLUSHDB",
    };

    private final SplittableRandom random;

    CommandFuzzer(long seed) {
        random = new SplittableRandom(seed);
    }

    /** The next command, as a script line for {@link Differential} (marked ~ when its order is undefined). */
    String next() {
        String template = TEMPLATES[random.nextInt(TEMPLATES.length)];
        if (template.equals("FLUSHDB") && random.nextInt(20) != 0) {
            template = "EXISTS k"; // a rare reset keeps the types colliding without emptying the keys too often
        }
        List<String> words = new ArrayList<>();
        String[] parts = template.split(" ");
        words.add(parts[0]);
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i];
            int times = p.endsWith("*") ? random.nextInt(4) : 1;
            String letter = p.endsWith("*") ? p.substring(0, p.length() - 1) : p;
            for (int t = 0; t < times; t++) {
                words.add(word(letter));
            }
        }
        String line = String.join(" ", words);
        return UNORDERED.contains(parts[0]) ? "~ " + line : line;
    }

    private String word(String letter) {
        if (letter.startsWith("w|")) {
            String[] options = letter.substring(2).split("\\|");
            return options[random.nextInt(options.length)];
        }
        return switch (letter) {
            case "k" -> KEYS[random.nextInt(KEYS.length)];
            case "v" -> quote(VALUES[random.nextInt(VALUES.length)]);
            case "n" -> quote(NUMBERS[random.nextInt(NUMBERS.length)]);
            case "s" -> quote(SCORES[random.nextInt(SCORES.length)]);
            case "t" -> "0.01";
            default -> letter; // a literal word, such as OBJECT's ENCODING
        };
    }

    private static String quote(String w) {
        return "\"" + w + "\"";
    }
}
