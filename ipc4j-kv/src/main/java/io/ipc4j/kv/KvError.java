package io.ipc4j.kv;

/** An error reply for the current command: the text Redis 7 gives, starting with its code. Stackless. */
final class KvError extends Exception {
    private static final long serialVersionUID = 1L;

    static final KvError NOT_INTEGER = new KvError("ERR value is not an integer or out of range");
    static final KvError NOT_FLOAT = new KvError("ERR value is not a valid float");
    static final KvError SYNTAX = new KvError("ERR syntax error");
    static final KvError OVERFLOW = new KvError("ERR increment or decrement would overflow");
    static final KvError NO_SUCH_KEY = new KvError("ERR no such key");
    static final KvError DB_RANGE = new KvError("ERR DB index is out of range");
    static final KvError WRONGTYPE = new KvError("WRONGTYPE Operation against a key holding the wrong kind of value");
    /** A float argument that is infinite: each command words this its own way. */
    static final KvError INFINITE = new KvError("ERR increment would produce NaN or Infinity");
    static final KvError TIMEOUT = new KvError("ERR timeout is not a float or out of range");
    static final KvError OOM = new KvError("OOM command not allowed when used memory > 'maxmemory'.");

    KvError(String message) {
        super(message, null, false, false);
    }

    static KvError invalidExpire(String command) {
        return new KvError("ERR invalid expire time in '" + command + "' command");
    }
}
