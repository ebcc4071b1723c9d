"""A Python peer of ipc4j's one-to-one shared-memory channel (format version 4), standard library only.

A Python program can be the sender or the receiver of a channel that a Java program
(io.ipc4j.channel.OneToOneChannel) created, or create one that Java attaches to. It reads and writes the exact
format: the validated header, the records, the futex sleep/wake handshake (through ctypes), the receiver's
doorbell eventfd, the heartbeats, and the pid + start-time identity by which each side tells that the other
died. Many-to-one: the receiver, and senders when GCC's libatomic.so.1 (Debian's libatomic1) is installed, for
the compare-and-set Python's standard library lacks. Broadcast: the sender and receivers.

    import ipc4j_channel
    with ipc4j_channel.Channel.open("/ticks") as ch:
        rx = ch.receiver()
        kind, payload = rx.receive(timeout=5.0)   # raises TimeoutError, or PeerDead once the sender died

Limits, all checked: Linux x86-64 only (Python has no memory fences: its plain stores are ordered only on
x86-64's strong memory model; aarch64 is refused). Taking a role is a compare-and-set when libatomic.so.1 is
there, else a check and a store (two processes taking the same role at the same instant are then not told
apart). The sender publishes without a
full fence and registers for membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED), so that the receiver fences for it
before sleeping (the protocol's "fenceless sender", as ipc4j's own Java sender does).
"""
import ctypes
import mmap
import os
import platform
import struct
import time

MAGIC = 0x3148434A34435049
VERSION = 4
KIND_ONE_TO_ONE, KIND_MANY_TO_ONE, KIND_BROADCAST = 1, 2, 3
HEADER = 512
RECORD_HEADER = 8
PADDING = -1
BEAT_EVERY = 4095
CHECK_SECONDS = 0.1

TAIL, SENDER_PID, SENDER_START, SENDER_BEAT, TAIL_INTENT, LATEST = 128, 136, 144, 152, 160, 168
HEAD, RECEIVER_PID, RECEIVER_START, RECEIVER_BEAT = 256, 264, 272, 280
WAITING, WAKE_SEQUENCE, PARKS, FENCELESS, DOORBELL = 384, 388, 392, 396, 400

SYS_FUTEX, SYS_MEMBARRIER, SYS_PIDFD_OPEN, SYS_PIDFD_GETFD = 202, 324, 434, 438  # x86-64
FUTEX_WAIT, FUTEX_WAKE = 0, 1
MEMBARRIER_CMD_GLOBAL_EXPEDITED, MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED = 2, 4

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long

# GCC's atomics library (Debian's libatomic1) gives Python the compare-and-set its standard library lacks: a
# many-to-one sender claims room with it. Without the library, such a sender is refused.
# (Looked up by name: inside a class, Python would mangle the double-underscore names.)
try:
    _atomic = ctypes.CDLL("libatomic.so.1")
    _cas8 = getattr(_atomic, "__atomic_compare_exchange_8")
    _cas8.restype = ctypes.c_bool
    _cas8.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int, ctypes.c_int]
    _cas4 = getattr(_atomic, "__atomic_compare_exchange_4")
    _cas4.restype = ctypes.c_bool
    _cas4.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int32, ctypes.c_int, ctypes.c_int]
    _xchg4 = getattr(_atomic, "__atomic_exchange_4")
    _xchg4.restype = ctypes.c_int32
    _xchg4.argtypes = [ctypes.c_void_p, ctypes.c_int32, ctypes.c_int]
    _fetch_add4 = getattr(_atomic, "__atomic_fetch_add_4")
    _fetch_add4.restype = ctypes.c_int32
    _fetch_add4.argtypes = [ctypes.c_void_p, ctypes.c_int32, ctypes.c_int]
except (OSError, AttributeError):
    _atomic = None
_SEQ_CST = 5


class ChannelFormatError(Exception):
    """The region is not a complete version-4 one-to-one ipc4j channel."""


class PeerDead(Exception):
    """The other side died (its pid is gone, a zombie, or another process's now)."""


class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


def start_time(pid):
    """Field 22 of /proc/PID/stat (clock ticks since boot), or -1 if the process is gone or a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return -1
    fields = text[text.rindex(")") + 2:].split(" ")  # the command name may hold spaces and parentheses
    return -1 if fields[0] in ("Z", "X") else int(fields[19])


def alive(pid, start):
    now = start_time(pid)
    return now >= 0 and (start == 0 or now == start)


def _now_ms():
    return int(time.time() * 1000)


def _ring_doorbell(ch, bell):
    """Rings the receiver's doorbell eventfd, if it has one, through a copy taken with pidfd_getfd (kept in
    BELL: (pid, number, our fd)); returns the copy to keep."""
    doorbell = ch.i32(DOORBELL).value
    if not doorbell:
        return bell
    pid = ch.i32(RECEIVER_PID).value
    if bell is None or bell[0:2] != (pid, doorbell):
        if bell is not None:
            os.close(bell[2])
        pidfd = _libc.syscall(SYS_PIDFD_OPEN, pid, 0)
        fd = _libc.syscall(SYS_PIDFD_GETFD, pidfd, doorbell, 0) if pidfd >= 0 else -1
        if pidfd >= 0:
            os.close(pidfd)
        bell = (pid, doorbell, fd) if fd >= 0 else None
    if bell is not None:
        os.write(bell[2], struct.pack("<Q", 1))
    return bell


def _send_waiting(ch, offer, kind, payload, timeout):
    """Repeats OFFER while the ring is full, at most TIMEOUT seconds, backing off (a sender is not woken);
    PeerDead if the receiver died with the ring full."""
    deadline = time.monotonic() + timeout
    next_check = time.monotonic() + CHECK_SECONDS
    while not offer(kind, payload):
        now = time.monotonic()
        if now > deadline:
            raise TimeoutError(f"send({ch.name}): the channel stayed full for {timeout} s")
        if now > next_check:
            next_check = now + CHECK_SECONDS
            ch.beat(SENDER_BEAT)
            pid = ch.i32(RECEIVER_PID).value
            if pid and not alive(pid, ch.i64(RECEIVER_START).value):
                raise PeerDead(f"send({ch.name}): the receiver, pid {pid}, died with the channel full")
        time.sleep(0.0001)


class Channel:
    """A mapped one-to-one channel; take one role with sender() or receiver(). Close it when done."""

    def __init__(self, name, mapping, expected_kind=KIND_ONE_TO_ONE):
        if platform.machine() != "x86_64":
            raise OSError(f"ipc4j_channel.py runs on x86-64 only (this is {platform.machine()}): see its docstring")
        self.name = name
        self._map = mapping
        self._i32 = {}
        self._i64 = {}
        magic, version, kind, capacity, length = struct.unpack_from("<QiiQQ", mapping, 0)
        if (magic != MAGIC or version != VERSION or kind != expected_kind or capacity < 1024
                or capacity > 1 << 30 or capacity & (capacity - 1) or length != HEADER + capacity
                or len(mapping) < length):
            raise ChannelFormatError(f"{name} is not a version-{VERSION} ipc4j channel of kind {expected_kind} "
                                     f"(magic {magic:#x}, version {version}, kind {kind}, capacity {capacity})")
        self.kind = kind
        self.capacity = capacity
        self.mask = capacity - 1
        self.max_length = capacity // 8 - RECORD_HEADER

    @classmethod
    def open(cls, name, kind=KIND_ONE_TO_ONE):
        """Attaches to the channel NAME (a POSIX shared memory name such as "/ticks") of KIND."""
        fd = os.open("/dev/shm/" + name.lstrip("/"), os.O_RDWR)
        try:
            size = os.fstat(fd).st_size
            if size < HEADER:
                raise ChannelFormatError(f"{name} is {size} bytes: smaller than a channel header")
            return cls(name, mmap.mmap(fd, size), kind)
        finally:
            os.close(fd)

    @classmethod
    def create(cls, name, capacity):
        """Creates the channel NAME with a ring of CAPACITY bytes (a power of two, 1 KiB to 1 GiB)."""
        if capacity < 1024 or capacity > 1 << 30 or capacity & (capacity - 1):
            raise ValueError(f"capacity {capacity} must be a power of two from 1024 to 1 GiB")
        fd = os.open("/dev/shm/" + name.lstrip("/"), os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.ftruncate(fd, HEADER + capacity)
            mapping = mmap.mmap(fd, HEADER + capacity)
        finally:
            os.close(fd)
        struct.pack_into("<iiQQiiQ", mapping, 8, VERSION, KIND_ONE_TO_ONE, capacity, HEADER + capacity,
                         os.getpid(), 0, start_time(os.getpid()))
        ctypes.c_uint64.from_buffer(mapping, 0).value = MAGIC  # last: a region with it is complete
        return cls(name, mapping)

    def i32(self, offset):
        """The int at OFFSET as a ctypes view: one aligned 4-byte load or store per access."""
        view = self._i32.get(offset)
        if view is None:
            view = self._i32[offset] = ctypes.c_int32.from_buffer(self._map, offset)
        return view

    def i64(self, offset):
        view = self._i64.get(offset)
        if view is None:
            view = self._i64[offset] = ctypes.c_int64.from_buffer(self._map, offset)
        return view

    def check_message(self, kind, length):
        """A message's type must be 0 or more (negative ones mark the ring's own records) and its length at
        most an eighth of the ring, minus the record header."""
        if kind < 0 or length > self.max_length:
            raise ValueError(f"type {kind} must be 0 or more and length {length} at most {self.max_length}")

    def beat(self, offset):
        self.i64(offset).value = _now_ms()

    def futex(self, offset, op, value, timeout=None):
        address = ctypes.addressof(self.i32(offset))
        spec = None
        if timeout is not None:
            spec = ctypes.byref(_Timespec(int(timeout), int((timeout % 1) * 1e9)))
        return _libc.syscall(SYS_FUTEX, ctypes.c_void_p(address), op, value, spec, None, 0)

    def claim(self, pid_offset):
        """Takes the role whose pid is at PID_OFFSET: a compare-and-set with libatomic, else a check and a store
        (two processes taking the role at the same instant are then not told apart)."""
        own = os.getpid()
        while True:
            pid = self.i32(pid_offset).value
            if pid not in (0, own) and alive(pid, self.i64(pid_offset + 8).value):
                role = "sender" if pid_offset == SENDER_PID else "receiver"
                raise OSError(f"{self.name} already has a live {role}: pid {pid}")
            if _atomic is None:
                self.i32(pid_offset).value = own
                break
            expected = ctypes.c_int32(pid)
            if _cas4(ctypes.addressof(self.i32(pid_offset)), ctypes.byref(expected), own, _SEQ_CST, _SEQ_CST):
                break
        self.i64(pid_offset + 8).value = start_time(own)
        self.beat(pid_offset + 16)

    def sender(self):
        if self.kind == KIND_BROADCAST:
            return BroadcastSender(self)
        if self.kind == KIND_MANY_TO_ONE:
            if _atomic is None:
                raise NotImplementedError("a many-to-one sender claims room with a compare-and-set on the tail:"
                                          " install libatomic1 (GCC's atomics library), or use the C header")
            return ManyToOneSender(self)
        return Sender(self)

    def receiver(self):
        """The receiver; of a broadcast log, a new one starting at the end of the log."""
        if self.kind == KIND_BROADCAST:
            return BroadcastReceiver(self)
        return Receiver(self)

    def close(self):
        self._i32.clear()
        self._i64.clear()
        self._map.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Sender:
    """The sending side: send(kind, payload, timeout). One thread."""

    def __init__(self, channel):
        self.ch = channel
        registered = _libc.syscall(SYS_MEMBARRIER, MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED, 0, 0) == 0
        if not registered:
            raise OSError("membarrier registration failed: this kernel cannot take a fenceless Python sender")
        channel.claim(SENDER_PID)
        channel.i32(FENCELESS).value = 1  # the receiver fences for us before it sleeps
        self.position = channel.i64(TAIL).value
        self.head_cache = channel.i64(HEAD).value
        self.count = 0
        self._bell = None

    def offer(self, kind, payload):
        """Sends if there is room now: True, or False when the ring is full."""
        ch = self.ch
        length = len(payload)
        ch.check_message(kind, length)
        aligned = (length + RECORD_HEADER + 7) & ~7
        index = self.position & ch.mask
        to_end = ch.capacity - index
        needed = (aligned if aligned <= to_end else to_end + aligned) + RECORD_HEADER
        if self.position + needed - self.head_cache > ch.capacity:
            self.head_cache = ch.i64(HEAD).value
            if self.position + needed - self.head_cache > ch.capacity:
                return False
        ring = HEADER
        if aligned > to_end:  # a padding record fills the end; the record goes to the start
            ch.i64(ring).value = 0
            struct.pack_into("<i", ch._map, ring + index + 4, PADDING)
            ch.i32(ring + index).value = to_end
            self.position += to_end
            index = 0
        ch._map[ring + index + RECORD_HEADER:ring + index + RECORD_HEADER + length] = payload
        following = self.position + aligned
        ch.i64(ring + (following & ch.mask)).value = 0  # the next header: published with this one
        self.count += 1
        if self.count & BEAT_EVERY == 0:
            ch.beat(SENDER_BEAT)
        ch.i64(ring + index).value = (kind << 32) | (length + RECORD_HEADER)
        if ch.i32(PARKS).value and ch.i32(WAITING).value:
            self._wake()
        self.position = following
        ch.i64(TAIL).value = following
        return True

    def _wake(self):
        ch = self.ch
        ch.i32(WAKE_SEQUENCE).value += 1  # only this sender writes it
        ch.futex(WAKE_SEQUENCE, FUTEX_WAKE, 1)
        self._bell = _ring_doorbell(ch, self._bell)

    def send(self, kind, payload, timeout):
        """Sends, waiting while the ring is full at most TIMEOUT seconds; PeerDead if the receiver died."""
        _send_waiting(self.ch, self.offer, kind, payload, timeout)


class ManyToOneSender:
    """One of any number of many-to-one senders: send(kind, payload, timeout). One per thread."""

    def __init__(self, channel):
        self.ch = channel
        self.owner = -os.getpid()
        self.count = 0
        self._bell = None

    def _claim(self, aligned):
        """Claims room with a compare-and-set on the tail: the record's ring index, or None when full."""
        ch = self.ch
        while True:
            head = ch.i64(HEAD).value
            tail = ch.i64(TAIL).value
            index = tail & ch.mask
            to_end = ch.capacity - index
            needed = aligned if aligned <= to_end else to_end + aligned
            if tail + needed - head > ch.capacity:
                return None
            expected = ctypes.c_int64(tail)
            if _cas8(ctypes.addressof(ch.i64(TAIL)), ctypes.byref(expected),
                                                   tail + needed, _SEQ_CST, _SEQ_CST):
                if needed != aligned:  # a padding record fills the end; the record goes to the start
                    struct.pack_into("<i", ch._map, HEADER + index + 4, PADDING)
                    ch.i32(HEADER + index).value = to_end
                    index = 0
                struct.pack_into("<i", ch._map, HEADER + index + 4, self.owner)
                ch.i32(HEADER + index).value = -aligned  # claimed, not committed: the receiver waits here
                return index

    def offer(self, kind, payload):
        """Sends if there is room now: True, or False when the ring is full."""
        ch = self.ch
        length = len(payload)
        ch.check_message(kind, length)
        index = self._claim((length + RECORD_HEADER + 7) & ~7)
        if index is None:
            return False
        start = HEADER + index + RECORD_HEADER
        ch._map[start:start + length] = payload
        struct.pack_into("<i", ch._map, HEADER + index + 4, kind)
        self.count += 1
        if self.count & BEAT_EVERY == 0:
            ch.beat(SENDER_BEAT)
        if ch.i32(PARKS).value == 0:
            ch.i32(HEADER + index).value = length + RECORD_HEADER
            return True
        # an exchange is a full fence: the record is visible before the check of the receiver's sleep
        _xchg4(ctypes.addressof(ch.i32(HEADER + index)), length + RECORD_HEADER, _SEQ_CST)
        if ch.i32(WAITING).value:
            _fetch_add4(ctypes.addressof(ch.i32(WAKE_SEQUENCE)), 1, _SEQ_CST)
            ch.futex(WAKE_SEQUENCE, FUTEX_WAKE, 1)
            self._bell = _ring_doorbell(ch, self._bell)
        return True

    def send(self, kind, payload, timeout):
        """Sends, waiting while the ring is full at most TIMEOUT seconds; PeerDead if the receiver died."""
        _send_waiting(self.ch, self.offer, kind, payload, timeout)


class Receiver:
    """The receiving side: receive(timeout) -> (type, payload bytes). One thread."""

    def __init__(self, channel):
        channel.claim(RECEIVER_PID)
        channel.i32(DOORBELL).value = 0  # an earlier receiver's doorbell is not ours
        channel.i32(PARKS).value = 1
        self.ch = channel
        self.position = channel.i64(HEAD).value
        self.count = 0
        self.missed_wakeups = 0  # sleeps that ran out with a message waiting and no wake-up tried (0)
        self.lost = 0  # many-to-one: records skipped, their sender dead before commit

    def receive_now(self):
        """(type, payload) if a message waits, else None. Never waits."""
        ch = self.ch
        while True:
            index = self.position & ch.mask
            word = ch.i64(HEADER + index).value  # length and type in one load: the sender stores them as one
            length, kind = word & 0xffffffff, word >> 32
            if length == 0 or length >= 1 << 31:
                return None
            if (length < RECORD_HEADER or length > ch.capacity - index or kind < PADDING
                    or (kind != PADDING and length - RECORD_HEADER > ch.max_length)):
                raise ChannelFormatError(f"{ch.name}: corrupt record at ring offset {index}: length {length}, "
                                         f"type {kind}")
            aligned = (length + 7) & ~7
            self.position += aligned
            if kind == PADDING:
                self._clear(index, aligned)
                ch.i64(HEAD).value = self.position
                continue
            start = HEADER + index + RECORD_HEADER
            payload = bytes(ch._map[start:start + length - RECORD_HEADER])
            self._clear(index, aligned)
            self.count += 1
            if self.count & BEAT_EVERY == 0:
                ch.beat(RECEIVER_BEAT)
            ch.i64(HEAD).value = self.position
            return kind, payload

    def _clear(self, index, aligned):
        """Many-to-one: senders cannot zero the next record (one may have claimed it), so the receiver does."""
        if self.ch.kind == KIND_MANY_TO_ONE:
            self.ch._map[HEADER + index:HEADER + index + aligned] = bytes(aligned)

    def _skip_abandoned(self):
        """Many-to-one: skips a record whose sender claimed it (negative length, -pid) and died before commit."""
        ch = self.ch
        index = self.position & ch.mask
        length = ch.i32(HEADER + index).value
        if length >= 0:
            return False
        pid = -struct.unpack_from("<i", ch._map, HEADER + index + 4)[0]
        if pid <= 0 or alive(pid, 0):
            return False
        self._clear(index, -length)
        self.position -= length
        ch.i64(HEAD).value = self.position
        self.lost += 1
        return True

    def receive(self, timeout):
        """The next message, waiting at most TIMEOUT seconds; PeerDead once the sender died and none is left."""
        deadline = time.monotonic() + timeout
        next_check = 0.0
        spins = 0
        while True:
            message = self.receive_now()
            if message is not None:
                return message
            spins += 1
            if spins < 200:
                continue
            now = time.monotonic()
            if now > deadline:
                raise TimeoutError(f"receive({self.ch.name}): nothing in {timeout} s")
            if now > next_check:
                next_check = now + CHECK_SECONDS
                self.ch.beat(RECEIVER_BEAT)
                if self.ch.kind == KIND_MANY_TO_ONE and self._skip_abandoned():
                    continue
                pid = self.ch.i32(SENDER_PID).value
                if pid and not alive(pid, self.ch.i64(SENDER_START).value):
                    message = self.receive_now()  # what it committed before it died
                    if message is not None:
                        return message
                    raise PeerDead(f"receive({self.ch.name}): the sender, pid {pid}, died and nothing is left")
            self._park()

    def _park(self):
        """Announces the sleep, fences (membarrier: a full fence here, and on a fenceless sender's CPU),
        re-checks, then sleeps on the wake sequence for at most 100 ms."""
        ch = self.ch
        sequence = ch.i32(WAKE_SEQUENCE).value
        ch.i32(WAITING).value = 1
        fenced = _libc.syscall(SYS_MEMBARRIER, MEMBARRIER_CMD_GLOBAL_EXPEDITED, 0, 0) == 0
        head = ch.i32(HEADER + (self.position & ch.mask))
        if head.value <= 0:
            r = ch.futex(WAKE_SEQUENCE, FUTEX_WAIT, sequence, CHECK_SECONDS if fenced else 0.001)
            if (r == -1 and ctypes.get_errno() == 110 and ch.i32(WAKE_SEQUENCE).value == sequence
                    and head.value > 0 and fenced):  # 110: ETIMEDOUT
                self.missed_wakeups += 1
        ch.i32(WAITING).value = 0


class BroadcastSender:
    """The broadcast log's sender: offer(kind, payload) never waits; the oldest records are overwritten."""

    def __init__(self, channel):
        if channel.kind != KIND_BROADCAST:
            raise ValueError(f"{channel.name} is not a broadcast log")
        channel.claim(SENDER_PID)
        self.ch = channel

    def offer(self, kind, payload):
        ch = self.ch
        length = len(payload)
        ch.check_message(kind, length)
        aligned = (length + RECORD_HEADER + 7) & ~7
        tail = ch.i64(TAIL).value
        index = tail & ch.mask
        to_end = ch.capacity - index
        pad = aligned > to_end
        ch.i64(TAIL_INTENT).value = tail + aligned + (to_end if pad else 0)  # before any byte it covers changes
        if pad:
            struct.pack_into("<i", ch._map, HEADER + index + 4, PADDING)
            ch.i32(HEADER + index).value = to_end
            tail += to_end
            index = 0
        struct.pack_into("<i", ch._map, HEADER + index + 4, kind)
        start = HEADER + index + RECORD_HEADER
        ch._map[start:start + length] = payload
        ch.i32(HEADER + index).value = length + RECORD_HEADER
        ch.i64(LATEST).value = tail
        ch.i64(TAIL).value = tail + aligned


class BroadcastReceiver:
    """A broadcast receiver at its own pace: receive(timeout) -> (type, payload); lost counts bytes overrun."""

    def __init__(self, channel):
        if channel.kind != KIND_BROADCAST:
            raise ValueError(f"{channel.name} is not a broadcast log")
        self.ch = channel
        self.cursor = channel.i64(TAIL).value
        self.lost = 0

    def _lapped(self, tail):
        ch = self.ch
        latest = ch.i64(LATEST).value
        self.lost += max(latest, tail - ch.capacity) - self.cursor
        self.cursor = latest if latest >= tail - ch.capacity else tail

    def receive_now(self):
        """The next message if there is one, else None; never one overwritten while it was copied."""
        ch = self.ch
        while True:
            tail = ch.i64(TAIL).value
            if self.cursor >= tail:
                return None
            if tail - self.cursor > ch.capacity:
                self._lapped(tail)
                continue
            index = self.cursor & ch.mask
            length = ch.i32(HEADER + index).value
            kind = struct.unpack_from("<i", ch._map, HEADER + index + 4)[0]
            payload = None
            if kind != PADDING and RECORD_HEADER <= length <= ch.max_length + RECORD_HEADER:
                start = HEADER + index + RECORD_HEADER
                payload = bytes(ch._map[start:start + length - RECORD_HEADER])
            if ch.i64(TAIL_INTENT).value - ch.capacity > self.cursor:  # overwritten while we read: discarded
                self._lapped(ch.i64(TAIL).value)
                continue
            if length < RECORD_HEADER or length > ch.capacity - index or kind < PADDING:
                raise ChannelFormatError(f"{ch.name}: corrupt record at ring offset {index}: length {length}, "
                                         f"type {kind}")
            self.cursor += length if kind == PADDING else (length + 7) & ~7
            if kind != PADDING:
                return kind, payload

    def receive(self, timeout):
        deadline = time.monotonic() + timeout
        pause = 0.00001
        while True:
            message = self.receive_now()
            if message is not None:
                return message
            if time.monotonic() > deadline:
                raise TimeoutError(f"receive({self.ch.name}): nothing new in {timeout} s")
            time.sleep(pause)
            pause = min(pause * 2, 0.001)
