/*
 * A one-publisher fan-out client, the C load tools of `ipc4j chat load` and `ipc4j kv pubsub`: N subscribers and
 * one publisher on a server's Unix socket, in one thread, one write(2) per message. It speaks ipc4j-chat's line
 * protocol or Redis's PUBLISH/SUBSCRIBE, and receives in one of two ways:
 *   epoll (--client c): the way a plain C or Python client would do it, one recv(2) per ready subscriber;
 *   uring (--client uring): a multishot receive per subscriber on an io_uring, into a ring of provided buffers,
 *     so the kernel fills buffers as data arrives and one io_uring_enter(2) collects every subscriber's news.
 *     It costs less per delivery than any recv(2) loop (a system call is about 1 us on this project's VM), so a
 *     server faster than the epoll client can show it. Needs Linux 6.1.
 *
 * usage: fanout_client chat|resp epoll|uring SOCKET SUBSCRIBERS MESSAGES WINDOW SIZE WARM_UP SERVER_PID [BUFFERS]
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
#include <linux/io_uring.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define STAMP 27            /* '@' + 10 digits + 16 digits */
#define BUF (64 * 1024)   /* bytes one recv(2) may take */
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

/* The run's state, shared by both ways of receiving. */
static int chat, n, m, window, size, warm;
static long server;
static int pub;
static long *got;                   /* messages each subscriber has had */
static int *at_count;               /* at_count[k]: subscribers that have had exactly k messages */
static char (*tail)[STAMP];         /* the start of a stamp cut in two by a read, per subscriber */
static int *tail_len;
static uint64_t *hist;
static long sent, slowest, before, total, delivered;
static uint64_t from, last_progress;
static struct cpu_sample cpu_from, cpu_to;
static char *text;
static int head;

/* Sends while the window allows: one write(2) per message, stamped as it goes. */
static void send_ahead(void) {
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
}

/* Counts one message by its stamp at q: its latency from the stamp's send time goes into the histogram. */
static void count(int i, const char *q, uint64_t at) {
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
}

/* Counts the messages in subscriber i's latest k bytes, received at `at`, in place: each is found by its stamp's
 * '@'; a stamp cut in two by a read is kept until the rest arrives. */
static void deliver(int i, const char *data, size_t k, uint64_t at) {
    long had = got[i];
    if (tail_len[i] > 0) {
        size_t need = (size_t) (STAMP - tail_len[i]), take = k < need ? k : need;
        memcpy(tail[i] + tail_len[i], data, take);
        tail_len[i] += (int) take;
        data += take;
        k -= take;
        if (tail_len[i] < STAMP) {
            return;
        }
        count(i, tail[i], at);
        tail_len[i] = 0;
    }
    const char *end = data + k;
    for (;;) {
        const char *q = memchr(data, '@', (size_t) (end - data));
        if (q == NULL) {
            break;
        }
        if (end - q < STAMP) {
            tail_len[i] = (int) (end - q);
            memcpy(tail[i], q, (size_t) tail_len[i]);
            break;
        }
        count(i, q, at);
        data = q + STAMP;
    }
    if (got[i] != had) {
        at_count[had]--;
        at_count[got[i]]++;
    }
}

/* After a batch: moves the slowest subscriber's count on, starts the figures once every subscriber is warm. */
static void after_batch(uint64_t at) {
    last_progress = at;
    while (slowest < m && at_count[slowest] == 0) {
        slowest++;
    }
    if (from == 0 && slowest >= warm) {
        from = now_ns();
        cpu_sample(server, &cpu_from);
        before = delivered;
    }
}

/* Exits when nothing has arrived for STALL_MS. */
static void check_stall(uint64_t at) {
    if (at - last_progress > (uint64_t) STALL_MS * 1000000u) {
        fprintf(stderr, "fanout_client: nothing arrived for 30 s: %ld of %ld deliveries\n", delivered, total);
        exit(1);
    }
}

static void receive_epoll(const int *subs) {
    static char buf[BUF];
    static char drain[BUF];
    struct epoll_event ready[256];
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
    while (delivered < total) {
        send_ahead();
        while (recv(pub, drain, sizeof drain, MSG_DONTWAIT) > 0) { /* PUBLISH's replies */
        }
        int r = epoll_wait(ep, ready, 256, 1000);
        if (r < 0 && errno != EINTR) {
            die("epoll_wait");
        }
        uint64_t at = now_ns();
        if (r <= 0) {
            check_stall(at);
            continue;
        }
        for (int j = 0; j < r; j++) {
            int i = (int) ready[j].data.u32;
            ssize_t k = recv(subs[i], buf, BUF, 0);
            if (k <= 0) {
                fprintf(stderr, "fanout_client: subscriber %d: %s\n", i, k == 0 ? "the server closed it"
                        : strerror(errno));
                exit(1);
            }
            deliver(i, buf, (size_t) k, at);
        }
        after_batch(at);
    }
}

/* An io_uring, mapped by hand (no liburing: a C compiler is all the tool needs). */
struct ring {
    int fd;
    unsigned *sq_head, *sq_tail, *sq_mask, *sq_array, sq_entries;
    unsigned *cq_head, *cq_tail, *cq_mask;
    struct io_uring_sqe *sqes;
    struct io_uring_cqe *cqes;
    unsigned queued; /* SQEs filled since the last submission */
};

#define BUFFER_BYTES (16 * 1024)
#define GROUP 1
/* Provided buffers (uring), a power of two: 2048 by default; the tests give few, so that receives run out of
 * buffers and must be armed again. */
static unsigned buffers = 2048;

static void ring_open(struct ring *r, unsigned entries) {
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    /* completions are posted only when this thread asks (DEFER_TASKRUN): one enter collects a whole batch */
    p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    unsigned most = buffers > (unsigned) n + 1 ? buffers : (unsigned) n + 1; /* a CQE per buffer or receive */
    p.cq_entries = 4 * most < entries ? entries : 4 * most;
    r->fd = (int) syscall(__NR_io_uring_setup, entries, &p);
    if (r->fd < 0) {
        die("io_uring_setup (needs Linux 6.1 and io_uring allowed: sysctl kernel.io_uring_disabled=0)");
    }
    size_t sq_bytes = p.sq_off.array + p.sq_entries * sizeof(unsigned);
    size_t cq_bytes = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
    if (p.features & IORING_FEAT_SINGLE_MMAP) {
        sq_bytes = cq_bytes = sq_bytes > cq_bytes ? sq_bytes : cq_bytes;
    }
    char *sq = mmap(NULL, sq_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
    char *cq = (p.features & IORING_FEAT_SINGLE_MMAP) ? sq
            : mmap(NULL, cq_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_CQ_RING);
    r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
            MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
    if (sq == MAP_FAILED || cq == MAP_FAILED || r->sqes == MAP_FAILED) {
        die("mmap of the io_uring");
    }
    r->sq_head = (unsigned *) (sq + p.sq_off.head);
    r->sq_tail = (unsigned *) (sq + p.sq_off.tail);
    r->sq_mask = (unsigned *) (sq + p.sq_off.ring_mask);
    r->sq_array = (unsigned *) (sq + p.sq_off.array);
    r->sq_entries = p.sq_entries;
    r->cq_head = (unsigned *) (cq + p.cq_off.head);
    r->cq_tail = (unsigned *) (cq + p.cq_off.tail);
    r->cq_mask = (unsigned *) (cq + p.cq_off.ring_mask);
    r->cqes = (struct io_uring_cqe *) (cq + p.cq_off.cqes);
    r->queued = 0;
}

/* Submits what is queued; with `wait`, also waits up to 1 s for a completion. Returns false on a timeout. */
static int ring_enter(struct ring *r, int wait) {
    struct __kernel_timespec ts = {.tv_sec = 1};
    struct io_uring_getevents_arg arg = {.sigmask = 0, .sigmask_sz = _NSIG / 8, .ts = (uint64_t) (uintptr_t) &ts};
    for (;;) {
        long k = syscall(__NR_io_uring_enter, r->fd, r->queued, wait ? 1 : 0,
                (wait ? IORING_ENTER_GETEVENTS : 0) | IORING_ENTER_EXT_ARG, &arg, sizeof arg);
        if (k >= 0) {
            r->queued -= (unsigned) k;
            return 1;
        }
        if (errno == ETIME) {
            return 0;
        }
        if (errno == EAGAIN || errno == EBUSY) {
            return 1; /* completions wait to be taken first (a full CQ): the caller takes them, then enters again */
        }
        if (errno != EINTR) {
            die("io_uring_enter");
        }
    }
}

/* Queues a multishot receive on fd into the provided buffers, tagged `tag`. */
static void arm(struct ring *r, int fd, unsigned tag) {
    if (r->queued == r->sq_entries) {
        ring_enter(r, 0);
    }
    unsigned t = *r->sq_tail, slot = t & *r->sq_mask;
    struct io_uring_sqe *e = &r->sqes[slot];
    memset(e, 0, sizeof *e);
    e->opcode = IORING_OP_RECV;
    e->fd = fd;
    e->ioprio = IORING_RECV_MULTISHOT;
    e->flags = IOSQE_BUFFER_SELECT;
    e->buf_group = GROUP;
    e->user_data = tag;
    r->sq_array[slot] = slot;
    __atomic_store_n(r->sq_tail, t + 1, __ATOMIC_RELEASE);
    r->queued++;
}

static void receive_uring(const int *subs) {
    struct ring r;
    ring_open(&r, 4096);
    struct io_uring_buf_ring *provided = mmap(NULL, buffers * sizeof(struct io_uring_buf), PROT_READ | PROT_WRITE,
            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *room = mmap(NULL, (size_t) buffers * BUFFER_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
            -1, 0);
    if (provided == MAP_FAILED || room == MAP_FAILED) {
        die("mmap of the receive buffers");
    }
    struct io_uring_buf_reg reg = {.ring_addr = (uint64_t) (uintptr_t) provided, .ring_entries = buffers,
        .bgid = GROUP};
    if (syscall(__NR_io_uring_register, r.fd, IORING_REGISTER_PBUF_RING, &reg, 1) < 0) {
        die("io_uring_register of the provided buffers (needs Linux 5.19)");
    }
    for (unsigned b = 0; b < buffers; b++) {
        provided->bufs[b] = (struct io_uring_buf) {.addr = (uint64_t) (uintptr_t) (room + (size_t) b * BUFFER_BYTES),
            .len = BUFFER_BYTES, .bid = (uint16_t) b};
    }
    unsigned short buffer_tail = (unsigned short) buffers;
    __atomic_store_n(&provided->tail, buffer_tail, __ATOMIC_RELEASE);
    for (int i = 0; i < n; i++) {
        arm(&r, subs[i], (unsigned) i);
    }
    arm(&r, pub, (unsigned) n); /* PUBLISH's replies, dropped */
    while (delivered < total) {
        send_ahead();
        int any = ring_enter(&r, 1);
        uint64_t at = now_ns();
        unsigned h = *r.cq_head, t = __atomic_load_n(r.cq_tail, __ATOMIC_ACQUIRE);
        if (!any || h == t) {
            check_stall(at);
            continue;
        }
        for (; h != t; h++) {
            struct io_uring_cqe *c = &r.cqes[h & *r.cq_mask];
            int i = (int) c->user_data;
            if (c->res > 0) {
                unsigned b = c->flags >> IORING_CQE_BUFFER_SHIFT;
                if (i < n) {
                    deliver(i, room + (size_t) b * BUFFER_BYTES, (size_t) c->res, at);
                }
                provided->bufs[buffer_tail & (buffers - 1)] = (struct io_uring_buf) {
                    .addr = (uint64_t) (uintptr_t) (room + (size_t) b * BUFFER_BYTES), .len = BUFFER_BYTES,
                    .bid = (uint16_t) b};
                buffer_tail++;
            }
            if (!(c->flags & IORING_CQE_F_MORE)) { /* the multishot receive ended */
                if (c->res == 0 || (c->res < 0 && c->res != -ENOBUFS)) {
                    fprintf(stderr, "fanout_client: %s %d: %s\n", i < n ? "subscriber" : "publisher", i,
                            c->res == 0 ? "the server closed it" : strerror(-c->res));
                    exit(1);
                }
                arm(&r, i < n ? subs[i] : pub, (unsigned) i); /* out of buffers, or the CQ was full: again */
            }
        }
        __atomic_store_n(&provided->tail, buffer_tail, __ATOMIC_RELEASE);
        __atomic_store_n(r.cq_head, h, __ATOMIC_RELEASE);
        after_batch(at);
    }
}

int main(int argc, char **argv) {
    if (argc < 10 || argc > 11 || (strcmp(argv[2], "epoll") != 0 && strcmp(argv[2], "uring") != 0)) {
        fprintf(stderr, "usage: fanout_client chat|resp epoll|uring SOCKET SUBSCRIBERS MESSAGES WINDOW SIZE WARM_UP"
                " SERVER_PID [BUFFERS]\n");
        return 2;
    }
    chat = strcmp(argv[1], "chat") == 0;
    int uring = strcmp(argv[2], "uring") == 0;
    const char *path = argv[3];
    n = atoi(argv[4]), m = atoi(argv[5]), window = atoi(argv[6]), size = atoi(argv[7]), warm = atoi(argv[8]);
    server = atol(argv[9]);
    if (argc == 11) {
        buffers = (unsigned) atoi(argv[10]);
    }
    if (n < 1 || m < 1 || window < 1 || warm < 0 || warm >= m || size < 0 || buffers < 1 || buffers > 32768
            || (buffers & (buffers - 1)) != 0) {
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
    got = calloc((size_t) n, sizeof(long));
    at_count = calloc((size_t) m + 1, sizeof(int));
    tail = calloc((size_t) n, STAMP);
    tail_len = calloc((size_t) n, sizeof(int));
    hist = calloc(BUCKETS, sizeof(uint64_t));
    text = malloc((size_t) size + 128);
    if (!subs || !got || !at_count || !tail || !tail_len || !hist || !text) {
        die("memory");
    }
    at_count[0] = n;
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
    pub = dial(path);
    if (chat) {
        put(pub, "sender\n", 7);
        await_text(pub, "*** you are sender;");
    }
    total = (long) n * m;
    last_progress = now_ns();
    if (warm == 0) {
        from = now_ns();
        cpu_sample(server, &cpu_from);
    }
    head = chat ? 0 : snprintf(text, 64, "*3\r\n$7\r\nPUBLISH\r\n$4\r\nchat\r\n$%d\r\n", size);
    if (uring) {
        receive_uring(subs);
    } else {
        receive_epoll(subs);
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
