package io.ipc4j.channel;

import io.ipc4j.internal.posix.SyncCalls;

/**
 * The full fence a one-to-one sender would need on every message of a channel whose receiver may sleep, moved
 * to the receiver's rare way to sleep, with membarrier(2) (MEMBARRIER_CMD_GLOBAL_EXPEDITED, Linux 4.16+).
 *
 * <p>A receiver about to sleep stores "I sleep", re-checks the ring, then sleeps; a sender stores a record, then
 * checks "it sleeps" to wake it. Each side's load may pass its own store (store buffers), so both can miss the
 * other and the receiver sleeps on a message: hence a full fence between the sender's store and load, on every
 * message (about 40% of a 64-byte stream's rate here). Instead, a sender whose process registered for
 * expedited global barriers publishes without that fence, and the receiver, after its "I sleep" store and
 * before its re-check, runs membarrier: every running thread of registered processes executes a full fence
 * during the call. If the sender's record store came before that fence, it is visible to the re-check; if
 * after, the sender's later check of "it sleeps" follows the fence and sees the receiver's store. Either way
 * no wake-up is lost.
 *
 * <p>The trade only pays where membarrier is cheap. It interrupts every CPU that runs a thread of a registered
 * process, and on a virtual machine an interrupt can cost tens of microseconds (48 us against 1.3 us on a 2-vCPU
 * EPYC VM): a receiver that sleeps after every message then pays that per round trip. Such a receiver asks its
 * sender to fence after all (RingReceiver's fenceForSender, the header's {@link ChannelLayout#SENDER_ASKED_TO_FENCE}).
 */
final class AsymmetricFence {
    private AsymmetricFence() {
    }

    /** Whether this process is registered (once, on first use), so that its senders may skip the fence. */
    static boolean senderRegistered() {
        return Registration.OK;
    }

    /** The receiver's half: true if every registered process's running threads executed a full fence. */
    static boolean receiverFence() {
        return SyncCalls.membarrier(SyncCalls.MEMBARRIER_CMD_GLOBAL_EXPEDITED) == 0;
    }

    private static final class Registration {
        static final boolean OK = register();

        private static boolean register() {
            long commands = SyncCalls.membarrier(SyncCalls.MEMBARRIER_CMD_QUERY);
            int needed = SyncCalls.MEMBARRIER_CMD_GLOBAL_EXPEDITED | SyncCalls.MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED;
            return commands >= 0 && (commands & needed) == needed
                    && SyncCalls.membarrier(SyncCalls.MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED) == 0;
        }
    }
}
