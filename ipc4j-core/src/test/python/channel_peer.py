#!/usr/bin/python3
"""A Python peer of ipc4j's one-to-one channel, through peers/python/ipc4j_channel.py (the module users import).

usage: channel_peer.py receive NAME COUNT   receive COUNT messages (0: until the sender dies), checking each
                                            byte; print "received N checksum C" or "sender dead after N
                                            checksum C"; exit 1 on any wrong message
       channel_peer.py send NAME COUNT      send COUNT messages (0: forever), print "sent N checksum C"
Message i: type i % 1000, (i * 7919) % 200 bytes, byte k = (i + k) & 0xff. The checksum adds every byte.

       channel_peer.py m2o-receive NAME TOTAL PRODUCERS   as channel_peer.c's (each producer's in order)
       channel_peer.py m2o-send NAME COUNT P              as channel_peer.c's (needs libatomic1)
       channel_peer.py bcast-write NAME COUNT PACE        as channel_peer.c's
       channel_peer.py bcast-read NAME COUNT              as channel_peer.c's
"""
import itertools
import os
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "peers",
                                "python"))
import ipc4j_channel  # noqa: E402

PATTERN = bytes(range(256)) * 2


def message(i):
    length = (i * 7919) % 200
    start = i & 0xff
    return PATTERN[start:start + length]


def missed(rx):
    """Lost wake-ups are a protocol failure, even though each costs only one 100 ms sleep."""
    if rx.missed_wakeups:
        print(f"missed wakeups {rx.missed_wakeups}", flush=True)
        return 1
    return 0


def receive(name, count):
    checksum = 0
    with ipc4j_channel.Channel.open(name) as ch:
        rx = ch.receiver()
        print("ready", flush=True)
        received = 0
        for i in (itertools.count() if count == 0 else range(count)):
            try:
                kind, payload = rx.receive(timeout=30)
            except ipc4j_channel.PeerDead:
                print(f"sender dead after {received} checksum {checksum}", flush=True)
                return missed(rx)
            if kind != i % 1000 or payload != message(i):
                print(f"message {i}: type {kind}, {len(payload)} bytes, not as sent", flush=True)
                return 1
            checksum += sum(payload)
            received += 1
        print(f"received {received} checksum {checksum}", flush=True)
        return missed(rx)


def send(name, count):
    checksum = 0
    with ipc4j_channel.Channel.open(name) as ch:
        tx = ch.sender()
        print("ready", flush=True)
        sent = 0
        for i in (itertools.count() if count == 0 else range(count)):
            payload = message(i)
            tx.send(i % 1000, payload, timeout=30)
            checksum += sum(payload)
            sent += 1
        print(f"sent {sent} checksum {checksum}", flush=True)
    return 0


def tagged(producer, i):
    """Many-to-one and broadcast: the sequence number (4 bytes), then the pattern of producer P."""
    length = (i * 7919) % 200
    start = (producer * 31 + i) & 0xff
    return struct.pack("<I", i) + PATTERN[start:start + length]


def m2o_receive(name, total, producers):
    checksum = 0
    following = [0] * producers
    with ipc4j_channel.Channel.open(name, ipc4j_channel.KIND_MANY_TO_ONE) as ch:
        rx = ch.receiver()
        print("ready", flush=True)
        for m in range(total):
            kind, payload = rx.receive(timeout=30)
            if not 0 <= kind < producers or payload != tagged(kind, following[kind]):
                print(f"message {m}: producer {kind}, not the next one", flush=True)
                return 1
            following[kind] += 1
            checksum += sum(payload[4:])
        print(f"received {total} checksum {checksum}", flush=True)
        if rx.lost:
            print(f"lost {rx.lost}", flush=True)
            return 1
        return missed(rx)


def m2o_send(name, count, producer):
    checksum = 0
    with ipc4j_channel.Channel.open(name, ipc4j_channel.KIND_MANY_TO_ONE) as ch:
        tx = ch.sender()
        for i in range(count):
            payload = tagged(producer, i)
            tx.send(producer, payload, timeout=30)
            checksum += sum(payload[4:])
        print(f"sent {count} checksum {checksum}", flush=True)
    return 0


def bcast_write(name, count, pace):
    with ipc4j_channel.Channel.open(name, ipc4j_channel.KIND_BROADCAST) as ch:
        tx = ch.sender()
        for i in range(count):
            tx.offer(i % 1000, tagged(0, i))
            if pace and (i + 1) % pace == 0:
                time.sleep(0.001)
        print(f"written {count}", flush=True)
    return 0


def bcast_read(name, count):
    with ipc4j_channel.Channel.open(name, ipc4j_channel.KIND_BROADCAST) as ch:
        rx = ch.receiver()
        print("ready", flush=True)
        last, read = -1, 0
        while last < count - 1:
            kind, payload = rx.receive(timeout=30)
            i = struct.unpack_from("<I", payload)[0]
            if i <= last or kind != i % 1000 or payload != tagged(0, i):
                print(f"message {i} after {last}: not as written", flush=True)
                return 1
            last, read = i, read + 1
        print(f"read {read} lost {rx.lost}", flush=True)
    return 0


if __name__ == "__main__":
    role, name = sys.argv[1], sys.argv[2]
    numbers = [int(a) for a in sys.argv[3:]]
    sys.exit({"receive": receive, "send": send, "m2o-receive": m2o_receive, "m2o-send": m2o_send, "bcast-write": bcast_write,
              "bcast-read": bcast_read}[role](name, *numbers))
