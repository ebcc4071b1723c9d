/* A C peer for ipc4j's message queue tests: proves that ipc4j's queues interoperate with plain C programs.
 *   mq_peer posix-send /name N   sends "c-msg-I" with priority I % 4
 *   mq_peer posix-recv /name N   receives N messages, prints "PRIORITY:TEXT" per line
 *   mq_peer sysv-send ID N       sends "c-msg-I" with type I % 3 + 1
 *   mq_peer sysv-recv ID N       receives N messages (type 0), prints "TYPE:TEXT" per line
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>
#include <time.h>

struct text_message { long type; char text[8192]; };

static int fail(const char *what) { perror(what); return 1; }

static int posix_send(const char *name, int n) {
    mqd_t q = mq_open(name, O_WRONLY);
    if (q == (mqd_t) -1) return fail("mq_open");
    for (int i = 0; i < n; i++) {
        char text[64];
        int len = snprintf(text, sizeof text, "c-msg-%d", i);
        if (mq_send(q, text, (size_t) len, (unsigned) (i % 4)) != 0) return fail("mq_send");
    }
    return mq_close(q);
}

static int posix_recv(const char *name, int n) {
    mqd_t q = mq_open(name, O_RDONLY);
    if (q == (mqd_t) -1) return fail("mq_open");
    struct mq_attr attr;
    mq_getattr(q, &attr);
    char *buffer = malloc((size_t) attr.mq_msgsize + 1);
    for (int i = 0; i < n; i++) {
        struct timespec deadline;
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_sec += 30;
        unsigned priority;
        ssize_t len = mq_timedreceive(q, buffer, (size_t) attr.mq_msgsize, &priority, &deadline);
        if (len < 0) return fail("mq_timedreceive");
        buffer[len] = 0;
        printf("%u:%s\n", priority, buffer);
    }
    free(buffer);
    return mq_close(q);
}

static int sysv_send(int id, int n) {
    struct text_message m;
    for (int i = 0; i < n; i++) {
        m.type = i % 3 + 1;
        int len = snprintf(m.text, sizeof m.text, "c-msg-%d", i);
        if (msgsnd(id, &m, (size_t) len, 0) != 0) return fail("msgsnd");
    }
    return 0;
}

static int sysv_recv(int id, int n) {
    struct text_message m;
    for (int i = 0; i < n; i++) {
        ssize_t len = msgrcv(id, &m, sizeof m.text - 1, 0, 0);
        if (len < 0) return fail("msgrcv");
        m.text[len] = 0;
        printf("%ld:%s\n", m.type, m.text);
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: mq_peer posix-send|posix-recv|sysv-send|sysv-recv QUEUE N\n"); return 2; }
    int n = atoi(argv[3]);
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!strcmp(argv[1], "posix-send")) return posix_send(argv[2], n);
    if (!strcmp(argv[1], "posix-recv")) return posix_recv(argv[2], n);
    if (!strcmp(argv[1], "sysv-send")) return sysv_send(atoi(argv[2]), n);
    if (!strcmp(argv[1], "sysv-recv")) return sysv_recv(atoi(argv[2]), n);
    fprintf(stderr, "unknown command %s\n", argv[1]);
    return 2;
}
