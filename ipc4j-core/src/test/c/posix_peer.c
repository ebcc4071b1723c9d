/* A C peer of ipc4j's POSIX shared memory and named semaphores.
 *
 * usage: posix_peer shm NAME SIZE   map the object, print "sum:N" (the sum of its SIZE bytes, unsigned),
 *                                   then write "c was here" (with its NUL) at offset 0
 *        posix_peer sem NAME        open the semaphore, print "waiting", take 1 (at most 30 s),
 *                                   print "acquired", give back 2
 */
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static int shm(const char *name, long size) {
    int fd = shm_open(name, O_RDWR, 0);
    if (fd < 0) { perror("shm_open"); return 1; }
    unsigned char *p = mmap(NULL, (size_t) size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) { perror("mmap"); return 1; }
    unsigned long long sum = 0;
    for (long i = 0; i < size; i++) sum += p[i];
    printf("sum:%llu\n", sum);
    memcpy(p, "c was here", 11);
    munmap(p, (size_t) size);
    close(fd);
    return 0;
}

static int sem(const char *name) {
    sem_t *s = sem_open(name, 0);
    if (s == SEM_FAILED) { perror("sem_open"); return 1; }
    printf("waiting\n");
    fflush(stdout);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 30;
    if (sem_timedwait(s, &until) != 0) { perror("sem_timedwait"); return 1; }
    printf("acquired\n");
    sem_post(s);
    sem_post(s);
    sem_close(s);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "shm") == 0) return shm(argv[2], atol(argv[3]));
    if (argc == 3 && strcmp(argv[1], "sem") == 0) return sem(argv[2]);
    fprintf(stderr, "usage: posix_peer shm NAME SIZE | posix_peer sem NAME\n");
    return 2;
}
