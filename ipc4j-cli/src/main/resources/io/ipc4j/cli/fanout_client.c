/*
 * A simple one-publisher fan-out client, the second load tool of `ipc4j chat load` and `ipc4j kv pubsub`
 * (--client c): N subscribers and one publisher on a server's Unix socket, in one thread, the way a plain C or
 * Python client would do it: epoll over the subscribers, one recv(2) per ready subscriber, one write(2) per
 * message. It speaks ipc4j-chat's line protocol or Redis's PUBLISH/SUBSCRIBE.
 *
 * usage: fanout_client chat|resp SOCKET SUBSCRIBERS MESSAGES WINDOW SIZE WARM_UP SERVER_PID
 *
 * Each message's text is '@', a 10-digit sequence number and the 16-digit CLOCK_MONOTONIC time of its sending,
 * padded with 'x' to SIZE bytes (at least 27). The publisher keeps at most WINDOW messages ahead of the slowest
 * subscriber (WINDOW >= MESSAGES: all at once). The figures count from when every subscriber has had the first
 * WARM_UP messages: deliveries, time and the server's CPU time (per thread, /proc/PID/task/TID/schedstat); each
 * later message's latency, send to receipt, goes into a log-linear histogram (buckets 1/256 to 1/512 wide).
 * Output, one item a line:
 *   deliveries D / elapsed_ns T / server_cpu_ns C / lat VALUE COUNT (one line per bucket, its lowest value)
 * Exit 1 with a message on stderr when a connection fails or nothing arrives for 30 s.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define STAMP 27            /* '@' + 10 digits + 16 digits */
#define BUF (64 * 1024)
#define BUCKETS (512 + 55 * 256)
#define STALL_MS 30000

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t) t.tv_sec * 1000000000u + (uint64_t) t.tv_nsec;
}

static void die(const char *what) {
    fprintf(stderr, "fanout_client: %s: %s\n", what, errno ? strerror(errno) : "failed");
    exit(1);
}

static int dial(const char *path) {
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof a.sun_path) {
        errno = ENAMETOOLONG;
        die(path);
    }
    strcpy(a.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *) &a, sizeof a) < 0) {
        die("connect");
    }
    return fd;
}

static void put(int fd, const char *s, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            die("write");
        }
        s += w;
        n -= (size_t) w;
    }
}

/* Reads fd until `wanted` has arrived (joining: the server's answer), at most STALL_MS. */
static void await_text(int fd, const char *wanted) {
    static char buf[BUF + 1];
    size_t have = 0, keep = strlen(wanted);
    uint64_t deadline = now_ns() + (uint64_t) STALL_MS * 1000000u;
    for (;;) {
        ssize_t k = recv(fd, buf + have, BUF - have, MSG_DONTWAIT);
        if (k == 0) {
            errno = 0;
            die("the server closed a connection while it joined");
        }
        if (k < 0) {
            if (errno != EAGAIN && errno != EINTR) {
                die("recv");
            }
            if (now_ns() > deadline) {
                errno = 0;
                die("no answer to a join in 30 s");
            }
            usleep(200);
            continue;
        }
        have += (size_t) k;
        buf[have] = 0;
        if (memmem(buf, have, wanted, keep) != NULL) {
            return;
        }
        if (have > keep) { /* keep the tail, where a split answer starts */
            memmove(buf, buf + have - keep, keep);
            have = keep;
        }
    }
}

/* Log-linear buckets: below 512 exact; above, the top 9 bits and the power of two (1/256 to 1/512 wide). */
static int bucket_of(uint64_t v) {
    if (v < 512) {
        return (int) v;
    }
    int shift = 63 - __builtin_clzll(v) - 8; /* v >> shift in [256, 511] */
    return 512 + (shift - 1) * 256 + (int) (v >> shift) - 256;
}

/* The lowest value of bucket b. */
static uint64_t bucket_value(int b) {
    if (b < 512) {
        return (uint64_t) b;
    }
    int shift = (b - 512) / 256 + 1;
    return (uint64_t) ((b - 512) % 256 + 256) << shift;
}

/* A process's CPU time, thread by thread (/proc/PID/task/TID/schedstat: nanoseconds on a CPU). */
#define MOST_THREADS 4096
struct cpu_sample {
    int count;
    long tid[MOST_THREADS];
    long long ns[MOST_THREADS];
};

static void cpu_sample(long pid, struct cpu_sample *s) {
    char path[320];
    s->count = 0;
    snprintf(path, sizeof path, "/proc/%ld/task", pid);
    DIR *tasks = opendir(path);
    if (tasks == NULL) {
        return;
    }
    struct dirent *e;
    while ((e = readdir(tasks)) != NULL && s->count < MOST_THREADS) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') {
            continue;
        }
        snprintf(path, sizeof path, "/proc/%ld/task/%s/schedstat", pid, e->d_name);
        FILE *f = fopen(path, "r");
        long long ns;
        if (f != NULL && fscanf(f, "%lld", &ns) == 1) {
            s->tid[s->count] = atol(e->d_name);
            s->ns[s->count++] = ns;
        }
        if (f != NULL) {
            fclose(f);
        }
    }
    closedir(tasks);
}

/* The time used since `earlier`: a thread started meanwhile counts from zero, one that ended loses its time. */
static long long cpu_since(const struct cpu_sample *now, const struct cpu_sample *earlier) {
    long long sum = 0;
    for (int i = 0; i < now->count; i++) {
        long long before = 0;
        for (int j = 0; j < earlier->count; j++) {
            if (earlier->tid[j] == now->tid[i]) {
                before = earlier->ns[j];
                break;
            }
        }
        if (now->ns[i] > before) {
            sum += now->ns[i] - before;
        }
    }
    return sum;
}

int main(int argc, char **argv) {
    if (argc != 9) {
        fprintf(stderr, "usage: fanout_client chat|resp SOCKET SUBSCRIBERS MESSAGES WINDOW SIZE WARM_UP SERVER_PID\n");
        return 2;
    }
    int chat = strcmp(argv[1], "chat") == 0;
    const char *path = argv[2];
    int n = atoi(argv[3]), m = atoi(argv[4]), window = atoi(argv[5]), size = atoi(argv[6]), warm = atoi(argv[7]);
    long server = atol(argv[8]);
    if (n < 1 || m < 1 || window < 1 || warm < 0 || warm >= m || size < 0) {
        fprintf(stderr, "fanout_client: bad arguments\n");
        return 2;
    }
    if (size < STAMP) {
        size = STAMP;
    }
    struct rlimit files;
    if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        files.rlim_cur = files.rlim_max;
        setrlimit(RLIMIT_NOFILE, &files);
    }
    int *subs = calloc((size_t) n, sizeof(int));
    long *got = calloc((size_t) n, sizeof(long));
    char (*tail)[STAMP] = calloc((size_t) n, STAMP);
    int *tail_len = calloc((size_t) n, sizeof(int));
    uint64_t *hist = calloc(BUCKETS, sizeof(uint64_t));
    char *text = malloc((size_t) size + 128);
    if (!subs || !got || !tail || !tail_len || !hist || !text) {
        die("memory");
    }
    char line[64];
    const char *subscribe = "*2\r\n$9\r\nSUBSCRIBE\r\n$4\r\nchat\r\n";
    for (int i = 0; i < n; i++) {
        subs[i] = dial(path);
        if (chat) {
            put(subs[i], line, (size_t) snprintf(line, sizeof line, "r%d\n", i));
        } else {
            put(subs[i], subscribe, strlen(subscribe));
        }
    }
    for (int i = 0; i < n; i++) {
        if (chat) {
            snprintf(line, sizeof line, "*** you are r%d;", i);
            await_text(subs[i], line);
        } else {
            await_text(subs[i], ":1\r\n");
        }
    }
    int pub = dial(path);
    if (chat) {
        put(pub, "sender\n", 7);
        await_text(pub, "*** you are sender;");
    }
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) {
        die("epoll_create1");
    }
    for (int i = 0; i < n; i++) {
        struct epoll_event e = {.events = EPOLLIN, .data.u32 = (uint32_t) i};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, subs[i], &e) < 0) {
            die("epoll_ctl");
        }
    }
    static char buf[BUF + STAMP];
    static char drain[BUF];
    struct epoll_event ready[256];
    long sent = 0, slowest = 0, before = 0, total = (long) n * m, delivered = 0;
    uint64_t from = warm == 0 ? now_ns() : 0, last_progress = now_ns();
    static struct cpu_sample cpu_from, cpu_to;
    if (warm == 0) {
        cpu_sample(server, &cpu_from);
    }
    int head = chat ? 0 : snprintf(text, 64, "*3\r\n$7\r\nPUBLISH\r\n$4\r\nchat\r\n$%d\r\n", size);
    while (delivered < total) {
        while (sent < m && sent - slowest < window) {
            char *body = text + head;
            snprintf(body, STAMP + 1, "@%010ld%016llu", sent, (unsigned long long) now_ns());
            memset(body + STAMP, 'x', (size_t) (size - STAMP));
            int end = head + size;
            if (chat) {
                text[end++] = '\n';
            } else {
                text[end++] = '\r';
                text[end++] = '\n';
            }
            put(pub, text, (size_t) end);
            sent++;
        }
        while (recv(pub, drain, sizeof drain, MSG_DONTWAIT) > 0) { /* PUBLISH's replies */
        }
        int r = epoll_wait(ep, ready, 256, 1000);
        if (r < 0 && errno != EINTR) {
            die("epoll_wait");
        }
        uint64_t at = now_ns();
        if (r <= 0) {
            if (at - last_progress > (uint64_t) STALL_MS * 1000000u) {
                fprintf(stderr, "fanout_client: nothing arrived for 30 s: %ld of %ld deliveries\n", delivered,
                        total);
                return 1;
            }
            continue;
        }
        last_progress = at;
        for (int j = 0; j < r; j++) {
            int i = (int) ready[j].data.u32;
            memcpy(buf, tail[i], (size_t) tail_len[i]);
            ssize_t k = recv(subs[i], buf + tail_len[i], BUF, 0);
            if (k <= 0) {
                fprintf(stderr, "fanout_client: subscriber %d: %s\n", i, k == 0 ? "the server closed it"
                        : strerror(errno));
                return 1;
            }
            size_t len = (size_t) tail_len[i] + (size_t) k, p = 0;
            tail_len[i] = 0;
            for (;;) {
                char *q = memchr(buf + p, '@', len - p);
                if (q == NULL) {
                    break;
                }
                size_t s = (size_t) (q - buf);
                if (len - s < STAMP) { /* a stamp cut in two: keep its start for the next read */
                    tail_len[i] = (int) (len - s);
                    memcpy(tail[i], q, (size_t) tail_len[i]);
                    break;
                }
                long seq = 0;
                uint64_t stamp = 0;
                for (int d = 1; d <= 10; d++) {
                    seq = seq * 10 + (q[d] - '0');
                }
                for (int d = 11; d < STAMP; d++) {
                    stamp = stamp * 10 + (uint64_t) (q[d] - '0');
                }
                if (seq >= warm) {
                    hist[bucket_of(at - stamp)]++;
                }
                got[i]++;
                delivered++;
                p = s + STAMP;
            }
        }
        long low = got[0];
        for (int i = 1; i < n; i++) {
            if (got[i] < low) {
                low = got[i];
            }
        }
        slowest = low;
        if (from == 0 && slowest >= warm) {
            from = now_ns();
            cpu_sample(server, &cpu_from);
            before = delivered;
        }
    }
    uint64_t elapsed = now_ns() - from;
    cpu_sample(server, &cpu_to);
    printf("deliveries %ld\nelapsed_ns %llu\nserver_cpu_ns %lld\n", delivered - before, (unsigned long long) elapsed,
           cpu_since(&cpu_to, &cpu_from));
    for (int b = 0; b < BUCKETS; b++) {
        if (hist[b] != 0) {
            printf("lat %llu %llu\n", (unsigned long long) bucket_value(b), (unsigned long long) hist[b]);
        }
    }
    return 0;
}
