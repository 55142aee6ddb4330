"""Must show 6: CURVE. An allowed client's samples are learned; a client with an unknown key
and a plain client get nothing in, and the adapter keeps serving the allowed one."""

import subprocess

import zmq

from conftest import PUSH_PULL, binary, collect, next_metrics, pull_from, push_to, quiet, replay, series, stream


def keygen(path):
    subprocess.run([binary(), "keygen", str(path)], check=True, capture_output=True)
    public, secret = stream.read_key_file(str(path) + "_secret")
    assert stream.read_key_file(str(path)) == (public, None)
    return public, secret


def test_curve_admits_only_allowed_clients(adapters, ctx, tmp_path):
    server = keygen(tmp_path / "server")
    allowed_dir = tmp_path / "allowed"
    allowed_dir.mkdir()
    client = keygen(allowed_dir / "client")
    (allowed_dir / "client_secret").unlink()  # the server only needs public keys
    a = adapters(*PUSH_PULL, "--stats-every", "0.1", "--curve-secret-key", str(tmp_path / "server_secret"),
                 "--curve-allow", str(allowed_dir))
    # The output is a CURVE server too: only an allowed client can receive.
    pull = pull_from(ctx, a.output, server_key=server[0], keypair=client)
    good = push_to(ctx, a.input, server_key=server[0], keypair=client)
    intruder = push_to(ctx, a.input, server_key=server[0])          # a valid CURVE key, not allowed
    plain = push_to(ctx, a.input)                                    # no CURVE at all
    eavesdropper = ctx.socket(zmq.PULL)
    eavesdropper.connect(a.output)
    for m in series(7, 20):
        intruder.send_multipart([b"intruder", m[1]])
        plain.send_multipart([b"plain", m[1]])
    samples = series(0, 200)
    for m in samples[:100]:
        good.send_multipart(list(m))
    first = collect(pull, 100)
    m = next_metrics(pull, where=lambda m: m["auth_denied"] >= 1)
    assert m["streams"] == 1 and m["malformed"] == 0
    assert m["auth_admitted"] >= 2  # the PUSH and the PULL client
    for msg in samples[100:]:
        good.send_multipart(list(msg))
    second = collect(pull, 100)
    assert first + second == replay(samples, [], tmp_path)
    assert quiet(pull, 0.3) == []
    assert eavesdropper.poll(100) == 0
    rc, _ = a.stop()
    assert rc == 0
    s = a.summary()
    assert s["streams"] == 1 and s["messages"] == 200 and s["predictions"] == 200


def test_keygen_refuses_to_overwrite(tmp_path):
    keygen(tmp_path / "k")
    r = subprocess.run([binary(), "keygen", str(tmp_path / "k")], capture_output=True, text=True)
    assert r.returncode != 0 and "exists" in r.stderr
    assert oct((tmp_path / "k_secret").stat().st_mode & 0o777) == "0o600"


def test_curve_allow_needs_a_secret_key(adapters, tmp_path):
    a = adapters(*PUSH_PULL, "--curve-allow", str(tmp_path), expect_start=False)
    assert a.proc.wait(10) != 0
    assert "curve-secret-key" in a.log()
