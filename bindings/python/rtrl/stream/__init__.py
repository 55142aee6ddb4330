"""rtrl.stream — the rtrl-stream wire format (version 1) and ZeroMQ clients, in pure Python.

Every message is two frames: the topic (the stream id, UTF-8, 1-255 bytes) and the payload.
Publishers send samples (:func:`encode_sample`, or JSON with :func:`encode_sample_json`);
``rtrl-stream`` answers each valid sample with a prediction on the same topic
(:func:`decode_prediction`). See docs/wire-format.md for the byte layout.

This module needs neither librtrl nor the rest of the binding. The codec uses only the
standard library; :class:`Publisher` and :class:`Subscriber` need pyzmq (an optional
extra: ``pip install pyzmq``), imported when one is created.

Endpoints follow czmq: ``@tcp://...`` binds, ``>tcp://...`` connects; without a prefix a
client does the opposite of the adapter's default (the adapter's SUB connects, so a PUB
publisher binds; its PULL, PUB and PUSH bind, so PUSH publishers and subscribers connect).
"""

from __future__ import annotations

import json
import math
import os
import struct
import time
from typing import Any, Dict, Iterable, Iterator, List, NamedTuple, Optional, Sequence, Tuple, Union

__all__ = [
    "VERSION", "SAMPLE_KIND", "PREDICTION_KIND", "FLAG_HAS_TARGET", "FLAG_FLOAT32", "FLAG_RESET",
    "FLAG_LOSS_PRESENT", "METRICS_TOPIC", "SAMPLE_HEADER", "PREDICTION_HEADER",
    "Sample", "Prediction", "WireFormatError",
    "encode_sample", "encode_sample_json", "decode_sample", "encode_prediction", "decode_prediction",
    "write_frames", "read_frames", "Publisher", "Subscriber",
    "MAX_SHARDS", "SHARD_PREFIX_BYTES", "fnv1a32", "shard_of", "shard_prefix", "shard_topic",
    "checkpoint_topic",
]

VERSION = 1
SAMPLE_KIND = 1
PREDICTION_KIND = 2
FLAG_HAS_TARGET = 1 << 0
FLAG_FLOAT32 = 1 << 1
FLAG_RESET = 1 << 2
FLAG_LOSS_PRESENT = 1 << 0
METRICS_TOPIC = "$metrics"
MAX_TOPIC_BYTES = 255

#: u8 version, u8 kind, u16 flags, u32 n_x, u32 n_y, u32 reserved, u64 seq, i64 timestamp
SAMPLE_HEADER = struct.Struct("<BBHIIIQq")
#: u8 version, u8 kind, u16 flags, u32 n_y, u64 seq, u64 step, f64 loss
PREDICTION_HEADER = struct.Struct("<BBHIQQd")

Values = Union[Sequence[float], Any]  # a sequence of numbers or a numpy array


class WireFormatError(ValueError):
    """A payload that is not a valid sample or prediction."""


class Sample(NamedTuple):
    """An input sample: x(t), the target (None, or NaN for "no target for this unit"),
    seq, timestamp (ns since the epoch, 0 if unknown) and the reset flag."""
    x: Tuple[float, ...]
    y: Optional[Tuple[float, ...]]
    seq: Optional[int]
    timestamp: int
    reset: bool


class Prediction(NamedTuple):
    """A prediction: y(t) made before learning from sample ``seq``; ``step`` is the
    network's step count (the first sample has step 1); ``loss`` is E(t), NaN if none."""
    seq: int
    step: int
    loss: float
    y: Tuple[float, ...]


def _floats(values: Values) -> List[float]:
    tolist = getattr(values, "tolist", None)
    if tolist is not None:  # numpy
        values = tolist()
    if isinstance(values, (int, float)):
        values = [values]
    return [float(v) for v in values]


def _targets(values: Values) -> List[float]:
    """Target values; None (like NaN) means "no target for this unit"."""
    tolist = getattr(values, "tolist", None)
    if tolist is not None:
        values = tolist()
    if isinstance(values, (int, float)) or values is None:
        values = [values]
    return [math.nan if v is None else float(v) for v in values]


def _topic_bytes(topic: Union[str, bytes]) -> bytes:
    t = topic.encode("utf-8") if isinstance(topic, str) else bytes(topic)
    if not 1 <= len(t) <= MAX_TOPIC_BYTES:
        raise ValueError(f"a topic has 1 to {MAX_TOPIC_BYTES} bytes, got {len(t)}")
    return t


def encode_sample(x: Values, y: Optional[Values] = None, seq: int = 0, timestamp: int = 0,
                  reset: bool = False, float32: bool = False) -> bytes:
    """The binary payload of a sample. ``y`` None means no target; NaN (or None) entries
    in ``y`` mean "no target for this unit". Values are float64 (or float32 with ``float32``)."""
    xs = _floats(x)
    ys = [] if y is None else _targets(y)
    if y is not None and not ys:
        raise ValueError("y must have at least one value, or be None for no target")
    flags = (FLAG_HAS_TARGET if y is not None else 0) | (FLAG_FLOAT32 if float32 else 0) | (FLAG_RESET if reset else 0)
    header = SAMPLE_HEADER.pack(VERSION, SAMPLE_KIND, flags, len(xs), len(ys), 0, seq, timestamp)
    fmt = "<%d%s" % (len(xs) + len(ys), "f" if float32 else "d")
    return header + struct.pack(fmt, *xs, *ys)


def encode_sample_json(x: Values, y: Optional[Values] = None, seq: Optional[int] = None,
                       timestamp: Optional[int] = None, reset: bool = False) -> bytes:
    """The JSON payload of a sample: ``{"x": [...], "y": [...], "seq": n, "t": ns, "reset": b}``.
    NaN targets become ``null``; x must be finite (JSON has no NaN or Infinity)."""
    xs = _floats(x)
    if not all(math.isfinite(v) for v in xs):
        raise ValueError("x must be finite")
    obj: Dict[str, Any] = {"x": xs}
    if y is not None:
        obj["y"] = [None if math.isnan(v) else v for v in _targets(y)]
    if seq is not None:
        obj["seq"] = int(seq)
    if timestamp is not None:
        obj["t"] = int(timestamp)
    if reset:
        obj["reset"] = True
    return json.dumps(obj, allow_nan=False, separators=(",", ":")).encode("utf-8")


def decode_sample(payload: bytes) -> Sample:
    """Reads a binary or JSON sample payload (structure only: the adapter also checks the
    lengths against its network)."""
    if payload[:1] == b"{":
        try:
            obj = json.loads(payload.decode("utf-8"), parse_constant=_reject_constant)
        except (ValueError, UnicodeDecodeError) as e:
            raise WireFormatError(f"bad JSON: {e}") from None
        if not isinstance(obj, dict) or "x" not in obj:
            raise WireFormatError("a JSON sample is an object with at least \"x\"")
        y = obj.get("y")
        ys = None if not y else tuple(math.nan if v is None else float(v) for v in y)
        return Sample(tuple(float(v) for v in obj["x"]), ys, obj.get("seq"), int(obj.get("t", 0)), bool(obj.get("reset", False)))
    if len(payload) < SAMPLE_HEADER.size:
        raise WireFormatError(f"{len(payload)} bytes, a sample header has {SAMPLE_HEADER.size}")
    version, kind, flags, nx, ny, reserved, seq, ts = SAMPLE_HEADER.unpack_from(payload)
    if version != VERSION or kind != SAMPLE_KIND:
        raise WireFormatError(f"version {version}, kind {kind}: not a version-1 sample")
    if flags & ~(FLAG_HAS_TARGET | FLAG_FLOAT32 | FLAG_RESET) or reserved:
        raise WireFormatError("unknown flags or non-zero reserved field")
    if bool(flags & FLAG_HAS_TARGET) != (ny > 0):
        raise WireFormatError("the has-target flag disagrees with n_y")
    code, size = ("f", 4) if flags & FLAG_FLOAT32 else ("d", 8)
    if len(payload) != SAMPLE_HEADER.size + (nx + ny) * size:
        raise WireFormatError(f"{len(payload)} bytes do not match n_x = {nx}, n_y = {ny}")
    values = struct.unpack_from("<%d%s" % (nx + ny, code), payload, SAMPLE_HEADER.size)
    return Sample(tuple(values[:nx]), tuple(values[nx:]) if ny else None, seq, ts, bool(flags & FLAG_RESET))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def encode_prediction(seq: int, step: int, loss: float, y: Values) -> bytes:
    """The payload of a prediction (as rtrl-stream writes it)."""
    ys = _floats(y)
    flags = 0 if math.isnan(loss) else FLAG_LOSS_PRESENT
    return PREDICTION_HEADER.pack(VERSION, PREDICTION_KIND, flags, len(ys), seq, step, loss) + struct.pack("<%dd" % len(ys), *ys)


def decode_prediction(payload: bytes) -> Prediction:
    """Reads a prediction payload. Raises :class:`WireFormatError` if it is not one."""
    if len(payload) < PREDICTION_HEADER.size:
        raise WireFormatError(f"{len(payload)} bytes, a prediction header has {PREDICTION_HEADER.size}")
    version, kind, flags, ny, seq, step, loss = PREDICTION_HEADER.unpack_from(payload)
    if version != VERSION or kind != PREDICTION_KIND:
        raise WireFormatError(f"version {version}, kind {kind}: not a version-1 prediction")
    if len(payload) != PREDICTION_HEADER.size + 8 * ny:
        raise WireFormatError(f"{len(payload)} bytes do not match n_y = {ny}")
    y = struct.unpack_from("<%dd" % ny, payload, PREDICTION_HEADER.size)
    return Prediction(seq, step, loss if flags & FLAG_LOSS_PRESENT else math.nan, y)


# ---------------------------------------------------------------- sharding

#: The most shards a deployment may have (shard indices 0-9999).
MAX_SHARDS = 10000
#: Every shard prefix is "s", four digits and "/".
SHARD_PREFIX_BYTES = 6


def fnv1a32(data: bytes) -> int:
    """The 32-bit FNV-1a hash of ``data`` (offset basis 2166136261, prime 16777619)."""
    h = 0x811C9DC5
    for b in data:
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


def _stream_id_bytes(stream_id: Union[str, bytes]) -> bytes:
    b = stream_id.encode("utf-8") if isinstance(stream_id, str) else bytes(stream_id)
    if not 1 <= len(b) <= MAX_TOPIC_BYTES - SHARD_PREFIX_BYTES:
        raise ValueError(f"a stream id has 1 to {MAX_TOPIC_BYTES - SHARD_PREFIX_BYTES} bytes, got {len(b)}")
    return b


def _check_shards(n_shards: int) -> int:
    if isinstance(n_shards, bool) or not isinstance(n_shards, int) or not 1 <= n_shards <= MAX_SHARDS:
        raise ValueError(f"the number of shards must be an integer in 1..{MAX_SHARDS}, got {n_shards!r}")
    return n_shards


def shard_of(stream_id: Union[str, bytes], n_shards: int) -> int:
    """The shard (0 .. n_shards-1) of a stream: FNV-1a-32 of its UTF-8 bytes modulo
    ``n_shards``. The same as ``rtrl_shard_of`` in C and rtrl-stream's ``--shard``."""
    return fnv1a32(_stream_id_bytes(stream_id)) % _check_shards(n_shards)


def shard_prefix(shard: int) -> str:
    """The topic prefix of a shard, ``"s0002/"``: what adapter ``--shard 2/N`` subscribes to."""
    if isinstance(shard, bool) or not isinstance(shard, int) or not 0 <= shard < MAX_SHARDS:
        raise ValueError(f"a shard index is an integer in 0..{MAX_SHARDS - 1}, got {shard!r}")
    return "s%04d/" % shard


def shard_topic(stream_id: Union[str, bytes], n_shards: int) -> str:
    """The topic to publish stream ``stream_id``'s samples on when ``n_shards`` adapters
    share the streams (``rtrl-stream --shard I/N``): its shard's prefix, then the id.

    >>> shard_topic("sensor-7", 3)
    's0002/sensor-7'
    """
    b = _stream_id_bytes(stream_id)
    return shard_prefix(fnv1a32(b) % _check_shards(n_shards)) + b.decode("utf-8")


def checkpoint_topic(path: Union[str, "os.PathLike[str]"]) -> str:
    """The topic a rtrl-stream checkpoint file belongs to, from its header (for an adapter
    run with ``--shard``: the stream id, without the shard prefix). To move streams to
    other shards, move each file to the checkpoint directory of
    ``shard_of(checkpoint_topic(file), N)``; see docs/operations.md, "Sharding"."""
    with open(path, "rb") as f:
        head = f.read(18 + MAX_TOPIC_BYTES)
    if len(head) < 18 or head[:8] != b"RTRLSTRM":
        raise WireFormatError(f"{path}: not an rtrl-stream checkpoint")
    (n,) = struct.unpack_from("<H", head, 16)
    if not 1 <= n <= MAX_TOPIC_BYTES or len(head) < 18 + n:
        raise WireFormatError(f"{path}: a damaged checkpoint header")
    return head[18:18 + n].decode("utf-8")


# ---------------------------------------------------------------- frames files

def write_frames(path: str, messages: Iterable[Tuple[Union[str, bytes], bytes]]) -> None:
    """Writes two-frame messages to a frames file (per message: u32 topic length, topic,
    u32 payload length, payload; little-endian) — the format of ``rtrl-stream replay``."""
    with open(path, "wb") as f:
        for topic, payload in messages:
            t = topic.encode("utf-8") if isinstance(topic, str) else bytes(topic)
            f.write(struct.pack("<I", len(t)) + t + struct.pack("<I", len(payload)) + bytes(payload))


def read_frames(path: str) -> List[Tuple[bytes, bytes]]:
    """Reads a frames file into (topic, payload) pairs."""
    with open(path, "rb") as f:
        data = f.read()
    out: List[Tuple[bytes, bytes]] = []
    at = 0
    while at < len(data):
        fields = []
        for _ in range(2):
            if len(data) - at < 4:
                raise WireFormatError(f"{path}: truncated at byte {at}")
            (n,) = struct.unpack_from("<I", data, at)
            at += 4
            if len(data) - at < n:
                raise WireFormatError(f"{path}: truncated at byte {at}")
            fields.append(data[at:at + n])
            at += n
        out.append((fields[0], fields[1]))
    return out


# ---------------------------------------------------------------- sockets (pyzmq)

def _zmq() -> Any:
    try:
        import zmq  # noqa: PLC0415
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("rtrl.stream's Publisher and Subscriber need pyzmq: pip install pyzmq") from e
    return zmq


def _attach(sock: Any, endpoint: str, default_bind: bool) -> None:
    bind = default_bind
    if endpoint.startswith("@"):
        bind, endpoint = True, endpoint[1:]
    elif endpoint.startswith(">"):
        bind, endpoint = False, endpoint[1:]
    (sock.bind if bind else sock.connect)(endpoint)


def _curve_client(sock: Any, server_public_key: Optional[bytes], keypair: Optional[Tuple[bytes, bytes]]) -> None:
    if server_public_key is None:
        return
    zmq = _zmq()
    public, secret = keypair if keypair is not None else zmq.curve_keypair()
    sock.curve_serverkey = server_public_key
    sock.curve_publickey = public
    sock.curve_secretkey = secret


def read_key_file(path: str) -> Tuple[bytes, Optional[bytes]]:
    """(public key, secret key or None) as Z85 bytes from a key file written by
    ``rtrl-stream keygen`` (czmq certificate format)."""
    public = secret = None
    with open(path, "r", encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if "=" not in line or line.startswith("#"):
                continue
            name, value = (s.strip() for s in line.split("=", 1))
            value = value.strip('"').encode("ascii")
            if name == "public-key":
                public = value
            elif name == "secret-key":
                secret = value
    if public is None:
        raise ValueError(f"{path}: no public-key")
    return public, secret


class Publisher:
    """Sends samples to rtrl-stream.

    >>> with Publisher(">tcp://127.0.0.1:5555", pattern="push") as pub:
    ...     pub.send("sensor-1", [0.5], y=[0.25])

    ``pattern`` is ``"push"`` (to an adapter with ``--in-pattern pull``; connects by
    default) or ``"pub"`` (to the default SUB adapter; binds by default). ``seq`` counts up
    per topic from 0 unless given. ``curve_server_key`` (Z85 bytes) makes it a CURVE client,
    with ``curve_keypair`` = (public, secret) or a fresh pair. With ``shards`` = N the
    topics given to :meth:`send` and :meth:`send_json` are stream ids, sent on
    :func:`shard_topic` (id, N) for adapters started with ``--shard I/N``.
    """

    def __init__(self, endpoint: str, pattern: str = "push", context: Any = None,
                 curve_server_key: Optional[bytes] = None,
                 curve_keypair: Optional[Tuple[bytes, bytes]] = None,
                 shards: Optional[int] = None) -> None:
        zmq = _zmq()
        if pattern not in ("push", "pub"):
            raise ValueError(f"pattern must be 'push' or 'pub', got {pattern!r}")
        self.shards = None if shards is None else _check_shards(shards)
        self._ctx = context or zmq.Context.instance()
        self.socket = self._ctx.socket(zmq.PUSH if pattern == "push" else zmq.PUB)
        self.socket.linger = 5000
        _curve_client(self.socket, curve_server_key, curve_keypair)
        _attach(self.socket, endpoint, default_bind=(pattern == "pub"))
        self._seq: Dict[bytes, int] = {}

    def send(self, topic: Union[str, bytes], x: Values, y: Optional[Values] = None, seq: Optional[int] = None,
             timestamp: Optional[int] = None, reset: bool = False, float32: bool = False) -> int:
        """Sends one binary sample; returns the seq used."""
        t = self._topic(topic)
        if seq is None:
            seq = self._seq.get(t, 0)
        self._seq[t] = seq + 1
        ts = time.time_ns() if timestamp is None else timestamp
        self.socket.send_multipart([t, encode_sample(x, y, seq=seq, timestamp=ts, reset=reset, float32=float32)])
        return seq

    def send_json(self, topic: Union[str, bytes], x: Values, y: Optional[Values] = None,
                  seq: Optional[int] = None, reset: bool = False) -> None:
        """Sends one JSON sample (without ``seq`` the adapter counts for itself)."""
        self.socket.send_multipart([self._topic(topic), encode_sample_json(x, y, seq=seq, reset=reset)])

    def _topic(self, topic: Union[str, bytes]) -> bytes:
        if self.shards is not None:
            return shard_topic(topic, self.shards).encode("utf-8")
        return _topic_bytes(topic)

    def send_raw(self, topic: bytes, payload: bytes) -> None:
        """Sends two frames as given (no checks), e.g. to test the adapter with garbage."""
        self.socket.send_multipart([topic, payload])

    def close(self) -> None:
        self.socket.close()

    def __enter__(self) -> "Publisher":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class Subscriber:
    """Receives predictions (and ``$metrics``) from rtrl-stream.

    ``pattern`` is ``"sub"`` (the adapter's default PUB output; ``topics`` are prefixes) or
    ``"pull"`` (an adapter with ``--out-pattern push``). Both connect by default.
    :meth:`recv` returns ``(topic, Prediction)``, or ``("$metrics", dict)``.
    """

    def __init__(self, endpoint: str, pattern: str = "sub", topics: Sequence[str] = ("",), context: Any = None,
                 curve_server_key: Optional[bytes] = None,
                 curve_keypair: Optional[Tuple[bytes, bytes]] = None) -> None:
        zmq = _zmq()
        if pattern not in ("sub", "pull"):
            raise ValueError(f"pattern must be 'sub' or 'pull', got {pattern!r}")
        self._ctx = context or zmq.Context.instance()
        self.socket = self._ctx.socket(zmq.SUB if pattern == "sub" else zmq.PULL)
        self.socket.linger = 0
        _curve_client(self.socket, curve_server_key, curve_keypair)
        if pattern == "sub":
            for t in topics:
                self.socket.setsockopt(zmq.SUBSCRIBE, t.encode("utf-8"))
        _attach(self.socket, endpoint, default_bind=False)

    def recv(self, timeout: Optional[float] = None) -> Optional[Tuple[str, Union[Prediction, Dict[str, Any]]]]:
        """The next message, or None after ``timeout`` seconds."""
        if timeout is not None and not self.socket.poll(int(timeout * 1000)):
            return None
        topic, payload = self.socket.recv_multipart()
        name = topic.decode("utf-8", errors="replace")
        if name == METRICS_TOPIC:
            return name, json.loads(payload.decode("utf-8"))
        return name, decode_prediction(payload)

    def __iter__(self) -> Iterator[Tuple[str, Union[Prediction, Dict[str, Any]]]]:
        while True:
            m = self.recv()
            if m is not None:
                yield m

    def close(self) -> None:
        self.socket.close()

    def __enter__(self) -> "Subscriber":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
