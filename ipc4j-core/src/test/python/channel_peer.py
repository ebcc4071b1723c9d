#!/usr/bin/python3
"""A Python peer of ipc4j's one-to-one channel, through peers/python/ipc4j_channel.py (the module users import).

usage: channel_peer.py receive NAME COUNT   receive COUNT messages (0: until the sender dies), checking each
                                            byte; print "received N checksum C" or "sender dead after N
                                            checksum C"; exit 1 on any wrong message
       channel_peer.py send NAME COUNT      send COUNT messages (0: forever), print "sent N checksum C"
Message i: type i % 1000, (i * 7919) % 200 bytes, byte k = (i + k) & 0xff. The checksum adds every byte.
"""
import itertools
import os
import sys

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


if __name__ == "__main__":
    role, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    sys.exit(receive(name, count) if role == "receive" else send(name, count))
