/*
 * ipc4j_channel.h: a C peer of ipc4j's one-to-one shared-memory channel (format version 4), in one header.
 *
 * A C program can be the sender or the receiver of a channel that a Java program (io.ipc4j.channel.
 * OneToOneChannel) created, or create one that Java attaches to. It reads and writes the exact format: the
 * validated header, the records, the futex sleep/wake handshake (with the membarrier fence a fenceless Java
 * sender relies on, and the receiver's doorbell eventfd), the heartbeats, and the pid + start-time identity
 * by which each side tells that the other died. Linux with glibc, x86-64 or aarch64; GCC/Clang atomic builtins.
 * All three kinds: one-to-one (ipc4j_channel_open / _offer / _send / _receive), many-to-one (open with
 * ipc4j_channel_open_kind(..., IPC4J_KIND_MANY_TO_ONE); senders ipc4j_m2o_offer / ipc4j_m2o_send, any number,
 * in any processes; the receiver as one-to-one's), and broadcast (ipc4j_broadcast_become_sender / ipc4j_broadcast_offer,
 * ipc4j_broadcast_become_receiver / _receive; the sender never waits, a lapped receiver counts what it lost).
 * Also ipc4j's robust mutex (io.ipc4j.sync.RobustMutex: 16 bytes in any shared memory), which a C process can
 * lock beside Java ones, and whose hold is taken over if its owner dies: ipc4j_mutex_lock / _trylock / _unlock.
 *
 *   #include "ipc4j_channel.h"
 *   ipc4j_channel ch;
 *   if (ipc4j_channel_open(&ch, "/ticks") != 0) { perror("open"); ... }   // or ipc4j_channel_create
 *   ipc4j_channel_become_receiver(&ch);
 *   char buf[IPC4J_MAX]; int type; long n = ipc4j_channel_receive(&ch, buf, sizeof buf, &type, 5000);
 *   // n >= 0: a message of n bytes; IPC4J_TIMEOUT; IPC4J_PEER_DEAD (the sender died, nothing left)
 *   ipc4j_channel_close(&ch);
 *
 * Each function returns 0 (or a length) on success and a negative IPC4J_* code or -1 with errno on failure.
 * One thread per side, as in Java. Region layout (little-endian; see the README's "The format"):
 *   0 magic "IPC4JCH1" (written last by the creator), 8 version 4, 12 kind 1, 16 capacity (a power of two),
 *   24 region length (512 + capacity), 32 creator pid, 40 creator start time;
 *   128 tail, 136 sender pid, 144 sender start, 152 sender heartbeat (epoch ms);
 *   256 head, 264 receiver pid, 272 receiver start, 280 receiver heartbeat;
 *   384 receiver waiting, 388 wake sequence (the futex word), 392 receiver may park, 396 sender fenceless,
 *   400 receiver's doorbell eventfd number (0: none);
 *   512 ring: records of | length (int, header included) | type (int) | payload |, padded to 8 bytes.
 * A "start time" is field 22 of /proc/PID/stat (clock ticks since boot).
 */
#ifndef IPC4J_CHANNEL_H
#define IPC4J_CHANNEL_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/futex.h>
#include <linux/membarrier.h>

#define IPC4J_MAGIC 0x3148434A34435049LL
#define IPC4J_VERSION 4
#define IPC4J_KIND_ONE_TO_ONE 1
#define IPC4J_KIND_MANY_TO_ONE 2
#define IPC4J_KIND_BROADCAST 3
#define IPC4J_HEADER 512
#define IPC4J_RECORD_HEADER 8
#define IPC4J_PADDING (-1)
#define IPC4J_BEAT_EVERY 4095
#define IPC4J_CHECK_MS 100

#define IPC4J_TIMEOUT (-2)
#define IPC4J_PEER_DEAD (-3)
#define IPC4J_FULL (-4)
#define IPC4J_FORMAT (-5)
#define IPC4J_TOO_LONG (-6)
#define IPC4J_BUFFER_SMALL (-7)

enum {
    IPC4J_TAIL = 128, IPC4J_SENDER_PID = 136, IPC4J_SENDER_START = 144, IPC4J_SENDER_BEAT = 152,
    IPC4J_TAIL_INTENT = 160, IPC4J_LATEST = 168, /* broadcast: how far the sender is about to write; the latest record */
    IPC4J_HEAD = 256, IPC4J_RECEIVER_PID = 264, IPC4J_RECEIVER_START = 272, IPC4J_RECEIVER_BEAT = 280,
    IPC4J_WAITING = 384, IPC4J_WAKE_SEQUENCE = 388, IPC4J_PARKS = 392, IPC4J_FENCELESS = 396, IPC4J_DOORBELL = 400
};

typedef struct {
    unsigned char *base;    /* the mapped region */
    unsigned char *ring;    /* base + 512 */
    size_t length;
    int kind;
    int64_t capacity;
    int64_t mask;
    int64_t max_length;     /* capacity / 8 - 8 */
    int64_t position;       /* this side's tail (sender) or head (receiver) */
    int64_t head_cache;     /* sender: the last head read */
    uint64_t count;         /* messages sent or received, for the heartbeat */
    uint64_t missed_wakeups; /* receiver: sleeps that ran out with a message waiting and no wake-up tried (0) */
    uint64_t lost;          /* many-to-one receiver: records skipped, their sender dead before commit;
                               broadcast receiver: bytes it missed, overrun by the sender */
    int doorbell_pid;       /* sender: whose doorbell bell_fd is a copy of, and its number there */
    int doorbell_fd;
    int bell_fd;
} ipc4j_channel;

#define IPC4J_I32(ch, off) ((int32_t *) ((ch)->base + (off)))
#define IPC4J_I64(ch, off) ((int64_t *) ((ch)->base + (off)))

static inline int64_t ipc4j_now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t) t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static inline int64_t ipc4j_monotonic_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t) t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Field 22 of /proc/PID/stat, or -1 if the process is gone or a zombie. */
static inline int64_t ipc4j_start_time(int pid) {
    char path[64], text[4096];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (f == NULL) return -1;
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    char *p = strrchr(text, ')'); /* the command name may hold spaces and parentheses */
    if (p == NULL || p[1] != ' ') return -1;
    p += 2;
    if (*p == 'Z' || *p == 'X') return -1;
    for (int field = 3; field < 22; field++) { /* p is at field 3 (state) */
        p = strchr(p, ' ');
        if (p == NULL) return -1;
        p++;
    }
    return strtoll(p, NULL, 10);
}

static inline int ipc4j_alive(int pid, int64_t start) {
    int64_t now = ipc4j_start_time(pid);
    return now >= 0 && (start == 0 || now == start);
}

static inline long ipc4j_futex(int32_t *word, int op, int value, const struct timespec *timeout) {
    return syscall(SYS_futex, word, op, value, timeout, NULL, 0); /* shared: never FUTEX_PRIVATE_FLAG */
}

static inline void ipc4j_beat(ipc4j_channel *ch, long offset) {
    __atomic_store_n(IPC4J_I64(ch, offset), ipc4j_now_ms(), __ATOMIC_RELEASE);
}

static inline int ipc4j_channel_map(ipc4j_channel *ch, int fd, size_t length) {
    memset(ch, 0, sizeof *ch);
    ch->bell_fd = -1;
    void *p = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED) return -1;
    ch->base = p;
    ch->ring = ch->base + IPC4J_HEADER;
    ch->length = length;
    return 0;
}

/* Attaches to the channel NAME (a POSIX shared memory name, "/ticks") of KIND, checking its header:
 * IPC4J_FORMAT if it is not a complete version-4 channel of that kind. */
static inline int ipc4j_channel_open_kind(ipc4j_channel *ch, const char *name, int kind) {
    int fd = shm_open(name, O_RDWR, 0);
    if (fd < 0) return -1;
    struct stat st;
    if (fstat(fd, &st) != 0) { close(fd); return -1; }
    if (st.st_size < IPC4J_HEADER) { close(fd); return IPC4J_FORMAT; }
    if (ipc4j_channel_map(ch, fd, (size_t) st.st_size) != 0) return -1;
    int64_t capacity = *IPC4J_I64(ch, 16);
    if (__atomic_load_n(IPC4J_I64(ch, 0), __ATOMIC_ACQUIRE) != IPC4J_MAGIC || *IPC4J_I32(ch, 8) != IPC4J_VERSION
            || *IPC4J_I32(ch, 12) != kind || capacity < 1024 || capacity > (1 << 30)
            || (capacity & (capacity - 1)) != 0 || *IPC4J_I64(ch, 24) != IPC4J_HEADER + capacity
            || (int64_t) ch->length < IPC4J_HEADER + capacity) {
        munmap(ch->base, ch->length);
        return IPC4J_FORMAT;
    }
    ch->kind = kind;
    ch->capacity = capacity;
    ch->mask = capacity - 1;
    ch->max_length = capacity / 8 - IPC4J_RECORD_HEADER;
    return 0;
}

/* Attaches to the one-to-one channel NAME. */
static inline int ipc4j_channel_open(ipc4j_channel *ch, const char *name) {
    return ipc4j_channel_open_kind(ch, name, IPC4J_KIND_ONE_TO_ONE);
}

/* Creates the channel NAME of KIND with a ring of CAPACITY bytes (a power of two, 1 KiB to 1 GiB). */
static inline int ipc4j_channel_create_kind(ipc4j_channel *ch, const char *name, int64_t capacity, int kind) {
    if (capacity < 1024 || capacity > (1 << 30) || (capacity & (capacity - 1)) != 0) { errno = EINVAL; return -1; }
    int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0) return -1;
    if (ftruncate(fd, IPC4J_HEADER + capacity) != 0) { close(fd); shm_unlink(name); return -1; }
    if (ipc4j_channel_map(ch, fd, (size_t) (IPC4J_HEADER + capacity)) != 0) { shm_unlink(name); return -1; }
    *IPC4J_I32(ch, 8) = IPC4J_VERSION;
    *IPC4J_I32(ch, 12) = kind;
    *IPC4J_I64(ch, 16) = capacity;
    *IPC4J_I64(ch, 24) = IPC4J_HEADER + capacity;
    *IPC4J_I32(ch, 32) = getpid();
    *IPC4J_I64(ch, 40) = ipc4j_start_time(getpid());
    __atomic_store_n(IPC4J_I64(ch, 0), IPC4J_MAGIC, __ATOMIC_SEQ_CST); /* last: a region with it is complete */
    ch->kind = kind;
    ch->capacity = capacity;
    ch->mask = capacity - 1;
    ch->max_length = capacity / 8 - IPC4J_RECORD_HEADER;
    return 0;
}

/* Creates the one-to-one channel NAME. */
static inline int ipc4j_channel_create(ipc4j_channel *ch, const char *name, int64_t capacity) {
    return ipc4j_channel_create_kind(ch, name, capacity, IPC4J_KIND_ONE_TO_ONE);
}

static inline void ipc4j_channel_close(ipc4j_channel *ch) {
    if (ch->bell_fd >= 0) close(ch->bell_fd);
    munmap(ch->base, ch->length);
    ch->base = NULL;
}

/* Takes the role whose pid is at PID_OFFSET: -1 with EBUSY if a live process holds it. */
static inline int ipc4j_claim_role(ipc4j_channel *ch, long pid_offset) {
    int self = getpid();
    for (;;) {
        int32_t pid = __atomic_load_n(IPC4J_I32(ch, pid_offset), __ATOMIC_SEQ_CST);
        if (pid != 0 && pid != self && ipc4j_alive(pid, *IPC4J_I64(ch, pid_offset + 8))) { errno = EBUSY; return -1; }
        if (__atomic_compare_exchange_n(IPC4J_I32(ch, pid_offset), &pid, self, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
            __atomic_store_n(IPC4J_I64(ch, pid_offset + 8), ipc4j_start_time(self), __ATOMIC_SEQ_CST);
            ipc4j_beat(ch, pid_offset + 16);
            return 0;
        }
    }
}

/* ---- the sender ------------------------------------------------------------------------------------------ */

/* Becomes the channel's sender. It publishes with a full fence, so it tells receivers not to fence for it. */
static inline int ipc4j_channel_become_sender(ipc4j_channel *ch) {
    if (ipc4j_claim_role(ch, IPC4J_SENDER_PID) != 0) return -1;
    __atomic_store_n(IPC4J_I32(ch, IPC4J_FENCELESS), 0, __ATOMIC_SEQ_CST);
    ch->position = __atomic_load_n(IPC4J_I64(ch, IPC4J_TAIL), __ATOMIC_ACQUIRE);
    ch->head_cache = __atomic_load_n(IPC4J_I64(ch, IPC4J_HEAD), __ATOMIC_ACQUIRE);
    return 0;
}

/* Rings the receiver's doorbell (an eventfd in its process, taken with pidfd_getfd, Linux 5.6+). */
static inline void ipc4j_ring_doorbell(ipc4j_channel *ch, int fd) {
    int pid = __atomic_load_n(IPC4J_I32(ch, IPC4J_RECEIVER_PID), __ATOMIC_ACQUIRE);
    if (ch->bell_fd < 0 || ch->doorbell_pid != pid || ch->doorbell_fd != fd) {
        if (ch->bell_fd >= 0) close(ch->bell_fd);
        ch->bell_fd = -1;
        int pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        if (pidfd < 0) return;
        ch->bell_fd = (int) syscall(SYS_pidfd_getfd, pidfd, fd, 0);
        close(pidfd);
        ch->doorbell_pid = pid;
        ch->doorbell_fd = fd;
        if (ch->bell_fd < 0) return;
    }
    uint64_t one = 1;
    ssize_t ignored = write(ch->bell_fd, &one, sizeof one);
    (void) ignored;
}

/* After a full fence: wakes the receiver if it announced a sleep (futex, and its doorbell if it has one). */
static inline void ipc4j_wake_if_waiting(ipc4j_channel *ch) {
    if (__atomic_load_n(IPC4J_I32(ch, IPC4J_WAITING), __ATOMIC_SEQ_CST) != 0) {
        __atomic_fetch_add(IPC4J_I32(ch, IPC4J_WAKE_SEQUENCE), 1, __ATOMIC_SEQ_CST);
        ipc4j_futex(IPC4J_I32(ch, IPC4J_WAKE_SEQUENCE), FUTEX_WAKE, 1, NULL);
        int doorbell = __atomic_load_n(IPC4J_I32(ch, IPC4J_DOORBELL), __ATOMIC_ACQUIRE);
        if (doorbell != 0) ipc4j_ring_doorbell(ch, doorbell);
    }
}

/* Sends LENGTH bytes with TYPE (0 or more) if there is room now: 0, IPC4J_FULL, or IPC4J_TOO_LONG. */
static inline int ipc4j_channel_offer(ipc4j_channel *ch, int type, const void *data, int64_t length) {
    if (type < 0 || length < 0 || length > ch->max_length) return IPC4J_TOO_LONG;
    int64_t aligned = (length + IPC4J_RECORD_HEADER + 7) & ~7LL;
    int64_t index = ch->position & ch->mask;
    int64_t to_end = ch->capacity - index;
    /* room for the record, any padding before it, and the next record's header, which this zeroes */
    int64_t needed = (aligned <= to_end ? aligned : to_end + aligned) + IPC4J_RECORD_HEADER;
    if (ch->position + needed - ch->head_cache > ch->capacity) {
        ch->head_cache = __atomic_load_n(IPC4J_I64(ch, IPC4J_HEAD), __ATOMIC_ACQUIRE);
        if (ch->position + needed - ch->head_cache > ch->capacity) return IPC4J_FULL;
    }
    if (aligned > to_end) { /* a padding record fills the end; the record goes to the start */
        *(int64_t *) ch->ring = 0;
        *(int32_t *) (ch->ring + index + 4) = IPC4J_PADDING;
        __atomic_store_n((int32_t *) (ch->ring + index), (int32_t) to_end, __ATOMIC_RELEASE);
        ch->position += to_end;
        index = 0;
    }
    memcpy(ch->ring + index + IPC4J_RECORD_HEADER, data, (size_t) length);
    int64_t next = ch->position + aligned;
    *(int64_t *) (ch->ring + (next & ch->mask)) = 0; /* the next header: published with this one */
    int64_t word = ((int64_t) type << 32) | (uint32_t) (length + IPC4J_RECORD_HEADER);
    if ((++ch->count & IPC4J_BEAT_EVERY) == 0) ipc4j_beat(ch, IPC4J_SENDER_BEAT);
    if (__atomic_load_n(IPC4J_I32(ch, IPC4J_PARKS), __ATOMIC_ACQUIRE) == 0) {
        __atomic_store_n((int64_t *) (ch->ring + index), word, __ATOMIC_RELEASE);
    } else { /* a full fence between this store and the check of the receiver's sleep announcement */
        __atomic_store_n((int64_t *) (ch->ring + index), word, __ATOMIC_SEQ_CST);
        ipc4j_wake_if_waiting(ch);
    }
    ch->position = next;
    __atomic_store_n(IPC4J_I64(ch, IPC4J_TAIL), next, __ATOMIC_RELEASE);
    return 0;
}

typedef int (*ipc4j_offer_fn)(ipc4j_channel *, int, const void *, int64_t);

/* Repeats OFFER while the ring is full, at most TIMEOUT_MS, backing off (a sender is not woken): 0,
 * IPC4J_TOO_LONG, IPC4J_TIMEOUT or IPC4J_PEER_DEAD (the receiver died with the ring full). */
static inline int ipc4j_send_waiting(ipc4j_channel *ch, ipc4j_offer_fn offer, int type, const void *data,
                                     int64_t length, int64_t timeout_ms) {
    int64_t deadline = ipc4j_monotonic_ms() + timeout_ms, next_check = ipc4j_monotonic_ms() + IPC4J_CHECK_MS;
    for (;;) {
        int r = offer(ch, type, data, length);
        if (r != IPC4J_FULL) return r;
        int64_t now = ipc4j_monotonic_ms();
        if (now >= deadline) return IPC4J_TIMEOUT;
        if (now >= next_check) {
            next_check = now + IPC4J_CHECK_MS;
            ipc4j_beat(ch, IPC4J_SENDER_BEAT);
            int pid = __atomic_load_n(IPC4J_I32(ch, IPC4J_RECEIVER_PID), __ATOMIC_ACQUIRE);
            if (pid != 0 && !ipc4j_alive(pid, *IPC4J_I64(ch, IPC4J_RECEIVER_START))) return IPC4J_PEER_DEAD;
        }
        struct timespec pause = {0, 50000};
        nanosleep(&pause, NULL);
    }
}

/* Sends, waiting while the ring is full at most TIMEOUT_MS: 0, IPC4J_TIMEOUT or IPC4J_PEER_DEAD. */
static inline int ipc4j_channel_send(ipc4j_channel *ch, int type, const void *data, int64_t length, int64_t timeout_ms) {
    return ipc4j_send_waiting(ch, ipc4j_channel_offer, type, data, length, timeout_ms);
}

/* ---- the receiver ---------------------------------------------------------------------------------------- */

/* Becomes the channel's receiver; it parks on the futex when idle, so senders must wake it. */
static inline int ipc4j_channel_become_receiver(ipc4j_channel *ch) {
    if (ipc4j_claim_role(ch, IPC4J_RECEIVER_PID) != 0) return -1;
    __atomic_store_n(IPC4J_I32(ch, IPC4J_DOORBELL), 0, __ATOMIC_SEQ_CST); /* an earlier receiver's is not ours */
    __atomic_store_n(IPC4J_I32(ch, IPC4J_PARKS), 1, __ATOMIC_SEQ_CST);
    ch->position = __atomic_load_n(IPC4J_I64(ch, IPC4J_HEAD), __ATOMIC_ACQUIRE);
    return 0;
}

/* One message into BUF if there is one: its length, or IPC4J_TIMEOUT if none is waiting (never waits). */
static inline long ipc4j_channel_receive_now(ipc4j_channel *ch, void *buf, long capacity, int *type) {
    for (;;) {
        int64_t index = ch->position & ch->mask;
        int32_t length = __atomic_load_n((int32_t *) (ch->ring + index), __ATOMIC_ACQUIRE);
        if (length <= 0) return IPC4J_TIMEOUT;
        int32_t kind = *(int32_t *) (ch->ring + index + 4);
        if (length < IPC4J_RECORD_HEADER || length > ch->capacity - index || kind < IPC4J_PADDING
                || (kind != IPC4J_PADDING && length - IPC4J_RECORD_HEADER > ch->max_length)) return IPC4J_FORMAT;
        int64_t aligned = (length + 7) & ~7LL;
        if (kind != IPC4J_PADDING) {
            long payload = length - IPC4J_RECORD_HEADER;
            if (payload > capacity) return IPC4J_BUFFER_SMALL;
            memcpy(buf, ch->ring + index + IPC4J_RECORD_HEADER, (size_t) payload);
            *type = kind;
            if ((++ch->count & IPC4J_BEAT_EVERY) == 0) ipc4j_beat(ch, IPC4J_RECEIVER_BEAT);
            if (ch->kind == IPC4J_KIND_MANY_TO_ONE) memset(ch->ring + index, 0, (size_t) aligned); /* senders can't */
            ch->position += aligned;
            __atomic_store_n(IPC4J_I64(ch, IPC4J_HEAD), ch->position, __ATOMIC_RELEASE);
            return payload;
        }
        if (ch->kind == IPC4J_KIND_MANY_TO_ONE) memset(ch->ring + index, 0, (size_t) aligned);
        ch->position += aligned; /* padding: skip to the start */
        __atomic_store_n(IPC4J_I64(ch, IPC4J_HEAD), ch->position, __ATOMIC_RELEASE);
    }
}

/* Announces the sleep, fences for a fenceless sender, re-checks, then sleeps on the wake sequence (at most
 * 100 ms, as Java's receiver: the caller checks the sender's life between sleeps). */
static inline void ipc4j_park(ipc4j_channel *ch) {
    int32_t sequence = __atomic_load_n(IPC4J_I32(ch, IPC4J_WAKE_SEQUENCE), __ATOMIC_SEQ_CST);
    __atomic_store_n(IPC4J_I32(ch, IPC4J_WAITING), 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(IPC4J_I32(ch, IPC4J_FENCELESS), __ATOMIC_SEQ_CST) != 0) {
        syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL_EXPEDITED, 0, 0);
    }
    int32_t *head = (int32_t *) (ch->ring + (ch->position & ch->mask));
    if (__atomic_load_n(head, __ATOMIC_SEQ_CST) <= 0) {
        struct timespec timeout = {0, IPC4J_CHECK_MS * 1000000L};
        long r = ipc4j_futex(IPC4J_I32(ch, IPC4J_WAKE_SEQUENCE), FUTEX_WAIT, sequence, &timeout);
        if (r == -1 && errno == ETIMEDOUT && __atomic_load_n(IPC4J_I32(ch, IPC4J_WAKE_SEQUENCE), __ATOMIC_SEQ_CST)
                == sequence && __atomic_load_n(head, __ATOMIC_SEQ_CST) > 0) {
            ch->missed_wakeups++; /* a message came during the sleep and no sender tried to wake us */
        }
    }
    __atomic_store_n(IPC4J_I32(ch, IPC4J_WAITING), 0, __ATOMIC_SEQ_CST);
}

/* Many-to-one: skips the record at the head if a sender claimed it (negative length, -pid in the type slot)
 * and died before committing it; counts it in ch->lost. */
static inline int ipc4j_skip_abandoned(ipc4j_channel *ch) {
    int64_t index = ch->position & ch->mask;
    int32_t length = __atomic_load_n((int32_t *) (ch->ring + index), __ATOMIC_ACQUIRE);
    if (length >= 0) return 0;
    int pid = -*(int32_t *) (ch->ring + index + 4);
    if (pid <= 0 || ipc4j_alive(pid, 0)) return 0;
    memset(ch->ring + index, 0, (size_t) -length);
    ch->position -= length;
    __atomic_store_n(IPC4J_I64(ch, IPC4J_HEAD), ch->position, __ATOMIC_RELEASE);
    ch->lost++;
    return 1;
}

/* Receives one message, waiting at most TIMEOUT_MS: its length, IPC4J_TIMEOUT, or IPC4J_PEER_DEAD once the
 * sender died and nothing is left to read (one-to-one only: many-to-one senders are not registered). */
static inline long ipc4j_channel_receive(ipc4j_channel *ch, void *buf, long capacity, int *type, int64_t timeout_ms) {
    int64_t deadline = ipc4j_monotonic_ms() + timeout_ms, next_check = 0;
    for (int spins = 0;; spins++) {
        long n = ipc4j_channel_receive_now(ch, buf, capacity, type);
        if (n != IPC4J_TIMEOUT) return n;
        if (spins < 2048) continue; /* most waits end while spinning: no clock read for them */
        int64_t now = ipc4j_monotonic_ms();
        if (now >= deadline) return IPC4J_TIMEOUT;
        if (now >= next_check) { /* every 100 ms: a sign of life, and is the sender still alive? */
            next_check = now + IPC4J_CHECK_MS;
            ipc4j_beat(ch, IPC4J_RECEIVER_BEAT);
            if (ch->kind == IPC4J_KIND_MANY_TO_ONE && ipc4j_skip_abandoned(ch)) continue;
            int pid = __atomic_load_n(IPC4J_I32(ch, IPC4J_SENDER_PID), __ATOMIC_ACQUIRE); /* 0 in many-to-one */
            if (pid != 0 && !ipc4j_alive(pid, *IPC4J_I64(ch, IPC4J_SENDER_START))) {
                n = ipc4j_channel_receive_now(ch, buf, capacity, type); /* what it committed before it died */
                return n != IPC4J_TIMEOUT ? n : IPC4J_PEER_DEAD;
            }
        }
        ipc4j_park(ch);
    }
}

/* ---- many-to-one senders ----------------------------------------------------------------------------------- */

/* Sends LENGTH bytes with TYPE if there is room now (any number of senders, in any threads and processes):
 * 0, IPC4J_FULL or IPC4J_TOO_LONG. Claims room with a compare-and-set on the tail and marks the record as this
 * process's (-pid, a negative length) until it commits, so that a receiver can skip it if this process dies. */
static inline int ipc4j_m2o_offer(ipc4j_channel *ch, int type, const void *data, int64_t length) {
    if (type < 0 || length < 0 || length > ch->max_length) return IPC4J_TOO_LONG;
    int64_t aligned = (length + IPC4J_RECORD_HEADER + 7) & ~7LL;
    int64_t index;
    for (;;) {
        int64_t head = __atomic_load_n(IPC4J_I64(ch, IPC4J_HEAD), __ATOMIC_SEQ_CST);
        int64_t tail = __atomic_load_n(IPC4J_I64(ch, IPC4J_TAIL), __ATOMIC_SEQ_CST);
        index = tail & ch->mask;
        int64_t to_end = ch->capacity - index;
        int64_t needed = aligned <= to_end ? aligned : to_end + aligned;
        if (tail + needed - head > ch->capacity) return IPC4J_FULL;
        if (__atomic_compare_exchange_n(IPC4J_I64(ch, IPC4J_TAIL), &tail, tail + needed, 0, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST)) {
            if (needed != aligned) {
                *(int32_t *) (ch->ring + index + 4) = IPC4J_PADDING;
                __atomic_store_n((int32_t *) (ch->ring + index), (int32_t) to_end, __ATOMIC_RELEASE);
                index = 0;
            }
            *(int32_t *) (ch->ring + index + 4) = -getpid();
            __atomic_store_n((int32_t *) (ch->ring + index), (int32_t) -aligned, __ATOMIC_RELEASE);
            break;
        }
    }
    memcpy(ch->ring + index + IPC4J_RECORD_HEADER, data, (size_t) length);
    *(int32_t *) (ch->ring + index + 4) = type;
    if ((++ch->count & IPC4J_BEAT_EVERY) == 0) ipc4j_beat(ch, IPC4J_SENDER_BEAT);
    int32_t record = (int32_t) (length + IPC4J_RECORD_HEADER);
    if (__atomic_load_n(IPC4J_I32(ch, IPC4J_PARKS), __ATOMIC_ACQUIRE) == 0) {
        __atomic_store_n((int32_t *) (ch->ring + index), record, __ATOMIC_RELEASE);
    } else {
        __atomic_store_n((int32_t *) (ch->ring + index), record, __ATOMIC_SEQ_CST);
        ipc4j_wake_if_waiting(ch);
    }
    return 0;
}

/* As ipc4j_m2o_offer, waiting while the ring is full at most TIMEOUT_MS: 0, IPC4J_TIMEOUT or IPC4J_PEER_DEAD. */
static inline int ipc4j_m2o_send(ipc4j_channel *ch, int type, const void *data, int64_t length, int64_t timeout_ms) {
    return ipc4j_send_waiting(ch, ipc4j_m2o_offer, type, data, length, timeout_ms);
}

/* ---- broadcast ---------------------------------------------------------------------------------------------- */

/* Becomes the log's one sender: -1 with EBUSY if a live process already is. */
static inline int ipc4j_broadcast_become_sender(ipc4j_channel *ch) {
    return ipc4j_claim_role(ch, IPC4J_SENDER_PID);
}

/* Appends one message; never waits (the oldest records are overwritten): 0 or IPC4J_TOO_LONG. */
static inline int ipc4j_broadcast_offer(ipc4j_channel *ch, int type, const void *data, int64_t length) {
    if (type < 0 || length < 0 || length > ch->max_length) return IPC4J_TOO_LONG;
    int64_t aligned = (length + IPC4J_RECORD_HEADER + 7) & ~7LL;
    int64_t tail = __atomic_load_n(IPC4J_I64(ch, IPC4J_TAIL), __ATOMIC_RELAXED);
    int64_t index = tail & ch->mask, to_end = ch->capacity - index;
    int pad = aligned > to_end;
    __atomic_store_n(IPC4J_I64(ch, IPC4J_TAIL_INTENT), tail + aligned + (pad ? to_end : 0), __ATOMIC_RELEASE);
    __atomic_thread_fence(__ATOMIC_SEQ_CST); /* the intent is visible before any byte it covers changes */
    if (pad) {
        *(int32_t *) (ch->ring + index + 4) = IPC4J_PADDING;
        __atomic_store_n((int32_t *) (ch->ring + index), (int32_t) to_end, __ATOMIC_RELEASE);
        tail += to_end;
        index = 0;
    }
    *(int32_t *) (ch->ring + index + 4) = type;
    memcpy(ch->ring + index + IPC4J_RECORD_HEADER, data, (size_t) length);
    __atomic_store_n((int32_t *) (ch->ring + index), (int32_t) (length + IPC4J_RECORD_HEADER), __ATOMIC_RELEASE);
    __atomic_store_n(IPC4J_I64(ch, IPC4J_LATEST), tail, __ATOMIC_RELEASE);
    __atomic_store_n(IPC4J_I64(ch, IPC4J_TAIL), tail + aligned, __ATOMIC_RELEASE);
    return 0;
}

/* Starts reading at the end of the log: it sees what is written after this. */
static inline void ipc4j_broadcast_become_receiver(ipc4j_channel *ch) {
    ch->position = __atomic_load_n(IPC4J_I64(ch, IPC4J_TAIL), __ATOMIC_ACQUIRE);
}

static inline void ipc4j_broadcast_lapped(ipc4j_channel *ch, int64_t tail) {
    int64_t latest = __atomic_load_n(IPC4J_I64(ch, IPC4J_LATEST), __ATOMIC_ACQUIRE);
    int64_t rejoin = latest > tail - ch->capacity ? latest : tail - ch->capacity;
    ch->lost += (uint64_t) (rejoin - ch->position);
    ch->position = latest >= tail - ch->capacity ? latest : tail;
}

/* The next message into BUF if there is one: its length, or IPC4J_TIMEOUT. Never returns a record that was
 * overwritten while it was copied; an overrun receiver rejoins at the latest record (ch->lost counts bytes). */
static inline long ipc4j_broadcast_receive_now(ipc4j_channel *ch, void *buf, long capacity, int *type) {
    for (;;) {
        int64_t tail = __atomic_load_n(IPC4J_I64(ch, IPC4J_TAIL), __ATOMIC_ACQUIRE);
        if (ch->position >= tail) return IPC4J_TIMEOUT;
        if (tail - ch->position > ch->capacity) { ipc4j_broadcast_lapped(ch, tail); continue; }
        int64_t index = ch->position & ch->mask;
        int32_t length = __atomic_load_n((int32_t *) (ch->ring + index), __ATOMIC_ACQUIRE);
        int32_t kind = *(volatile int32_t *) (ch->ring + index + 4);
        long payload = length - IPC4J_RECORD_HEADER;
        int fits = kind == IPC4J_PADDING || (payload >= 0 && payload <= capacity && payload <= ch->max_length);
        if (fits && kind != IPC4J_PADDING) memcpy(buf, ch->ring + index + IPC4J_RECORD_HEADER, (size_t) payload);
        __atomic_thread_fence(__ATOMIC_ACQUIRE); /* the copy happens before reading how far the sender got */
        if (__atomic_load_n(IPC4J_I64(ch, IPC4J_TAIL_INTENT), __ATOMIC_SEQ_CST) - ch->capacity > ch->position) {
            ipc4j_broadcast_lapped(ch, __atomic_load_n(IPC4J_I64(ch, IPC4J_TAIL), __ATOMIC_ACQUIRE));
            continue; /* overwritten while we read: discarded */
        }
        if (length < IPC4J_RECORD_HEADER || length > ch->capacity - index || kind < IPC4J_PADDING) return IPC4J_FORMAT;
        if (!fits) return IPC4J_BUFFER_SMALL;
        ch->position += kind == IPC4J_PADDING ? length : ((length + 7) & ~7LL);
        if (kind != IPC4J_PADDING) { *type = kind; return payload; }
    }
}

/* The next message, waiting (spin, then sleeps up to 1 ms) at most TIMEOUT_MS: its length or IPC4J_TIMEOUT. */
static inline long ipc4j_broadcast_receive(ipc4j_channel *ch, void *buf, long capacity, int *type, int64_t timeout_ms) {
    int64_t deadline = ipc4j_monotonic_ms() + timeout_ms;
    long pause_ns = 1000;
    for (int spins = 0;; spins++) {
        long n = ipc4j_broadcast_receive_now(ch, buf, capacity, type);
        if (n != IPC4J_TIMEOUT) return n;
        if (spins < 2048) continue;
        if (ipc4j_monotonic_ms() >= deadline) return IPC4J_TIMEOUT;
        struct timespec pause = {0, pause_ns};
        nanosleep(&pause, NULL);
        pause_ns = pause_ns < 1000000 ? pause_ns * 2 : 1000000;
    }
}

/* ---- the robust mutex (io.ipc4j.sync.RobustMutex) ---------------------------------------------------------- */
/* 16 bytes, 8-byte aligned: state (int: 0 free, else the owner's pid, bit 31 set when a waiter may sleep; the
 * futex word), recoveries (int: takeovers of a dead owner's hold), the owner's start time (long, 0 while set
 * or cleared). Ownership is per process. A waiter checks every 100 ms whether the owner died (its pid gone, a
 * zombie, or another process's now) and then takes the lock over, told IPC4J_PREVIOUS_OWNER_DIED. */

#define IPC4J_ACQUIRED 0
#define IPC4J_PREVIOUS_OWNER_DIED 1
#define IPC4J_NOT_ACQUIRED 2
#define IPC4J_WAITERS ((int32_t) 0x80000000)

static inline int ipc4j_mutex_owner_alive(unsigned char *m, int32_t state) {
    int pid = state & ~IPC4J_WAITERS;
    if (pid == 0 || pid == getpid()) return 1;
    int64_t start = ipc4j_start_time(pid);
    if (start < 0) return 0;
    int64_t recorded = __atomic_load_n((int64_t *) (m + 8), __ATOMIC_ACQUIRE);
    return recorded == 0 || (__atomic_load_n((int32_t *) m, __ATOMIC_SEQ_CST) & ~IPC4J_WAITERS) != pid
            || start == recorded;
}

static inline int ipc4j_mutex_attempt(unsigned char *m, int32_t state, int contended) {
    int32_t self = getpid() | (contended ? IPC4J_WAITERS : 0);
    if (state == 0 && __atomic_compare_exchange_n((int32_t *) m, &state, self, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
        __atomic_store_n((int64_t *) (m + 8), ipc4j_start_time(getpid()), __ATOMIC_RELEASE);
        return 1;
    }
    return 0;
}

static inline int ipc4j_mutex_take_over(unsigned char *m, int32_t state) {
    int32_t self = getpid() | (state & IPC4J_WAITERS);
    if (state == 0 || !__atomic_compare_exchange_n((int32_t *) m, &state, self, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
        return 0;
    }
    __atomic_store_n((int64_t *) (m + 8), ipc4j_start_time(getpid()), __ATOMIC_RELEASE);
    __atomic_fetch_add((int32_t *) (m + 4), 1, __ATOMIC_SEQ_CST);
    return 1;
}

/* Locks if it is free or its owner is dead: IPC4J_ACQUIRED, IPC4J_PREVIOUS_OWNER_DIED or IPC4J_NOT_ACQUIRED. */
static inline int ipc4j_mutex_trylock(void *mutex) {
    unsigned char *m = mutex;
    int32_t state = __atomic_load_n((int32_t *) m, __ATOMIC_SEQ_CST);
    if (ipc4j_mutex_attempt(m, state, 0)) return IPC4J_ACQUIRED;
    if (!ipc4j_mutex_owner_alive(m, state) && ipc4j_mutex_take_over(m, state)) return IPC4J_PREVIOUS_OWNER_DIED;
    return IPC4J_NOT_ACQUIRED;
}

/* Locks, waiting at most TIMEOUT_MS: IPC4J_ACQUIRED, IPC4J_PREVIOUS_OWNER_DIED (repair what it was doing),
 * or IPC4J_TIMEOUT. */
static inline int ipc4j_mutex_lock(void *mutex, int64_t timeout_ms) {
    unsigned char *m = mutex;
    int64_t deadline = ipc4j_monotonic_ms() + timeout_ms;
    int contended = 0, spins = 0, max_spins = sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 200 : 0;
    for (;;) {
        int32_t state = __atomic_load_n((int32_t *) m, __ATOMIC_SEQ_CST);
        if (ipc4j_mutex_attempt(m, state, contended)) return IPC4J_ACQUIRED;
        if (state == 0) continue;
        if (spins < max_spins) { spins++; continue; }
        int64_t remaining = deadline - ipc4j_monotonic_ms();
        if (remaining <= 0) return IPC4J_TIMEOUT;
        if ((state & IPC4J_WAITERS) == 0 && !__atomic_compare_exchange_n((int32_t *) m, &state,
                state | IPC4J_WAITERS, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
            continue;
        }
        contended = 1;
        int64_t slice = remaining < IPC4J_CHECK_MS ? remaining : IPC4J_CHECK_MS;
        struct timespec timeout = {slice / 1000, (slice % 1000) * 1000000L};
        long r = ipc4j_futex((int32_t *) m, FUTEX_WAIT, state | IPC4J_WAITERS, &timeout);
        if (r == -1 && errno == ETIMEDOUT && !ipc4j_mutex_owner_alive(m, state)
                && ipc4j_mutex_take_over(m, state | IPC4J_WAITERS)) {
            return IPC4J_PREVIOUS_OWNER_DIED;
        }
    }
}

/* Unlocks, waking one waiter if any may sleep: 0, or -1 with EPERM if this process does not hold it. */
static inline int ipc4j_mutex_unlock(void *mutex) {
    unsigned char *m = mutex;
    int32_t state = __atomic_load_n((int32_t *) m, __ATOMIC_SEQ_CST);
    if ((state & ~IPC4J_WAITERS) != getpid()) { errno = EPERM; return -1; }
    __atomic_store_n((int64_t *) (m + 8), 0, __ATOMIC_RELEASE);
    int32_t previous = __atomic_exchange_n((int32_t *) m, 0, __ATOMIC_SEQ_CST);
    if (previous & IPC4J_WAITERS) ipc4j_futex((int32_t *) m, FUTEX_WAKE, 1, NULL);
    return 0;
}

#endif
