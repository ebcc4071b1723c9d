/*
 * ipc4j bench's C reference: the same exchange as the Java bench (Exchange.java), between a parent and a
 * forked child, so that the report can put Java next to C for each mechanism.
 *
 *   bench_ref MECHANISM SIZE WARMUP ITERATIONS STREAM WORKDIR PIN
 *
 * MECHANISM: pipe fifo posix-mq sysv-mq unix-stream unix-dgram unix-seqpacket tcp udp futex mmap-spin signal
 * eventfd posix-sem sysv-sem shm-channel-spin shm-channel-futex. SIZE 0 for futex, mmap-spin, eventfd (one
 * eventfd each way, blocking 8-byte reads), signal (a queued real-time signal each way: sigqueue, then
 * sigwaitinfo), posix-sem (two named semaphores: sem_post, sem_clockwait with a 60 s deadline, as the Java
 * side) and sysv-sem (one private set of two: semop -1 on one, +1 on the other). sysv-mq: two private queues,
 * msgsnd of type 1, msgrcv of any type. udp: two sockets bound to 127.0.0.1 and connected to each other.
 * shm-channel-spin: ipc4j's one-to-one ring, written in C (same layout and protocol as OneToOneChannel: 8-byte
 * record headers of length and type, 8-byte alignment, the sender zeroes the next header, a padding record at
 * the wrap), one 1 MiB ring each way, both sides busy-spinning. shm-channel-futex: the same rings, the receiver
 * waiting as ipc4j's spin-park does (2,048 spins, then it announces its sleep in the header, re-checks and
 * sleeps on the wake sequence's futex; the sender publishes with a full fence and wakes it when announced).
 * shm-channel-doorbell: the same rings, the receiver not spinning: when its ring is empty it announces its
 * sleep, re-checks, waits in epoll_wait on its eventfd (the doorbell) and takes the count; a sender that sees
 * the announcement bumps the wake sequence, wakes the futex and rings the doorbell, as ipc4j's sender does.
 * Prints "latency COUNT P50 P90 P99 P999 MAX" (nanoseconds, warm-up excluded) and, when STREAM > 0,
 * "throughput MESSAGES NANOS". Exits non-zero with a message on stderr on any failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <mqueue.h>
#include <semaphore.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A spin-wait hint: PAUSE on x86, YIELD on aarch64, a compiler barrier elsewhere. */
#if defined(__x86_64__) || defined(__i386__)
#define cpu_relax() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define cpu_relax() __asm__ __volatile__("yield" ::: "memory")
#else
#define cpu_relax() __asm__ __volatile__("" ::: "memory")
#endif

static const char *mechanism;
static long size, warmup, iterations, stream;
static int fd_in = -1, fd_out = -1;       /* stream mechanisms */
static mqd_t mq_in = -1, mq_out = -1;     /* posix-mq */
static int msq_in = -1, msq_out = -1;     /* sysv-mq */
static struct { long type; char text[]; } *message; /* sysv-mq's msgsnd/msgrcv buffer */
static sem_t *sem_in, *sem_out;           /* posix-sem */
static int sem_set = -1;                  /* sysv-sem: semaphore 0 is the parent's in, 1 the child's */
static unsigned short sem_mine;           /* sysv-sem: the semaphore this side takes */
static int parks;                         /* shm-channel-futex and -doorbell: the receiver may sleep */
static int bell_in = -1, bell_out = -1, bell_poll = -1; /* shm-channel-doorbell: eventfds and the epoll set */
static volatile int *word_mine, *word_theirs; /* futex and mmap-spin */
static int sent, received;
static pid_t peer;                        /* signal */
static sigset_t rt_set;                   /* signal: SIGRTMIN+1, blocked, taken by sigwaitinfo */
static char *buffer;

static void die(const char *what);

/* shm-channel-spin: one ring per direction; the header's tail and head sit at ipc4j's offsets. */
#define RING_HEADER 512
#define RING_CAPACITY (1u << 20)
#define RING_MASK (RING_CAPACITY - 1)
#define RING_TAIL_OFFSET 128
#define RING_HEAD_OFFSET 256
#define RING_RECEIVER_WAITING_OFFSET 384
#define RING_WAKE_SEQUENCE_OFFSET 388
#define RING_SPINS 2048
#define PADDING_TYPE 0xffffffffu
static char *ring_out, *ring_in;          /* region starts: header, then the ring */
static uint64_t out_tail, out_head_cache, in_head;

static void ring_send(const char *p, uint32_t n) {
    char *data = ring_out + RING_HEADER;
    uint32_t aligned = (n + 8 + 7) & ~7u;
    for (;;) {
        uint32_t index = (uint32_t) out_tail & RING_MASK, to_end = RING_CAPACITY - index;
        uint64_t needed = (aligned <= to_end ? aligned : to_end + aligned) + 8;
        if (out_tail + needed - out_head_cache > RING_CAPACITY) {
            out_head_cache = __atomic_load_n((uint64_t *) (ring_out + RING_HEAD_OFFSET), __ATOMIC_ACQUIRE);
            if (out_tail + needed - out_head_cache > RING_CAPACITY) { cpu_relax(); continue; }
        }
        if (aligned > to_end) {
            *(volatile uint64_t *) data = 0;
            __atomic_store_n((uint64_t *) (data + index), ((uint64_t) PADDING_TYPE << 32) | to_end, __ATOMIC_RELEASE);
            out_tail += to_end;
            index = 0;
        }
        memcpy(data + index + 8, p, n);
        out_tail += aligned;
        *(volatile uint64_t *) (data + ((uint32_t) out_tail & RING_MASK)) = 0;
        __atomic_store_n((uint64_t *) (data + index), ((uint64_t) 1 << 32) | (n + 8),
                         parks ? __ATOMIC_SEQ_CST : __ATOMIC_RELEASE);
        if (parks && __atomic_load_n((int *) (ring_out + RING_RECEIVER_WAITING_OFFSET), __ATOMIC_SEQ_CST)) {
            __atomic_fetch_add((int *) (ring_out + RING_WAKE_SEQUENCE_OFFSET), 1, __ATOMIC_SEQ_CST);
            syscall(SYS_futex, ring_out + RING_WAKE_SEQUENCE_OFFSET, FUTEX_WAKE, 1, NULL, NULL, 0);
            uint64_t one = 1;
            if (bell_out >= 0 && write(bell_out, &one, sizeof one) != sizeof one) die("write doorbell");
        }
        __atomic_store_n((uint64_t *) (ring_out + RING_TAIL_OFFSET), out_tail, __ATOMIC_RELEASE);
        return;
    }
}

/* shm-channel-futex: the receiver's sleep once its spins are spent (RingReceiver's sleepUntilWoken). */
static void ring_sleep(const char *data) {
    int *waiting = (int *) (ring_in + RING_RECEIVER_WAITING_OFFSET), *sequence = (int *) (ring_in + RING_WAKE_SEQUENCE_OFFSET);
    int seen = __atomic_load_n(sequence, __ATOMIC_SEQ_CST);
    __atomic_store_n(waiting, 1, __ATOMIC_SEQ_CST);
    if ((int32_t) __atomic_load_n((uint64_t *) (data + ((uint32_t) in_head & RING_MASK)), __ATOMIC_SEQ_CST) <= 0) {
        if (bell_poll >= 0) {
            struct epoll_event event;
            uint64_t count;
            while (epoll_wait(bell_poll, &event, 1, 60000) < 0) if (errno != EINTR) die("epoll_wait");
            if (read(bell_in, &count, sizeof count) < 0 && errno != EAGAIN) die("read doorbell");
        } else {
            struct timespec longest = {0, 100000000};
            syscall(SYS_futex, sequence, FUTEX_WAIT, seen, &longest, NULL, 0);
        }
    }
    __atomic_store_n(waiting, 0, __ATOMIC_SEQ_CST);
}

static void ring_receive(char *p, uint32_t capacity) {
    char *data = ring_in + RING_HEADER;
    int idle = 0;
    for (;;) {
        uint32_t index = (uint32_t) in_head & RING_MASK;
        uint64_t word = __atomic_load_n((uint64_t *) (data + index), __ATOMIC_ACQUIRE);
        int32_t length = (int32_t) (uint32_t) word;
        if (length <= 0) {
            if (parks && ++idle > (bell_poll >= 0 ? 0 : RING_SPINS)) ring_sleep(data); else cpu_relax();
            continue;
        }
        if ((uint32_t) (word >> 32) != PADDING_TYPE) {
            if ((uint32_t) length - 8 > capacity) { errno = EMSGSIZE; die("ring_receive"); }
            memcpy(p, data + index + 8, (size_t) length - 8);
            in_head += ((uint32_t) length + 7) & ~7u;
            __atomic_store_n((uint64_t *) (ring_in + RING_HEAD_OFFSET), in_head, __ATOMIC_RELEASE);
            return;
        }
        in_head += (uint32_t) length;
        __atomic_store_n((uint64_t *) (ring_in + RING_HEAD_OFFSET), in_head, __ATOMIC_RELEASE);
    }
}

static void die(const char *what) {
    fprintf(stderr, "bench_ref %s: %s: %s\n", mechanism, what, strerror(errno));
    exit(1);
}

static uint64_t now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t) t.tv_sec * 1000000000u + (uint64_t) t.tv_nsec;
}

static void write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) { if (errno == EINTR) continue; die("write"); }
        p += w; n -= (size_t) w;
    }
}

static void read_all(int fd, char *p, size_t n) {
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r < 0) { if (errno == EINTR) continue; die("read"); }
        if (r == 0) { errno = EPIPE; die("read: end of stream"); }
        p += r; n -= (size_t) r;
    }
}

static long futex(volatile int *addr, int op, int val) {
    struct timespec one_second = {1, 0};
    return syscall(SYS_futex, addr, op, val, op == FUTEX_WAIT ? &one_second : NULL, NULL, 0);
}

static void send_message(void) {
    if (!strcmp(mechanism, "posix-mq")) {
        if (mq_send(mq_out, buffer, (size_t) size, 0) != 0) die("mq_send");
    } else if (!strcmp(mechanism, "signal")) {
        union sigval value = {.sival_int = ++sent};
        if (sigqueue(peer, SIGRTMIN + 1, value) != 0) die("sigqueue");
    } else if (!strcmp(mechanism, "sysv-mq")) {
        if (msgsnd(msq_out, message, (size_t) size, 0) != 0) die("msgsnd");
    } else if (!strcmp(mechanism, "posix-sem")) {
        if (sem_post(sem_out) != 0) die("sem_post");
    } else if (!strcmp(mechanism, "sysv-sem")) {
        struct sembuf give = {.sem_num = (unsigned short) (1 - sem_mine), .sem_op = 1};
        if (semop(sem_set, &give, 1) != 0) die("semop +1");
    } else if (!strncmp(mechanism, "shm-channel-", 12)) {
        ring_send(buffer, (uint32_t) size);
    } else if (!strcmp(mechanism, "eventfd")) {
        uint64_t one = 1;
        if (write(fd_out, &one, sizeof one) != sizeof one) die("write eventfd");
    } else if (!strcmp(mechanism, "futex") || !strcmp(mechanism, "mmap-spin")) {
        __atomic_store_n(word_mine, ++sent, __ATOMIC_RELEASE);
        if (!strcmp(mechanism, "futex")) futex(word_mine, FUTEX_WAKE, 1);
    } else {
        write_all(fd_out, buffer, (size_t) size);
    }
}

static void receive_message(void) {
    if (!strcmp(mechanism, "posix-mq")) {
        unsigned prio;
        if (mq_receive(mq_in, buffer, (size_t) (size > 0 ? size : 1), &prio) < 0) die("mq_receive");
    } else if (!strcmp(mechanism, "sysv-mq")) {
        while (msgrcv(msq_in, message, (size_t) (size > 0 ? size : 1), 0, 0) < 0) if (errno != EINTR) die("msgrcv");
    } else if (!strcmp(mechanism, "posix-sem")) {
        struct timespec deadline;
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_sec += 60;
        while (sem_clockwait(sem_in, CLOCK_MONOTONIC, &deadline) != 0) if (errno != EINTR) die("sem_clockwait");
    } else if (!strcmp(mechanism, "sysv-sem")) {
        struct sembuf take = {.sem_num = sem_mine, .sem_op = -1};
        while (semop(sem_set, &take, 1) != 0) if (errno != EINTR) die("semop -1");
    } else if (!strncmp(mechanism, "shm-channel-", 12)) {
        ring_receive(buffer, (uint32_t) (size > 0 ? size : 1));
    } else if (!strcmp(mechanism, "eventfd")) {
        uint64_t count;
        while (read(fd_in, &count, sizeof count) != sizeof count) if (errno != EINTR) die("read eventfd");
    } else if (!strcmp(mechanism, "signal")) {
        siginfo_t info;
        while (sigwaitinfo(&rt_set, &info) < 0) if (errno != EINTR) die("sigwaitinfo");
    } else if (!strcmp(mechanism, "futex")) {
        int seen;
        received++;
        while ((seen = __atomic_load_n(word_theirs, __ATOMIC_ACQUIRE)) != received) futex(word_theirs, FUTEX_WAIT, seen);
    } else if (!strcmp(mechanism, "mmap-spin")) {
        received++;
        while (__atomic_load_n(word_theirs, __ATOMIC_ACQUIRE) != received) cpu_relax();
    } else {
        read_all(fd_in, buffer, (size_t) size);
    }
}

static int compare(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
    return x < y ? -1 : x > y;
}

static uint64_t percentile(uint64_t *sorted, long n, double p) {
    long index = (long) ((p / 100.0) * (double) n + 0.999999) - 1;
    if (index < 0) index = 0;
    if (index >= n) index = n - 1;
    return sorted[index];
}

/* shm-channel-doorbell: each side's epoll set holds its own doorbell, as its EventLoop does. */
static void open_bell_poll(void) {
    if (bell_in < 0) return;
    struct epoll_event event = {.events = EPOLLIN};
    if ((bell_poll = epoll_create1(0)) < 0 || epoll_ctl(bell_poll, EPOLL_CTL_ADD, bell_in, &event)) die("epoll");
}

static void run_parent(void) {
    open_bell_poll();
    uint64_t *samples = malloc(sizeof(uint64_t) * (size_t) (iterations > 0 ? iterations : 1));
    for (long i = 0; i < warmup; i++) { send_message(); receive_message(); }
    for (long i = 0; i < iterations; i++) {
        uint64_t start = now();
        send_message();
        receive_message();
        samples[i] = now() - start;
    }
    qsort(samples, (size_t) iterations, sizeof(uint64_t), compare);
    printf("latency %ld %lu %lu %lu %lu %lu\n", iterations, (unsigned long) percentile(samples, iterations, 50),
           (unsigned long) percentile(samples, iterations, 90), (unsigned long) percentile(samples, iterations, 99),
           (unsigned long) percentile(samples, iterations, 99.9), (unsigned long) samples[iterations - 1]);
    if (stream > 0) {
        for (long i = 0; i < stream / 2; i++) send_message(); /* the warm-up stream, as the Java side's */
        receive_message();
        uint64_t start = now();
        for (long i = 0; i < stream; i++) send_message();
        receive_message();
        printf("throughput %ld %lu\n", stream, (unsigned long) (now() - start));
    }
    free(samples);
}

static void run_child(void) {
    open_bell_poll();
    for (long i = 0; i < warmup + iterations; i++) { receive_message(); send_message(); }
    if (stream > 0) {
        for (long i = 0; i < stream / 2; i++) receive_message();
        send_message();
        for (long i = 0; i < stream; i++) receive_message();
        send_message();
    }
}

static void pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof set, &set);
}

int main(int argc, char **argv) {
    if (argc != 8) {
        fprintf(stderr, "usage: bench_ref MECHANISM SIZE WARMUP ITERATIONS STREAM WORKDIR PIN\n");
        return 2;
    }
    mechanism = argv[1];
    size = atol(argv[2]); warmup = atol(argv[3]); iterations = atol(argv[4]); stream = atol(argv[5]);
    const char *dir = argv[6];
    int pinned = atoi(argv[7]);
    buffer = calloc(1, (size_t) (size > 0 ? size : 1));
    message = calloc(1, sizeof(long) + (size_t) (size > 0 ? size : 1));
    message->type = 1;
    int down[2] = {-1, -1}, up[2] = {-1, -1}, listener = -1;
    char fifo_down[4096], fifo_up[4096], sock_path[108], mq_down[64], mq_up[64];
    struct sockaddr_in tcp_address, udp_address[2];

    if (!strcmp(mechanism, "pipe")) {
        if (pipe(down) || pipe(up)) die("pipe");
    } else if (!strcmp(mechanism, "fifo")) {
        snprintf(fifo_down, sizeof fifo_down, "%s/cref-down.fifo", dir);
        snprintf(fifo_up, sizeof fifo_up, "%s/cref-up.fifo", dir);
        if (mkfifo(fifo_down, 0600) || mkfifo(fifo_up, 0600)) die("mkfifo");
    } else if (!strcmp(mechanism, "posix-mq")) {
        struct mq_attr attr = {0};
        attr.mq_maxmsg = 10;
        FILE *f = fopen("/proc/sys/fs/mqueue/msg_max", "r");
        long max = 10;
        if (f) { if (fscanf(f, "%ld", &max) != 1) max = 10; fclose(f); }
        if (max < attr.mq_maxmsg) attr.mq_maxmsg = max;
        attr.mq_msgsize = size > 0 ? size : 1;
        snprintf(mq_down, sizeof mq_down, "/ipc4j-cref-%d-down", getpid());
        snprintf(mq_up, sizeof mq_up, "/ipc4j-cref-%d-up", getpid());
        mqd_t a = mq_open(mq_down, O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
        mqd_t b = mq_open(mq_up, O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
        if (a == (mqd_t) -1 || b == (mqd_t) -1) die("mq_open");
        mq_close(a); mq_close(b);
    } else if (!strcmp(mechanism, "sysv-mq")) {
        down[0] = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
        up[0] = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
        if (down[0] < 0 || up[0] < 0) die("msgget");
    } else if (!strcmp(mechanism, "posix-sem")) {
        snprintf(mq_down, sizeof mq_down, "/ipc4j-cref-%d-down", getpid());
        snprintf(mq_up, sizeof mq_up, "/ipc4j-cref-%d-up", getpid());
        sem_t *a = sem_open(mq_down, O_CREAT | O_EXCL, 0600, 0), *b = sem_open(mq_up, O_CREAT | O_EXCL, 0600, 0);
        if (a == SEM_FAILED || b == SEM_FAILED) die("sem_open");
        sem_close(a); sem_close(b);
    } else if (!strcmp(mechanism, "sysv-sem")) {
        if ((sem_set = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600)) < 0) die("semget");
    } else if (!strcmp(mechanism, "udp")) {
        for (int i = 0; i < 2; i++) {
            socklen_t length = sizeof udp_address[i];
            memset(&udp_address[i], 0, sizeof udp_address[i]);
            udp_address[i].sin_family = AF_INET;
            udp_address[i].sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            if ((down[i] = socket(AF_INET, SOCK_DGRAM, 0)) < 0
                || bind(down[i], (struct sockaddr *) &udp_address[i], sizeof udp_address[i])
                || getsockname(down[i], (struct sockaddr *) &udp_address[i], &length)) die("udp socket");
        }
        if (connect(down[0], (struct sockaddr *) &udp_address[1], sizeof udp_address[1])
            || connect(down[1], (struct sockaddr *) &udp_address[0], sizeof udp_address[0])) die("udp connect");
    } else if (!strcmp(mechanism, "unix-stream")) {
        struct sockaddr_un address = {.sun_family = AF_UNIX};
        snprintf(sock_path, sizeof sock_path, "%s/cref.sock", dir);
        memcpy(address.sun_path, sock_path, strlen(sock_path) + 1);
        listener = socket(AF_UNIX, SOCK_STREAM, 0);
        if (listener < 0 || bind(listener, (struct sockaddr *) &address, sizeof address) || listen(listener, 1))
            die("unix socket");
    } else if (!strcmp(mechanism, "tcp")) {
        socklen_t length = sizeof tcp_address;
        memset(&tcp_address, 0, sizeof tcp_address);
        tcp_address.sin_family = AF_INET;
        tcp_address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        listener = socket(AF_INET, SOCK_STREAM, 0);
        if (listener < 0 || bind(listener, (struct sockaddr *) &tcp_address, sizeof tcp_address)
            || listen(listener, 1) || getsockname(listener, (struct sockaddr *) &tcp_address, &length))
            die("tcp socket");
    } else if (!strcmp(mechanism, "unix-dgram") || !strcmp(mechanism, "unix-seqpacket")) {
        int pair[2];
        int dgram = !strcmp(mechanism, "unix-dgram");
        if (socketpair(AF_UNIX, dgram ? SOCK_DGRAM : SOCK_SEQPACKET, 0, pair)) die("socketpair");
        if (dgram) { /* room for 64 KiB datagrams in flight: the Java side asks for the same */
            int bytes = 4 << 20;
            setsockopt(pair[0], SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes);
            setsockopt(pair[1], SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes);
        }
        down[0] = pair[0]; down[1] = pair[1];
    } else if (!strcmp(mechanism, "eventfd")) {
        down[0] = down[1] = eventfd(0, 0);
        up[0] = up[1] = eventfd(0, 0);
        if (down[0] < 0 || up[0] < 0) die("eventfd");
    } else if (!strcmp(mechanism, "signal")) {
        sigemptyset(&rt_set);
        sigaddset(&rt_set, SIGRTMIN + 1);
        if (sigprocmask(SIG_BLOCK, &rt_set, NULL)) die("sigprocmask"); /* inherited by the child */
    } else if (!strcmp(mechanism, "futex") || !strcmp(mechanism, "mmap-spin")) {
        void *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (shared == MAP_FAILED) die("mmap");
        word_mine = (volatile int *) shared;
        word_theirs = (volatile int *) ((char *) shared + 64);
    } else if (!strncmp(mechanism, "shm-channel-", 12)) {
        if (strcmp(mechanism, "shm-channel-spin") && strcmp(mechanism, "shm-channel-futex")
            && strcmp(mechanism, "shm-channel-doorbell")) {
            fprintf(stderr, "bench_ref: no C reference for %s\n", mechanism);
            return 2;
        }
        parks = strcmp(mechanism, "shm-channel-spin") != 0;
        if (!strcmp(mechanism, "shm-channel-doorbell")) {
            down[0] = eventfd(0, EFD_NONBLOCK);
            up[0] = eventfd(0, EFD_NONBLOCK);
            if (down[0] < 0 || up[0] < 0) die("eventfd");
        }
        size_t region = RING_HEADER + RING_CAPACITY;
        char *shared = mmap(NULL, 2 * region, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (shared == MAP_FAILED) die("mmap");
        ring_out = shared;
        ring_in = shared + region;
    } else {
        fprintf(stderr, "bench_ref: no C reference for %s\n", mechanism);
        return 2;
    }

    pid_t child = fork();
    if (child < 0) die("fork");
    int one = 1;
    if (child == 0) {
        if (pinned) pin(1);
        if (!strcmp(mechanism, "pipe")) { fd_in = down[0]; fd_out = up[1]; close(down[1]); close(up[0]); }
        else if (!strcmp(mechanism, "eventfd")) { fd_in = down[0]; fd_out = up[0]; }
        else if ((!strncmp(mechanism, "unix-", 5) && strcmp(mechanism, "unix-stream")) || !strcmp(mechanism, "udp")) {
            fd_in = fd_out = down[1]; close(down[0]);
        } else if (!strcmp(mechanism, "signal")) peer = getppid();
        else if (!strcmp(mechanism, "sysv-mq")) { msq_in = down[0]; msq_out = up[0]; }
        else if (!strcmp(mechanism, "sysv-sem")) sem_mine = 1;
        else if (!strcmp(mechanism, "posix-sem")) {
            if ((sem_in = sem_open(mq_down, 0)) == SEM_FAILED || (sem_out = sem_open(mq_up, 0)) == SEM_FAILED)
                die("sem_open child");
        }
        else if (!strcmp(mechanism, "fifo")) {
            if ((fd_in = open(fifo_down, O_RDONLY)) < 0 || (fd_out = open(fifo_up, O_WRONLY)) < 0) die("open fifo");
        } else if (!strcmp(mechanism, "posix-mq")) {
            if ((mq_in = mq_open(mq_down, O_RDONLY)) == (mqd_t) -1 || (mq_out = mq_open(mq_up, O_WRONLY)) == (mqd_t) -1)
                die("mq_open child");
        } else if (!strcmp(mechanism, "unix-stream") || !strcmp(mechanism, "tcp")) {
            close(listener);
            int s;
            if (!strcmp(mechanism, "tcp")) {
                s = socket(AF_INET, SOCK_STREAM, 0);
                if (s < 0 || connect(s, (struct sockaddr *) &tcp_address, sizeof tcp_address)) die("connect");
                setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            } else {
                struct sockaddr_un address = {.sun_family = AF_UNIX};
                memcpy(address.sun_path, sock_path, strlen(sock_path) + 1);
                s = socket(AF_UNIX, SOCK_STREAM, 0);
                if (s < 0 || connect(s, (struct sockaddr *) &address, sizeof address)) die("connect");
            }
            fd_in = fd_out = s;
        } else if (!strncmp(mechanism, "shm-channel-", 12)) {
            char *t = ring_out; ring_out = ring_in; ring_in = t;
            if (down[0] >= 0) { bell_in = down[0]; bell_out = up[0]; }
        } else {
            volatile int *t = word_mine; word_mine = word_theirs; word_theirs = t;
        }
        run_child();
        _exit(0);
    }
    if (pinned) pin(0);
    if (!strcmp(mechanism, "pipe")) { fd_in = up[0]; fd_out = down[1]; close(down[0]); close(up[1]); }
    else if (!strcmp(mechanism, "eventfd")) { fd_in = up[0]; fd_out = down[0]; }
    else if ((!strncmp(mechanism, "unix-", 5) && strcmp(mechanism, "unix-stream")) || !strcmp(mechanism, "udp")) {
        fd_in = fd_out = down[0]; close(down[1]);
    } else if (!strcmp(mechanism, "signal")) peer = child;
    else if (!strcmp(mechanism, "sysv-mq")) { msq_in = up[0]; msq_out = down[0]; }
    else if (!strcmp(mechanism, "posix-sem")) {
        if ((sem_out = sem_open(mq_down, 0)) == SEM_FAILED || (sem_in = sem_open(mq_up, 0)) == SEM_FAILED)
            die("sem_open parent");
    }
    else if (!strcmp(mechanism, "fifo")) {
        if ((fd_out = open(fifo_down, O_WRONLY)) < 0 || (fd_in = open(fifo_up, O_RDONLY)) < 0) die("open fifo");
    } else if (!strcmp(mechanism, "posix-mq")) {
        if ((mq_out = mq_open(mq_down, O_WRONLY)) == (mqd_t) -1 || (mq_in = mq_open(mq_up, O_RDONLY)) == (mqd_t) -1)
            die("mq_open parent");
    } else if (!strcmp(mechanism, "unix-stream") || !strcmp(mechanism, "tcp")) {
        int s = accept(listener, NULL, NULL);
        if (s < 0) die("accept");
        if (!strcmp(mechanism, "tcp")) setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        fd_in = fd_out = s;
    }
    else if (!strcmp(mechanism, "shm-channel-doorbell")) { bell_in = up[0]; bell_out = down[0]; }
    run_parent();
    int status;
    waitpid(child, &status, 0);
    if (!strcmp(mechanism, "fifo")) { unlink(fifo_down); unlink(fifo_up); }
    if (!strcmp(mechanism, "posix-mq")) { mq_unlink(mq_down); mq_unlink(mq_up); }
    if (!strcmp(mechanism, "posix-sem")) { sem_unlink(mq_down); sem_unlink(mq_up); }
    if (!strcmp(mechanism, "sysv-mq")) { msgctl(down[0], IPC_RMID, NULL); msgctl(up[0], IPC_RMID, NULL); }
    if (!strcmp(mechanism, "sysv-sem")) semctl(sem_set, 0, IPC_RMID);
    if (!strcmp(mechanism, "unix-stream")) unlink(sock_path);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
