/*
 * A process holding one descriptor of each anonymous-inode kind, a sealed memfd and a deleted file, for
 * ipc4j inspect's tests. Prints "fds EVENTFD SIGNALFD TIMERFD EPOLL INOTIFY PIDFD MEMFD IO_URING DELETED"
 * (-1 where the kernel refused one), then waits until killed.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/io_uring.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

int main(void) {
    int event = eventfd(5, EFD_NONBLOCK | EFD_CLOEXEC);
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR1);
    sigaddset(&mask, SIGTERM);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    int signals = signalfd(-1, &mask, 0);
    int timer = timerfd_create(CLOCK_MONOTONIC, 0);
    struct itimerspec spec = {{2, 0}, {600, 0}}; /* every 2 s, first in 600 s */
    timerfd_settime(timer, 0, &spec, NULL);
    int epoll = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = event};
    epoll_ctl(epoll, EPOLL_CTL_ADD, event, &ev);
    int watch = inotify_init1(0);
    inotify_add_watch(watch, "/", IN_CREATE);
    int pidfd = (int) syscall(SYS_pidfd_open, getpid(), 0);
    int memfd = memfd_create("payload", MFD_ALLOW_SEALING);
    if (ftruncate(memfd, 4096) != 0) {
        return 1;
    }
    fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW);
    struct io_uring_params params;
    memset(&params, 0, sizeof params);
    int ring = (int) syscall(SYS_io_uring_setup, 4, &params);
    char path[] = "/tmp/ipc4j-deleted-XXXXXX";
    int deleted = mkstemp(path);
    unlink(path);
    printf("fds %d %d %d %d %d %d %d %d %d %s\n", event, signals, timer, epoll, watch, pidfd, memfd, ring, deleted,
           path);
    fflush(stdout);
    for (;;) {
        pause();
    }
}
