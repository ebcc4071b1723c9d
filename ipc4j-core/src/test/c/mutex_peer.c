/* A C peer of ipc4j's robust mutex, through peers/c/ipc4j_channel.h.
 *
 * usage: mutex_peer hold NAME           lock the mutex at offset 0 of POSIX shm NAME, print "locked", then sleep
 *                                       (the test kills it holding the lock)
 *        mutex_peer take NAME           lock it (at most 30 s), print "acquired" or "previous owner died"
 *                                       and the recoveries, unlock
 *        mutex_peer count NAME N        N times: lock, add 1 to the plain long at offset 16, unlock; print "done" */
#include "../../../../peers/c/ipc4j_channel.h"

static unsigned char *map(const char *name) {
    int fd = shm_open(name, O_RDWR, 0);
    if (fd < 0) { perror("shm_open"); exit(1); }
    unsigned char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) { perror("mmap"); exit(1); }
    close(fd);
    return p;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: mutex_peer hold|take|count NAME [N]\n"); return 2; }
    unsigned char *m = map(argv[2]);
    if (strcmp(argv[1], "hold") == 0) {
        if (ipc4j_mutex_lock(m, 30000) < 0) { printf("lock failed\n"); return 1; }
        printf("locked\n");
        fflush(stdout);
        for (;;) pause();
    }
    if (strcmp(argv[1], "take") == 0) {
        int r = ipc4j_mutex_lock(m, 30000);
        if (r < 0) { printf("lock failed: %d\n", r); return 1; }
        printf("%s, recoveries %d\n", r == IPC4J_PREVIOUS_OWNER_DIED ? "previous owner died" : "acquired",
               __atomic_load_n((int32_t *) (m + 4), __ATOMIC_SEQ_CST));
        return ipc4j_mutex_unlock(m) == 0 ? 0 : 1;
    }
    if (strcmp(argv[1], "count") == 0 && argc == 4) {
        long n = atol(argv[3]);
        for (long i = 0; i < n; i++) {
            if (ipc4j_mutex_lock(m, 30000) < 0) { printf("lock failed\n"); return 1; }
            volatile int64_t *counter = (volatile int64_t *) (m + 16);
            *counter = *counter + 1; /* a plain read-modify-write: only the lock keeps it whole */
            if (ipc4j_mutex_unlock(m) != 0) { printf("unlock failed\n"); return 1; }
        }
        printf("done\n");
        return 0;
    }
    return 2;
}
