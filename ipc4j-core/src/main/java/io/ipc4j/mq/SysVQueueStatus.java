package io.ipc4j.mq;

import io.ipc4j.sysv.SysVKey;

import java.time.Instant;

/**
 * A System V queue's state (msgctl IPC_STAT, struct msqid_ds).
 *
 * @param key          the key it was created with.
 * @param mode         permission bits.
 * @param ownerUid     msg_perm.uid.
 * @param creatorUid   msg_perm.cuid.
 * @param messages     msg_qnum: messages in it now.
 * @param bytes        __msg_cbytes: bytes of text in it now.
 * @param maxBytes     msg_qbytes: its capacity in bytes.
 * @param lastSendPid  msg_lspid: the last process that sent (0: none yet).
 * @param lastReceivePid msg_lrpid: the last process that received (0: none yet).
 * @param lastSend     msg_stime (null: never).
 * @param lastReceive  msg_rtime (null: never).
 * @param lastChange   msg_ctime.
 */
public record SysVQueueStatus(SysVKey key, int mode, int ownerUid, int creatorUid, long messages, long bytes,
                              long maxBytes, int lastSendPid, int lastReceivePid, Instant lastSend,
                              Instant lastReceive, Instant lastChange) {
}
