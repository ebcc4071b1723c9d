package io.ipc4j.event;

import java.time.Duration;

/** Child processes for the eventfd and timerfd tests; each takes what it inherits at fds 3 and 4. */
final class EventChildren {
    private static final Duration LIMIT = Duration.ofSeconds(60);

    private EventChildren() {
    }

    /** args: rounds. Takes a ping on fd 3, answers on fd 4, rounds times; prints "pongs N, takes summed M". */
    static final class Ponger {
        public static void main(String[] args) throws Exception {
            int rounds = Integer.parseInt(args[0]);
            long sum = 0;
            try (EventFd in = EventFd.fromInherited(3); EventFd out = EventFd.fromInherited(4)) {
                for (int i = 0; i < rounds; i++) {
                    sum += in.await(); // untimed here, timed in the parent
                    out.signal(1);
                }
            }
            System.out.println("pongs " + rounds + ", takes summed " + sum);
        }
    }

    /** Says "waiting TID", then takes from the eventfd at fd 3 without a timeout; prints "took N". */
    static final class UntimedWaiter {
        public static void main(String[] args) throws Exception {
            try (EventFd in = EventFd.fromInherited(3)) {
                System.out.println("waiting " + io.ipc4j.testing.KernelWait.currentTid());
                System.out.println("took " + in.await());
            }
        }
    }

    /** Takes from the semaphore eventfd at fd 3 until it is empty; prints its mode and each take. */
    static final class SemaphoreTaker {
        public static void main(String[] args) throws Exception {
            try (EventFd in = EventFd.fromInherited(3)) {
                StringBuilder takes = new StringBuilder(in.mode().name());
                for (long t; (t = in.tryTake()) != 0; ) {
                    takes.append(' ').append(t);
                }
                System.out.println(takes);
            }
        }
    }

    /** Waits on the timerfd at fd 3 and prints how many expirations it took. */
    static final class TimerWaiter {
        public static void main(String[] args) throws Exception {
            try (TimerFd timer = TimerFd.fromInherited(3)) {
                System.out.println("waiting");
                System.out.println("expired " + timer.await(LIMIT));
            }
        }
    }
}
