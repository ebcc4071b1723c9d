package io.ipc4j.event;

import io.ipc4j.mq.PosixMessageQueue;
import io.ipc4j.pipe.Pipe;
import io.ipc4j.socket.DatagramSocket;
import io.ipc4j.socket.UnixEndpoint;
import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.Descriptors;
import io.ipc4j.testing.IpcLeakCheck;
import io.ipc4j.testing.KernelWait;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.ipc4j.event.LoopChildren.string;
import static io.ipc4j.event.LoopChildren.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The epoll loop: one thread waiting on many kinds of object, across processes, and its misuse. */
class EventLoopTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static final Duration LIMIT = ChildJvm.DEFAULT_TIMEOUT;
    private final String queueName = "/ipc4j-loop-" + ProcessHandle.current().pid();
    private Map<Integer, String> descriptorsBefore;

    @BeforeEach
    void countDescriptors() throws Exception {
        try (EventLoop warm = EventLoop.open(); Pipe pipe = Pipe.open()) {
            warm.register(pipe.reader(), Interest.READ).cancel(); // load the classes, so that the count is fair
        }
        descriptorsBefore = Descriptors.open();
    }

    /**
     * A child's output pipes are released by their reader threads, which notice the close within a wait slice
     * (200 ms): the check waits, bounded, for the count to come back.
     */
    @AfterEach
    void noDescriptorLeft() throws Exception {
        PosixMessageQueue.unlink(queueName);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!descriptorsBefore.equals(Descriptors.open()) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(descriptorsBefore, Descriptors.open(), "descriptors left open");
    }

    @Test
    void oneSelectorSeesAPipeAQueueASocketAnEventfdATimerAndAChildsExit() throws Exception {
        String socketName = "ipc4j-loop-" + ProcessHandle.current().pid();
        try (EventLoop loop = EventLoop.open();
             Pipe pipe = Pipe.open();
             EventFd go = EventFd.create(0, EventFd.Mode.COUNTER);
             EventFd done = EventFd.create(0, EventFd.Mode.COUNTER);
             TimerFd timer = TimerFd.create(TimerFd.Clock.MONOTONIC);
             PosixMessageQueue queue = PosixMessageQueue.create(queueName).maxMessages(1).messageSize(64).open();
             DatagramSocket socket = DatagramSocket.bind(UnixEndpoint.abstractName(socketName));
             ChildJvm.Running child = ChildJvm.of(LoopChildren.Sender.class, queueName, socketName)
                     .inherit(pipe.writer(), 3).inherit(go, 4).inherit(done, 5).start()) {
            pipe.writer().close();
            loop.register(pipe.reader(), Interest.READ, Trigger.LEVEL, "pipe");
            loop.register(queue, Interest.READ, Trigger.LEVEL, "queue");
            loop.register(socket, Interest.READ, Trigger.LEVEL, "socket");
            loop.register(done, Interest.READ, Trigger.LEVEL, "eventfd");
            loop.register(timer, Interest.READ, Trigger.LEVEL, "timer");
            loop.register(child.process(), Interest.READ, Trigger.LEVEL, "exit");
            assertEquals(0, loop.selectNow(), "nothing is ready before the child starts");
            timer.arm(Duration.ofMillis(1), Duration.ZERO);
            go.signal(1);
            Map<String, String> seen = new TreeMap<>();
            long deadline = System.nanoTime() + LIMIT.toNanos();
            while (seen.size() < 6 && System.nanoTime() < deadline) {
                loop.select(Duration.ofSeconds(5));
                for (Registration r : loop.ready()) {
                    seen.put((String) r.attachment(), take(r));
                }
            }
            assertEquals(Map.of("pipe", "from the pipe", "queue", "from the queue", "socket", "from the socket",
                    "eventfd", "7", "timer", "1", "exit", "exit 3"), seen);
            assertEquals(0, loop.selectNow(), "level-triggered objects that were drained are not reported again");
        }
    }

    /** Reads what made {@code r} ready, so that a level-triggered loop stops reporting it. */
    private static String take(Registration r) throws Exception {
        ByteBuffer buffer = ByteBuffer.allocate(64);
        return switch ((String) r.attachment()) {
            case "pipe" -> {
                var reader = (io.ipc4j.pipe.PipeReader) r.object();
                if (reader.readNow(buffer) < 0) {
                    r.cancel(); // end of stream after the data: stop watching
                    yield "from the pipe";
                }
                yield string(buffer);
            }
            case "queue" -> {
                ((PosixMessageQueue) r.object()).tryReceive(buffer);
                yield string(buffer);
            }
            case "socket" -> {
                ((DatagramSocket) r.object()).receive(buffer, Duration.ZERO);
                yield string(buffer);
            }
            case "eventfd" -> "" + ((EventFd) r.object()).tryTake();
            case "timer" -> "" + ((TimerFd) r.object()).tryTake();
            case "exit" -> {
                var process = (io.ipc4j.process.ChildProcess) r.object();
                r.cancel();
                yield "exit " + process.waitFor(LIMIT).code();
            }
            default -> throw new AssertionError(r);
        };
    }

    @Test
    @SuppressWarnings("try")
    void theCallbackLoopRunsHandlersTasksAndTimersOnItsThreadUntilClosed() throws Exception {
        BlockingQueue<String> happened = new ArrayBlockingQueue<>(100);
        try (EventLoop loop = EventLoop.open(); Pipe pipe = Pipe.open()) {
            ByteBuffer buffer = ByteBuffer.allocate(16);
            loop.register(pipe.reader(), Interest.READ, Trigger.EDGE, r -> {
                while (pipe.reader().readNow(buffer.clear()) > 0) { // edge-triggered: read until empty
                    happened.add(Thread.currentThread().getName() + " read " + string(buffer));
                }
            });
            Thread thread = loop.start("loop-thread");
            pipe.writer().write(text("abc"));
            assertEquals("loop-thread read abc", happened.poll(LIMIT.toSeconds(), TimeUnit.SECONDS));
            loop.execute(() -> happened.add(Thread.currentThread().getName() + " task"));
            assertEquals("loop-thread task", happened.poll(LIMIT.toSeconds(), TimeUnit.SECONDS));
            CountDownLatch three = new CountDownLatch(3);
            Scheduled periodic = loop.schedule(Duration.ofMillis(1), Duration.ofMillis(1), three::countDown);
            assertTrue(three.await(LIMIT.toSeconds(), TimeUnit.SECONDS), "a periodic timer ran three times");
            periodic.cancel();
            loop.schedule(Duration.ofMillis(1), () -> happened.add(Thread.currentThread().getName() + " timer"));
            assertEquals("loop-thread timer", happened.poll(LIMIT.toSeconds(), TimeUnit.SECONDS));
            loop.close();
            thread.join(LIMIT.toMillis());
            assertFalse(thread.isAlive(), "close() ends run()");
        }
    }

    @Test
    @SuppressWarnings("try")
    void aHandlerThatThrowsIsReportedAndItsRegistrationCancelledWhileTheLoopGoesOn() throws Exception {
        BlockingQueue<String> failures = new ArrayBlockingQueue<>(10);
        try (EventLoop loop = EventLoop.open(); Pipe bad = Pipe.open(); Pipe good = Pipe.open()) {
            loop.onFailure((source, e) -> failures.add(e.getMessage()));
            Registration badOne = loop.register(bad.reader(), Interest.READ, Trigger.LEVEL, r -> {
                throw new java.io.IOException("handler broke");
            });
            CountDownLatch goodRan = new CountDownLatch(1);
            loop.register(good.reader(), Interest.READ, Trigger.LEVEL, r -> {
                good.reader().readNow(ByteBuffer.allocate(8));
                goodRan.countDown();
            });
            Thread thread = loop.start("loop");
            bad.writer().write(text("x"));
            assertEquals("handler broke", failures.poll(LIMIT.toSeconds(), TimeUnit.SECONDS));
            good.writer().write(text("y"));
            assertTrue(goodRan.await(LIMIT.toSeconds(), TimeUnit.SECONDS));
            assertFalse(badOne.isValid());
            assertTrue(bad.reader().isOpen(), "the loop does not close the caller's object");
            loop.close();
            thread.join(LIMIT.toMillis());
        }
    }

    @Test
    void wakeupEndsASelectThatWouldWaitTenMinutes() throws Exception {
        try (EventLoop loop = EventLoop.open()) {
            AtomicInteger result = new AtomicInteger(-1);
            Thread selector = selectForTenMinutes(loop, result);
            loop.wakeup();
            selector.join(LIMIT.toMillis());
            assertFalse(selector.isAlive(), "wakeup() did not end the select");
            assertEquals(0, result.get());
        }
    }

    /**
     * Busy polling, seen from the kernel: an idle loop sleeps in epoll_wait; after a select that found the
     * pipe ready, the next select polls instead (never seen asleep there); a select that found nothing (a
     * wake-up) makes the next one sleep again, and so does turning busy polling off.
     */
    @Test
    @SuppressWarnings("try") // the loop is closed in the middle on purpose; the resource is its net
    void aBusyLoopPollsInsteadOfSleepingUntilASelectFindsNothing() throws Exception {
        try (EventLoop loop = EventLoop.open(); Pipe pipe = Pipe.open()) {
            loop.busyPoll(Duration.ofHours(1));
            loop.register(pipe.reader(), Interest.READ);
            BlockingQueue<Integer> found = new ArrayBlockingQueue<>(16);
            java.util.concurrent.CompletableFuture<Long> tid = new java.util.concurrent.CompletableFuture<>();
            Thread selector = Thread.ofPlatform().name("busy-poller").start(() -> {
                try {
                    tid.complete(KernelWait.currentTid());
                    ByteBuffer one = ByteBuffer.allocate(1);
                    while (true) {
                        int n = loop.select(Duration.ofMinutes(10));
                        if (n > 0) {
                            pipe.reader().readNow(one.clear());
                        }
                        found.add(n);
                    }
                } catch (ClosedSelectorException | java.io.IOException e) {
                    found.add(-1);
                }
            });
            long pid = ProcessHandle.current().pid();
            long thread = tid.get(LIMIT.toSeconds(), TimeUnit.SECONDS);
            KernelWait.awaitSleepingIn(pid, thread, "epoll_wait", LIMIT); // idle: it sleeps

            pipe.writer().write(text("x"));
            assertEquals(1, found.poll(LIMIT.toSeconds(), TimeUnit.SECONDS));
            for (int sample = 0; sample < 200; sample++) { // busy: it polls, for an hour if nothing comes
                assertFalse(KernelWait.sleepsIn(pid, thread, "epoll_wait"), "a busy loop's next select slept");
                Thread.sleep(1);
            }

            loop.wakeup(); // found nothing: the next select sleeps
            assertEquals(0, found.poll(LIMIT.toSeconds(), TimeUnit.SECONDS));
            KernelWait.awaitSleepingIn(pid, thread, "epoll_wait", LIMIT);

            loop.busyPoll(Duration.ZERO); // off: a busy loop sleeps at once
            pipe.writer().write(text("y"));
            assertEquals(1, found.poll(LIMIT.toSeconds(), TimeUnit.SECONDS));
            KernelWait.awaitSleepingIn(pid, thread, "epoll_wait", LIMIT);

            loop.busyPoll(Duration.ofHours(1)); // polling ends at a close like a sleep does
            pipe.writer().write(text("z"));
            assertEquals(1, found.poll(LIMIT.toSeconds(), TimeUnit.SECONDS));
            assertFalse(KernelWait.sleepsIn(pid, thread, "epoll_wait"), "a busy loop's next select slept");
            loop.close();
            // the polling select ends with nothing (0), then the next one throws (-1); if the close came while
            // the thread was between two selects (after it took "z"), the next one throws at once
            Integer afterClose = found.poll(LIMIT.toSeconds(), TimeUnit.SECONDS);
            if (afterClose != null && afterClose == 0) {
                afterClose = found.poll(LIMIT.toSeconds(), TimeUnit.SECONDS);
            }
            assertEquals(-1, afterClose, "a select after the close throws ClosedSelectorException");
            selector.join(LIMIT.toMillis());
            assertThrows(IllegalArgumentException.class, () -> loop.busyPoll(Duration.ofNanos(-1)));
        }
    }

    /** A timer due while a busy loop polls runs on time: the polling ends for it, as a sleep would. */
    @Test
    void aTimerDueWhileABusyLoopPollsRunsOnTime() throws Exception {
        try (EventLoop loop = EventLoop.open(); Pipe pipe = Pipe.open()) {
            loop.busyPoll(Duration.ofHours(1));
            loop.register(pipe.reader(), Interest.READ);
            CountDownLatch fired = new CountDownLatch(1);
            loop.schedule(Duration.ofMillis(200), fired::countDown);
            pipe.writer().write(text("x"));
            assertEquals(1, loop.select(Duration.ofMinutes(10)), "the pipe, and the timer not yet");
            pipe.reader().readNow(ByteBuffer.allocate(1));
            java.util.concurrent.CompletableFuture<Integer> next = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            return loop.select(Duration.ofMinutes(10)); // busy: it polls, for up to an hour
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
            assertEquals(0, next.get(LIMIT.toSeconds(), TimeUnit.SECONDS), "the select ended for the timer");
            assertEquals(0, fired.getCount(), "the timer ran");
        }
    }

    @Test
    void closingTheLoopEndsASelectInProgressAndLaterUseThrows() throws Exception {
        EventLoop loop = EventLoop.open();
        Pipe pipe = Pipe.open();
        Registration r = loop.register(pipe.reader(), Interest.READ);
        AtomicInteger result = new AtomicInteger(-1);
        Thread selector = selectForTenMinutes(loop, result);
        loop.close();
        selector.join(LIMIT.toMillis());
        assertFalse(selector.isAlive());
        assertEquals(0, result.get());
        assertFalse(r.isValid());
        assertTrue(pipe.reader().isOpen(), "the objects stay the caller's");
        assertThrows(ClosedSelectorException.class, loop::selectNow);
        assertThrows(ClosedSelectorException.class, () -> loop.register(pipe.writer(), Interest.WRITE));
        assertThrows(ClosedSelectorException.class, () -> loop.schedule(Duration.ZERO, () -> { }));
        assertThrows(CancelledKeyException.class, () -> r.interest(Interest.READ_WRITE));
        loop.close();
        pipe.close();
    }

    @Test
    @SuppressWarnings("try")
    void anObjectClosedWhileRegisteredLeavesTheKernelSetEvenWhenAnotherProcessHoldsItsFile() throws Exception {
        var pair = io.ipc4j.socket.StreamSocket.pair();
        try (EventLoop loop = EventLoop.open(); var mine = pair.first(); var peer = pair.second();
             ChildJvm.Running holder = ChildJvm.of(LoopChildren.Holder.class).inherit(mine, 3).start()) {
            holder.awaitLine("holding true"::equals, LIMIT);
            Registration r = loop.register(mine, Interest.READ);
            assertEquals(2, epollEntries(loop), "the wake-up eventfd and the socket");
            mine.close();
            assertFalse(r.isValid());
            assertEquals(1, epollEntries(loop), "the closed socket is still in the kernel's set");
            peer.write(text("x"));
            assertEquals(0, loop.selectNow());
            assertEquals(0, loop.registrations());
        }
    }

    @Test
    void misuseGetsTheDocumentedException() throws Exception {
        try (EventLoop loop = EventLoop.open(); Pipe pipe = Pipe.open()) {
            loop.register(pipe.reader(), Interest.READ);
            IllegalStateException twice = assertThrows(IllegalStateException.class,
                    () -> loop.register(pipe.reader(), Interest.READ));
            assertTrue(twice.getMessage().contains("already registered with this loop"), twice.getMessage());
            assertEquals(1, loop.registrations());
            Pipe closed = Pipe.open();
            closed.close();
            assertThrows(ClosedChannelException.class, () -> loop.register(closed.reader(), Interest.READ));
            assertThrows(IllegalArgumentException.class, () -> loop.register(loop, Interest.READ));
            assertThrows(IllegalArgumentException.class, () -> EventLoop.open(0));
            assertEquals(1, loop.registrations());
            var nested = new java.util.concurrent.atomic.AtomicReference<Exception>();
            loop.execute(() -> {
                try {
                    loop.selectNow();
                } catch (Exception e) {
                    nested.set(e);
                }
            });
            loop.selectNow();
            assertTrue(nested.get() instanceof IllegalStateException
                    && nested.get().getMessage().startsWith("select from a handler, task or timer"), "" + nested.get());
        }
    }

    @Test
    void edgeTriggeredReportsOnceWhereLevelTriggeredReportsAgain() throws Exception {
        try (EventLoop loop = EventLoop.open(); Pipe edge = Pipe.open(); Pipe level = Pipe.open()) {
            loop.register(edge.reader(), Interest.READ, Trigger.EDGE, "edge");
            loop.register(level.reader(), Interest.READ, Trigger.LEVEL, "level");
            edge.writer().write(text("e"));
            level.writer().write(text("l"));
            assertEquals(2, loop.select(LIMIT));
            assertEquals(1, loop.selectNow());
            assertEquals("level", loop.ready().getFirst().attachment());
        }
    }

    @Test
    @SuppressWarnings("try")
    void interestNoneLeavesTheKernelSetSoAHangUpIsNotReportedUntilInterestResumes() throws Exception {
        var pair = io.ipc4j.socket.StreamSocket.pair();
        try (EventLoop loop = EventLoop.open(); var mine = pair.first(); var peer = pair.second()) {
            Registration r = loop.register(mine, Interest.NONE);
            assertEquals(1, epollEntries(loop), "registered with no interest: not in the kernel's set");
            peer.close();
            assertEquals(0, loop.selectNow(), "a hang-up is not reported with no interest");
            r.interest(Interest.READ);
            assertEquals(2, epollEntries(loop));
            assertEquals(1, loop.selectNow());
            assertTrue(loop.ready().getFirst().isHangUp() && loop.ready().getFirst().isReadable());
            r.interest(Interest.NONE);
            assertEquals(0, loop.selectNow());
            assertTrue(r.isValid(), "no interest is not a cancellation");
        }
    }

    @Test
    void aGatheringWriteNowSendsEveryBufferInOrderAndStopsWhereTheSocketIsFull() throws Exception {
        var pair = io.ipc4j.socket.StreamSocket.pair();
        try (var writer = pair.first(); var reader = pair.second()) {
            ByteBuffer[] parts = {text("one,"), ByteBuffer.allocateDirect(4).put(text("two,")).flip(),
                text("three").asReadOnlyBuffer()};
            assertEquals(13, writer.writeNow(parts, 0, 3));
            ByteBuffer got = ByteBuffer.allocate(64);
            reader.read(got, LIMIT);
            assertEquals("one,two,three", string(got));
            byte[] big = new byte[1 << 20];
            ByteBuffer[] more = {ByteBuffer.wrap(big), ByteBuffer.wrap(big)};
            long sent = writer.writeNow(more, 0, 2);
            assertTrue(sent > 0 && sent < 2L * big.length, "a full socket takes part: " + sent);
            assertEquals(sent, more[0].position() + more[1].position(), "positions moved past what was sent");
            assertEquals(0, writer.writeNow(more, 0, 2), "nothing more while the peer does not read");
        }
    }

    /**
     * Registering, cancelling and closing from four threads while the loop's own thread selects and runs
     * handlers: nothing is reported after its cancel, nothing fails, and in the end no registration, no kernel
     * entry and no descriptor is left.
     */
    @Test
    @SuppressWarnings("try")
    void registeringCancellingAndClosingFromManyThreadsWhileTheLoopRunsLeavesNothing() throws Exception {
        java.util.List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicInteger handled = new AtomicInteger();
        try (EventLoop loop = EventLoop.open()) {
            loop.onFailure((source, e) -> failures.add(source + ": " + e));
            Thread runner = loop.start("stress-loop");
            List<Thread> workers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int seed = w;
                workers.add(Thread.ofPlatform().start(() -> {
                    java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
                    try {
                        for (int i = 0; i < 1_500; i++) {
                            churn(loop, random, handled);
                        }
                    } catch (Exception | AssertionError e) {
                        failures.add("worker " + seed + ": " + e);
                    }
                }));
            }
            for (Thread worker : workers) {
                worker.join(LIMIT.toMillis());
            }
            roundTrip(loop); // the loop has finished every round that began before this
            assertEquals(List.of(), failures);
            assertEquals(0, loop.registrations());
            assertEquals(1, epollEntries(loop), "only the wake-up eventfd is left in the kernel's set");
            assertTrue(handled.get() > 0, "the loop ran handlers meanwhile");
            loop.close();
            runner.join(LIMIT.toMillis());
        }
    }

    /**
     * Closing a loop while four threads register with it: each register either fails with
     * ClosedSelectorException or returns a registration the close then invalidates; nothing is left open.
     */
    @Test
    void closingALoopWhileThreadsRegisterLeavesNoValidRegistration() throws Exception {
        for (int round = 0; round < 40; round++) { // the race is narrow: many rounds give it chances
            closeWhileRegistering();
        }
    }

    private static void closeWhileRegistering() throws Exception {
        EventLoop loop = EventLoop.open();
        List<Pipe> pipes = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Registration> registered = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            workers.add(Thread.ofPlatform().start(() -> {
                try {
                    while (true) {
                        Pipe pipe = Pipe.open();
                        pipes.add(pipe);
                        registered.add(loop.register(pipe.reader(), Interest.READ));
                    }
                } catch (ClosedSelectorException e) {
                    // the loop closed: the expected end
                } catch (Exception | AssertionError e) {
                    failures.add(e.toString());
                }
            }));
        }
        while (registered.size() < 20) {
            Thread.onSpinWait();
        }
        loop.close();
        for (Thread worker : workers) {
            worker.join(LIMIT.toMillis());
        }
        pipes.forEach(Pipe::close);
        assertEquals(List.of(), failures);
        assertTrue(registered.stream().noneMatch(Registration::isValid), "a registration outlived its loop");
    }

    /**
     * One pipe: registered, maybe written, then cancelled or closed, at random. A cancelled pipe is then
     * written again: two full rounds of the loop later its handler must not have run again.
     */
    private static void churn(EventLoop loop, java.util.SplittableRandom random, AtomicInteger handled)
            throws Exception {
        try (Pipe pipe = Pipe.open()) {
            AtomicInteger calls = new AtomicInteger();
            Registration r = loop.register(pipe.reader(), Interest.READ, Trigger.LEVEL, reg -> {
                calls.incrementAndGet();
                try {
                    pipe.reader().readNow(ByteBuffer.allocate(8));
                    handled.incrementAndGet();
                } catch (ClosedChannelException e) {
                    // closed by the worker while this round ran: the documented race of a handler in flight
                }
            });
            if (random.nextBoolean()) {
                pipe.writer().write(text("x"));
            }
            boolean cancel = random.nextBoolean();
            if (cancel) {
                r.cancel();
            } else {
                pipe.reader().close(); // leaves the loop on its own
            }
            if (r.isValid()) {
                throw new AssertionError("still valid after cancel or close");
            }
            if (cancel && inKernelSet(loop, pipe.reader().fd())) {
                throw new AssertionError("a cancelled registration is still in the kernel's set");
            }
            if (cancel && random.nextInt(8) == 0) {
                roundTrip(loop);
                int before = calls.get();
                pipe.writer().write(text("y"));
                roundTrip(loop);
                roundTrip(loop);
                if (calls.get() != before) {
                    throw new AssertionError("a cancelled registration was reported again");
                }
            }
        }
    }

    /** Whether descriptor {@code fd} of this process is in the loop's kernel epoll set. */
    private static boolean inKernelSet(EventLoop loop, int fd) throws Exception {
        return Files.readAllLines(Path.of("/proc/self/fdinfo/" + loop.fd())).stream()
                .anyMatch(line -> line.matches("tfd:\\s+" + fd + "\\s.*"));
    }

    /** Returns once the loop has run a task queued now, that is, has finished the round it was in. */
    private static void roundTrip(EventLoop loop) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        loop.execute(done::countDown);
        if (!done.await(LIMIT.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError("the loop did not run a task");
        }
    }

    @Test
    void aLoopRunsOutOfDescriptorsCleanly() throws Exception {
        ChildJvm.Result result = ChildJvm.of(LoopChildren.Exhauster.class)
                .wrappedIn("/usr/bin/prlimit", "--nofile=200:200").run(LIMIT);
        List<String> lines = result.stdoutLines();
        assertEquals(0, result.status().code(), result.stdout() + result.stderr());
        assertTrue(lines.getFirst().startsWith("pipes: pipe2") && lines.getFirst().contains("EMFILE"),
                result.stdout());
        assertTrue(lines.get(2).startsWith("second loop: ") && lines.get(2).contains("EMFILE"), result.stdout());
        assertEquals("descriptors as before: true", lines.getLast(), result.stdout());
        int registered = Integer.parseInt(lines.get(1).substring("registered ".length()));
        assertTrue(registered > 100, result.stdout());
        assertEquals("ready " + registered / 2, lines.get(3), "every writer is ready, no reader is");
    }

    /** A thread selecting for ten minutes (its result in {@code result}; -2 if it threw), once it sleeps there. */
    private static Thread selectForTenMinutes(EventLoop loop, AtomicInteger result) throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        Thread selector = Thread.ofPlatform().name("selector").start(() -> {
            running.countDown(); // the JVM has given the kernel thread its name by now
            try {
                result.set(loop.select(Duration.ofMinutes(10)));
            } catch (Exception e) {
                result.set(-2);
            }
        });
        assertTrue(running.await(LIMIT.toSeconds(), TimeUnit.SECONDS));
        awaitBlocked(selector);
        return selector;
    }

    /** Registrations in the loop's kernel epoll set ("tfd:" lines of its fdinfo). */
    private static long epollEntries(EventLoop loop) throws Exception {
        return Files.readAllLines(Path.of("/proc/self/fdinfo/" + loop.fd())).stream()
                .filter(line -> line.startsWith("tfd:")).count();
    }

    /** Waits (bounded) until {@code thread} sleeps in the kernel, which a thread still running never does. */
    private static void awaitBlocked(Thread thread) throws Exception {
        long pid = ProcessHandle.current().pid();
        KernelWait.awaitSleepingIn(pid, KernelWait.threadNamed(pid, thread.getName()), "epoll_wait", LIMIT);
    }
}
