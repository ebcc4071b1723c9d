package io.ipc4j.kv;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The parameters CONFIG GET shows and CONFIG SET changes while the server runs, with Redis's names, value
 * forms and error texts. Start values come from {@link KvConfig}; values are read under the store lock.
 */
final class Settings {
    /** Eviction policies: Redis's names; the LFU ones are refused (no access frequencies are kept). */
    static final List<String> POLICIES = List.of("noeviction", "allkeys-lru", "allkeys-random", "volatile-lru",
            "volatile-random", "volatile-ttl");

    private interface Check {
        String apply(Settings s, String value); // null: accepted, else why not
    }

    private record Param(boolean mutable, Check check) {
    }

    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, Param> params = new LinkedHashMap<>();
    long maxMemory;
    String policy = "noeviction";
    int maxClients;
    String password;
    long maxBulk;
    /**
     * rdb-key-save-delay: microseconds BGREWRITEAOF waits after each key (0 or less: none), read by the rewrite's
     * thread between chunks. For tests, as in Redis, which hides it from CONFIG GET patterns.
     */
    volatile long keySaveDelayMicros;
    /** Parameters CONFIG GET shows only when asked for by their exact name (Redis's hidden ones). */
    private final java.util.Set<String> hidden = new java.util.HashSet<>();

    Settings(KvConfig k) {
        maxMemory = k.maxMemory();
        maxClients = k.maxClients();
        password = k.password();
        maxBulk = k.maxBulk();
        define("maxmemory", Long.toString(k.maxMemory()), true, (s, v) -> {
            long bytes = memory(v);
            if (bytes < 0) {
                return "argument must be a memory value";
            }
            s.maxMemory = bytes;
            return null;
        });
        define("maxmemory-policy", "noeviction", true, (s, v) -> {
            String p = v.toLowerCase(Locale.ROOT);
            if (p.endsWith("-lfu")) {
                return "ipc4j-kv keeps no access frequencies; use one of " + String.join(", ", POLICIES);
            }
            if (!POLICIES.contains(p)) {
                return "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random,"
                        + " volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction";
            }
            s.policy = p;
            return null;
        });
        define("maxmemory-samples", "5", true, Settings::positive);
        define("maxclients", Integer.toString(k.maxClients()), true, (s, v) -> {
            long n = number(v);
            if (n < 1 || n > Integer.MAX_VALUE) {
                return "argument must be between 1 and 2147483647 inclusive";
            }
            s.maxClients = (int) n;
            return null;
        });
        define("requirepass", k.password() == null ? "" : k.password(), true, (s, v) -> {
            s.password = v.isEmpty() ? null : v;
            return null;
        });
        define("proto-max-bulk-len", Long.toString(k.maxBulk()), true, (s, v) -> {
            long bytes = memory(v);
            if (bytes < 1024 * 1024) {
                return "argument must be a memory value of at least 1mb";
            }
            s.maxBulk = bytes;
            return null;
        });
        define("databases", Integer.toString(k.databases()), false, null);
        define("unixsocket", k.socket() == null ? "" : k.socket().toString(), false, null);
        define("unixsocketperm", Integer.toOctalString(k.socketMode()), false, null);
        define("port", k.tcp() == null ? "0" : Integer.toString(k.tcp().getPort()), false, null);
        define("bind", k.tcp() == null ? "" : k.tcp().getAddress().getHostAddress(), false, null);
        define("io-threads", Integer.toString(k.threads()), false, null);
        define("protected-mode", k.protectedMode() ? "yes" : "no", true, Settings::yesNo);
        define("appendonly", k.persistence().appendOnly() ? "yes" : "no", true, Settings::yesNo);
        define("appendfsync", k.persistence().fsync().toString(), true, (s, v) -> List.of("always", "everysec", "no")
                .contains(v.toLowerCase(Locale.ROOT)) ? null : "argument(s) must be one of the following: always,"
                + " everysec, no");
        define("appendfilename", "appendonly.aof", false, null);
        define("dir", k.persistence().dir().toAbsolutePath().toString(), false, null);
        define("save", "", true, null);
        define("dbfilename", "dump.rdb", true, (s, v) -> v.isEmpty() || v.contains("/") || v.equals(".")
                || v.equals("..") ? "dbfilename can't be a path, just a filename" : null);
        define("timeout", "0", true, Settings::nonNegative);
        define("hz", "10", true, Settings::positive);
        define("notify-keyspace-events", "", true, (s, v) -> v.isEmpty() ? null
                : "ipc4j-kv sends no keyspace notifications");
        define("lazyfree-lazy-user-flush", "no", true, Settings::yesNo);
        define("lazyfree-lazy-user-del", "no", true, Settings::yesNo);
        define("slowlog-log-slower-than", "10000", true, null);
        define("slowlog-max-len", "128", true, Settings::nonNegative);
        define("latency-tracking", "no", true, Settings::yesNo);
        define("lua-time-limit", "5000", true, null);
        define("busy-reply-threshold", "5000", true, null);
        define("list-max-listpack-size", "-2", true, null);
        define("hash-max-listpack-entries", "128", true, Settings::nonNegative);
        define("hash-max-listpack-value", "64", true, Settings::nonNegative);
        define("set-max-intset-entries", "512", true, Settings::nonNegative);
        define("zset-max-listpack-entries", "128", true, Settings::nonNegative);
        define("zset-max-listpack-value", "64", true, Settings::nonNegative);
        define("client-query-buffer-limit", Long.toString(k.maxQueryBuffer()), false, null);
        define("loglevel", "notice", true, null);
        define("rdb-key-save-delay", "0", true, (s, v) -> {
            try {
                s.keySaveDelayMicros = Integer.parseInt(v);
                return null;
            } catch (NumberFormatException e) {
                return "argument couldn't be parsed into an integer";
            }
        });
        hidden.add("rdb-key-save-delay");
    }

    private void define(String name, String value, boolean mutable, Check check) {
        values.put(name, value);
        params.put(name, new Param(mutable, check));
    }

    /** Every parameter and its value, in a stable order. */
    Map<String, String> all() {
        return values;
    }

    /** Whether CONFIG GET {@code pattern} shows {@code name}: a hidden parameter only when named exactly. */
    boolean shownBy(String name, String pattern) {
        if (hidden.contains(name)) {
            return name.equals(pattern);
        }
        return Glob.matches(pattern.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                name.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    String get(String name) {
        return values.get(name);
    }

    /**
     * CONFIG SET's pairs, all or none: on a refusal nothing changes, and the error names the argument.
     *
     * @return null if every pair was applied, else the error reply.
     */
    String set(List<String[]> pairs) {
        for (String[] p : pairs) {
            Param param = params.get(p[0]);
            if (param == null) {
                return "ERR Unknown option or number of arguments for CONFIG SET - '" + p[0] + "'";
            }
            if (!param.mutable()) {
                return failed(p[0], "can't set immutable config");
            }
        }
        Map<String, String> before = new LinkedHashMap<>(values);
        long mm = maxMemory;
        String pol = policy;
        int mc = maxClients;
        String pw = password;
        long mb = maxBulk;
        long kd = keySaveDelayMicros;
        for (String[] p : pairs) {
            Check check = params.get(p[0]).check();
            String why = check == null ? null : check.apply(this, p[1]);
            if (why != null) {
                values.clear();
                values.putAll(before);
                maxMemory = mm;
                policy = pol;
                maxClients = mc;
                password = pw;
                maxBulk = mb;
                keySaveDelayMicros = kd;
                return failed(p[0], why);
            }
            values.put(p[0], canonical(p[0], p[1]));
        }
        return null;
    }

    /** A value as CONFIG GET shows it after a SET: memory in bytes, enumerations in lower case. */
    private static String canonical(String name, String value) {
        return switch (name) {
            case "maxmemory", "proto-max-bulk-len" -> Long.toString(memory(value));
            case "maxmemory-policy", "appendfsync", "appendonly", "protected-mode" -> value.toLowerCase(Locale.ROOT);
            default -> value;
        };
    }

    private static String failed(String name, String why) {
        return "ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + why;
    }

    private static String yesNo(Settings s, String v) {
        return v.equalsIgnoreCase("yes") || v.equalsIgnoreCase("no") ? null : "argument must be 'yes' or 'no'";
    }

    private static String positive(Settings s, String v) {
        return number(v) >= 1 ? null : "argument must be a positive integer";
    }

    private static String nonNegative(Settings s, String v) {
        return number(v) >= 0 ? null : "argument couldn't be parsed into an integer";
    }

    private static long number(String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** A memory value as Redis reads it: bytes, or with k/kb/m/mb/g/gb (any case); -1 if it is not one. */
    static long memory(String v) {
        String s = v.toLowerCase(Locale.ROOT);
        long unit = 1;
        String[][] units = {{"kb", "1024"}, {"mb", "1048576"}, {"gb", "1073741824"}, {"k", "1000"},
            {"m", "1000000"}, {"g", "1000000000"}, {"b", "1"}};
        for (String[] u : units) {
            if (s.endsWith(u[0])) {
                unit = Long.parseLong(u[1]);
                s = s.substring(0, s.length() - u[0].length());
                break;
            }
        }
        long n = number(s);
        if (n < 0 || (n > 0 && n > Long.MAX_VALUE / unit)) {
            return -1;
        }
        return n * unit;
    }
}
