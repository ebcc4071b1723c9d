#!/usr/bin/python3
"""A Python peer of ipc4j's System V objects, through Debian's python3-sysv-ipc (no PyPI).

usage: sysv_peer.py queue KEY   receive 3 messages (any type, in order), print "TYPE:TEXT" for each,
                                then send "from-python-0" (type 4) and "from-python-1" (type 9)
       sysv_peer.py shm KEY     attach, print the NUL-terminated text at 0, write "python was here\\0" at 64
       sysv_peer.py sem KEY     print "waiting", take 1 (waiting at most 30 s), print "acquired", give back 2
"""
import sys
import sysv_ipc

TIMEOUT = 30


def queue(key):
    q = sysv_ipc.MessageQueue(key)
    for _ in range(3):
        text, kind = q.receive(block=True, type=0)
        print(f"{kind}:{text.decode()}", flush=True)
    q.send(b"from-python-0", type=4)
    q.send(b"from-python-1", type=9)


def shm(key):
    memory = sysv_ipc.SharedMemory(key)
    data = memory.read(64)
    print(data.split(b"\0", 1)[0].decode(), flush=True)
    memory.write(b"python was here\0", 64)
    memory.detach()


def sem(key):
    s = sysv_ipc.Semaphore(key)
    print("waiting", flush=True)
    s.acquire(TIMEOUT)
    print("acquired", flush=True)
    s.release()
    s.release()


if __name__ == "__main__":
    {"queue": queue, "shm": shm, "sem": sem}[sys.argv[1]](int(sys.argv[2]))
