package io.ipc4j.shm;

import java.nio.file.Path;

/** Child-process mains for the shared memory tests. Each writes TEXT at offset 8, then 1 at offset 0. */
final class ShmChildren {
    private ShmChildren() {
    }

    static void publish(SharedBuffer buffer, String text) {
        buffer.segment().setString(8, text);
        buffer.putIntRelease(0, 1);
    }

    /** args: POSIX name, text. */
    static final class PosixWriter {
        public static void main(String[] args) throws Exception {
            try (SharedMemory shm = SharedMemory.open(args[0])) {
                publish(shm.buffer(), args[1]);
            }
        }
    }

    /** args: System V id, text. */
    static final class SysVWriter {
        public static void main(String[] args) throws Exception {
            try (SysVSharedMemory.Attachment a = SysVSharedMemory.ofId(Integer.parseInt(args[0])).attach()) {
                publish(a.buffer(), args[1]);
                System.out.println("attachments while attached: " + SysVSharedMemory.ofId(Integer.parseInt(args[0]))
                        .status().attachments());
            }
        }
    }

    /** args: path, text. */
    static final class FileWriter {
        public static void main(String[] args) throws Exception {
            try (MappedFile file = MappedFile.openReadWrite(Path.of(args[0]), 4096)) {
                publish(file.buffer(), args[1]);
            }
        }
    }

    /** args: POSIX name, count: adds 1 to the long at offset 64 count times with getAndAdd. */
    static final class AtomicAdder {
        public static void main(String[] args) throws Exception {
            try (SharedMemory shm = SharedMemory.open(args[0])) {
                SharedBuffer b = shm.buffer();
                long count = Long.parseLong(args[1]);
                b.getAndAddInt(0, 1);
                while (b.getIntAcquire(0) < 2) {
                    Thread.onSpinWait(); // start together with the other adder, so they really race
                }
                for (long i = 0; i < count; i++) {
                    b.getAndAddLong(64, 1);
                }
            }
            System.out.println("done");
        }
    }

    static String read(SharedBuffer buffer) {
        return buffer.getIntAcquire(0) == 1 ? buffer.segment().getString(8) : "<nothing published>";
    }

}
