/* A C peer of ipc4j's one-to-one channel, through peers/c/ipc4j_channel.h (the header users include).
 *
 * usage: channel_peer receive NAME COUNT   receive COUNT messages (0: until the sender dies), checking each
 *                                          byte; print "received N checksum C" or "sender dead after N
 *                                          checksum C"; exit 1 on any wrong message
 *        channel_peer send NAME COUNT      send COUNT messages (0: forever), print "sent N checksum C"
 * Message i: type i % 1000, (i * 7919) % 200 bytes, byte k = (i + k) & 0xff. The checksum adds every byte.
 *
 * Many-to-one: message i of producer p has type p and a payload of its sequence number i (4 bytes, little
 * endian) then (i * 7919) % 200 bytes, byte k = (p * 31 + i + k) & 0xff.
 *        channel_peer m2o-send NAME COUNT P          send COUNT messages as producer P, print "sent N checksum C"
 *        channel_peer m2o-receive NAME TOTAL PRODUCERS   receive TOTAL, each producer's in order, print
 *                                                    "received N checksum C"; exit 1 on any wrong or lost one
 * Broadcast: message i has type i % 1000 and a payload of i (4 bytes) then (i * 7919) % 200 bytes (i + k) & 0xff.
 *        channel_peer bcast-write NAME COUNT PACE    write COUNT messages, 1 ms of sleep after every PACE (0:
 *                                                    none), print "written N"
 *        channel_peer bcast-read NAME COUNT          read until message COUNT - 1, each intact and in order,
 *                                                    print "read R lost L" (L: bytes overrun) */
#include "../../../../peers/c/ipc4j_channel.h"

static long length_of(long i) { return (i * 7919) % 200; }

/* Lost wake-ups are a protocol failure, even though each costs only one 100 ms sleep. */
static int missed(ipc4j_channel *ch) {
    unsigned long long m = ch->missed_wakeups;
    ipc4j_channel_close(ch);
    if (m != 0) { printf("missed wakeups %llu\n", m); return 1; }
    return 0;
}

static int receive(const char *name, long count) {
    ipc4j_channel ch;
    int r = ipc4j_channel_open(&ch, name);
    if (r != 0) { printf("open failed: %d %s\n", r, strerror(errno)); return 1; }
    if (ipc4j_channel_become_receiver(&ch) != 0) { printf("receiver: %s\n", strerror(errno)); return 1; }
    printf("ready\n");
    fflush(stdout);
    unsigned char buf[4096];
    unsigned long long checksum = 0;
    long i = 0;
    for (; count == 0 || i < count; i++) {
        int type;
        long n = ipc4j_channel_receive(&ch, buf, sizeof buf, &type, 30000);
        if (n == IPC4J_PEER_DEAD) {
            printf("sender dead after %ld checksum %llu\n", i, checksum);
            return missed(&ch);
        }
        if (n < 0) { printf("receive %ld failed: %ld\n", i, n); return 1; }
        if (type != i % 1000 || n != length_of(i)) {
            printf("message %ld: type %d, %ld bytes; expected type %ld, %ld bytes\n", i, type, n, i % 1000, length_of(i));
            return 1;
        }
        for (long k = 0; k < n; k++) {
            if (buf[k] != (unsigned char) ((i + k) & 0xff)) { printf("message %ld: byte %ld wrong\n", i, k); return 1; }
            checksum += buf[k];
        }
    }
    printf("received %ld checksum %llu\n", i, checksum);
    return missed(&ch);
}

static int send(const char *name, long count) {
    ipc4j_channel ch;
    int r = ipc4j_channel_open(&ch, name);
    if (r != 0) { printf("open failed: %d %s\n", r, strerror(errno)); return 1; }
    if (ipc4j_channel_become_sender(&ch) != 0) { printf("sender: %s\n", strerror(errno)); return 1; }
    printf("ready\n");
    fflush(stdout);
    unsigned char buf[4096];
    unsigned long long checksum = 0;
    long i = 0;
    for (; count == 0 || i < count; i++) {
        long n = length_of(i);
        for (long k = 0; k < n; k++) {
            buf[k] = (unsigned char) ((i + k) & 0xff);
            checksum += buf[k];
        }
        int s = ipc4j_channel_send(&ch, (int) (i % 1000), buf, n, 30000);
        if (s != 0) { printf("send %ld failed: %d\n", i, s); return 1; }
    }
    printf("sent %ld checksum %llu\n", i, checksum);
    ipc4j_channel_close(&ch);
    return 0;
}

static long m2o_fill(unsigned char *buf, long p, long i, unsigned long long *checksum) {
    long n = length_of(i);
    buf[0] = (unsigned char) i; buf[1] = (unsigned char) (i >> 8); buf[2] = (unsigned char) (i >> 16);
    buf[3] = (unsigned char) (i >> 24);
    for (long k = 0; k < n; k++) {
        buf[4 + k] = (unsigned char) ((p * 31 + i + k) & 0xff);
        *checksum += buf[4 + k];
    }
    return n + 4;
}

static long seq_of(const unsigned char *buf) {
    return (long) buf[0] | (long) buf[1] << 8 | (long) buf[2] << 16 | (long) buf[3] << 24;
}

static int m2o_send(const char *name, long count, long p) {
    ipc4j_channel ch;
    int r = ipc4j_channel_open_kind(&ch, name, IPC4J_KIND_MANY_TO_ONE);
    if (r != 0) { printf("open failed: %d %s\n", r, strerror(errno)); return 1; }
    unsigned char buf[4096];
    unsigned long long checksum = 0;
    for (long i = 0; i < count; i++) {
        long n = m2o_fill(buf, p, i, &checksum);
        int s = ipc4j_m2o_send(&ch, (int) p, buf, n, 30000);
        if (s != 0) { printf("send %ld failed: %d\n", i, s); return 1; }
    }
    printf("sent %ld checksum %llu\n", count, checksum);
    ipc4j_channel_close(&ch);
    return 0;
}

static int m2o_receive(const char *name, long total, long producers) {
    ipc4j_channel ch;
    int r = ipc4j_channel_open_kind(&ch, name, IPC4J_KIND_MANY_TO_ONE);
    if (r != 0) { printf("open failed: %d %s\n", r, strerror(errno)); return 1; }
    if (ipc4j_channel_become_receiver(&ch) != 0) { printf("receiver: %s\n", strerror(errno)); return 1; }
    printf("ready\n");
    fflush(stdout);
    long next[64] = {0};
    unsigned char buf[4096], want[4096];
    unsigned long long checksum = 0, unused = 0;
    for (long m = 0; m < total; m++) {
        int type;
        long n = ipc4j_channel_receive(&ch, buf, sizeof buf, &type, 30000);
        if (n < 0) { printf("receive %ld failed: %ld\n", m, n); return 1; }
        if (type < 0 || type >= producers || n < 4 || seq_of(buf) != next[type]) {
            printf("message %ld: producer %d, sequence %ld, expected %ld\n", m, type, n < 4 ? -1 : seq_of(buf),
                   type >= 0 && type < producers ? next[type] : -1);
            return 1;
        }
        long w = m2o_fill(want, type, next[type], &unused);
        if (w != n || memcmp(want, buf, (size_t) n) != 0) { printf("message %ld: wrong bytes\n", m); return 1; }
        for (long k = 4; k < n; k++) checksum += buf[k];
        next[type]++;
    }
    printf("received %ld checksum %llu\n", total, checksum);
    if (ch.lost != 0) { printf("lost %llu\n", (unsigned long long) ch.lost); return 1; }
    return missed(&ch);
}

static int bcast_write(const char *name, long count, long pace) {
    ipc4j_channel ch;
    int r = ipc4j_channel_open_kind(&ch, name, IPC4J_KIND_BROADCAST);
    if (r != 0) { printf("open failed: %d %s\n", r, strerror(errno)); return 1; }
    if (ipc4j_broadcast_become_sender(&ch) != 0) { printf("writer: %s\n", strerror(errno)); return 1; }
    unsigned char buf[4096];
    unsigned long long unused = 0;
    for (long i = 0; i < count; i++) {
        long n = m2o_fill(buf, 0, i, &unused); /* producer 0: byte k = (i + k) & 0xff */
        if (ipc4j_broadcast_offer(&ch, (int) (i % 1000), buf, n) != 0) { printf("transmit %ld failed\n", i); return 1; }
        if (pace > 0 && (i + 1) % pace == 0) { struct timespec ms = {0, 1000000}; nanosleep(&ms, NULL); }
    }
    printf("written %ld\n", count);
    ipc4j_channel_close(&ch);
    return 0;
}

static int bcast_read(const char *name, long count) {
    ipc4j_channel ch;
    int r = ipc4j_channel_open_kind(&ch, name, IPC4J_KIND_BROADCAST);
    if (r != 0) { printf("open failed: %d %s\n", r, strerror(errno)); return 1; }
    ipc4j_broadcast_become_receiver(&ch);
    printf("ready\n");
    fflush(stdout);
    unsigned char buf[4096], want[4096];
    unsigned long long unused = 0;
    long last = -1, read = 0;
    while (last < count - 1) {
        int type;
        long n = ipc4j_broadcast_receive(&ch, buf, sizeof buf, &type, 30000);
        if (n < 4) { printf("read after %ld failed: %ld\n", last, n); return 1; }
        long i = seq_of(buf);
        long w = m2o_fill(want, 0, i, &unused);
        if (i <= last || type != i % 1000 || w != n || memcmp(want, buf, (size_t) n) != 0) {
            printf("message %ld after %ld: not as written\n", i, last);
            return 1;
        }
        last = i;
        read++;
    }
    printf("read %ld lost %llu\n", read, (unsigned long long) ch.lost);
    ipc4j_channel_close(&ch);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 5 && strcmp(argv[1], "m2o-send") == 0) return m2o_send(argv[2], atol(argv[3]), atol(argv[4]));
    if (argc == 5 && strcmp(argv[1], "m2o-receive") == 0) return m2o_receive(argv[2], atol(argv[3]), atol(argv[4]));
    if (argc == 5 && strcmp(argv[1], "bcast-write") == 0) return bcast_write(argv[2], atol(argv[3]), atol(argv[4]));
    if (argc == 4 && strcmp(argv[1], "bcast-read") == 0) return bcast_read(argv[2], atol(argv[3]));
    if (argc == 4 && strcmp(argv[1], "receive") == 0) return receive(argv[2], atol(argv[3]));
    if (argc == 4 && strcmp(argv[1], "send") == 0) return send(argv[2], atol(argv[3]));
    fprintf(stderr, "usage: channel_peer receive|send NAME COUNT\n");
    return 2;
}
