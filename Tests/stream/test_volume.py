"""Must show 4: PUSH/PULL, every message in gives one prediction out, none lost.

All 1,000,000 messages (about 8 s on the 2-core development machine, through pyzmq);
RTRL_STREAM_MESSAGES overrides the count.
"""

import os
import struct
import time

import zmq

from conftest import PUSH_PULL, pull_from, push_to

N = int(os.environ.get("RTRL_STREAM_MESSAGES", "1000000"))


def test_push_pull_loses_nothing(adapters, ctx):
    a = adapters(*PUSH_PULL, "--hwm", "10000")
    push, pull = push_to(ctx, a.input), pull_from(ctx, a.output)
    header = struct.Struct("<BBHIIIQqdd")
    topics = [b"a", b"b", b"c", b"d"]
    seen = {t: 0 for t in topics}   # predictions per topic, checked in order
    sent = received = 0
    poller = zmq.Poller()
    poller.register(pull, zmq.POLLIN)
    poller.register(push, zmq.POLLOUT)
    t0 = time.monotonic()
    while received < N:
        if time.monotonic() - t0 > 120:
            raise AssertionError(f"sent {sent}, received {received} of {N}")
        events = dict(poller.poll(1000))
        if events.get(push) and sent < N:
            try:
                for _ in range(min(256, N - sent)):
                    topic = topics[sent % 4]
                    seq = sent // 4
                    push.send_multipart([topic, header.pack(1, 1, 1, 1, 1, 0, seq, 0, (seq % 97) * 0.01, 0.5)],
                                        flags=zmq.NOBLOCK)
                    sent += 1
            except zmq.Again:
                pass
            if sent == N:
                poller.unregister(push)
        if events.get(pull):
            while True:
                try:
                    topic, payload = pull.recv_multipart(flags=zmq.NOBLOCK)
                except zmq.Again:
                    break
                if topic == b"$metrics":
                    continue
                seq = struct.unpack_from("<Q", payload, 8)[0]
                assert seq == seen[topic], f"{topic}: got seq {seq}, expected {seen[topic]}"
                seen[topic] += 1
                received += 1
    elapsed = time.monotonic() - t0
    assert sent == received == N
    assert sum(seen.values()) == N and max(seen.values()) - min(seen.values()) <= 1
    rc, _ = a.stop()
    assert rc == 0
    s = a.summary()
    assert s["messages"] == N and s["predictions"] == N and s["malformed"] == 0 and s["unsent"] == 0
    print(f"{N} messages in {elapsed:.2f} s ({N / elapsed:,.0f}/s through pyzmq)")
