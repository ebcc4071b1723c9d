/* A C peer of ipc4j's one-to-one channel, through peers/c/ipc4j_channel.h (the header users include).
 *
 * usage: channel_peer receive NAME COUNT   receive COUNT messages (0: until the sender dies), checking each
 *                                          byte; print "received N checksum C" or "sender dead after N
 *                                          checksum C"; exit 1 on any wrong message
 *        channel_peer send NAME COUNT      send COUNT messages (0: forever), print "sent N checksum C"
 * Message i: type i % 1000, (i * 7919) % 200 bytes, byte k = (i + k) & 0xff. The checksum adds every byte. */
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

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "receive") == 0) return receive(argv[2], atol(argv[3]));
    if (argc == 4 && strcmp(argv[1], "send") == 0) return send(argv[2], atol(argv[3]));
    fprintf(stderr, "usage: channel_peer receive|send NAME COUNT\n");
    return 2;
}
