package io.ipc4j.chat;

/** One client as the chat sees it: identity, nick, activity and rate budget; its transport is a {@link Connection}. */
final class Member {
    final long id;
    final Connection connection;
    final long joinedMillis = System.currentTimeMillis();
    String nick;
    long lastActiveMillis = joinedMillis;
    double tokens;
    long lastRefillNanos = System.nanoTime();

    Member(long id, Connection connection, int burst) {
        this.id = id;
        this.connection = connection;
        this.tokens = burst;
    }

    /** Takes a token from the bucket: false if the client is over its rate. */
    boolean allow(double perSecond, int burst) {
        if (perSecond <= 0) {
            return true;
        }
        long now = System.nanoTime();
        tokens = Math.min(burst, tokens + (now - lastRefillNanos) / 1e9 * perSecond);
        lastRefillNanos = now;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }

    String describe() {
        int uid = connection.uid;
        int pid = connection.pid;
        return (nick == null ? "(no nick)" : nick) + " (uid " + (uid < 0 ? "?" : uid) + ", pid " + (pid < 0 ? "?" : pid)
                + ")";
    }
}
