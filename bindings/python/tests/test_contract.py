"""Every call of CONTRACT §3 (and the binding's additions), checked against numbers
computed independently in the test."""

from __future__ import annotations

import math

import numpy as np
import pytest

import rtrl
from bptt import Model


def _forward_fully_recurrent(net: rtrl.Network, xs) -> np.ndarray:
    """y(t) of a fully_recurrent network from its blocks, in numpy."""
    W_in, W_rec, b = net.get_block("input->units"), net.get_block("units->units"), net.get_block("units.bias")
    a = np.zeros(W_rec.shape[0])
    ys = []
    for x in xs:
        a = np.tanh(W_in @ np.asarray(x, float) + W_rec @ a + b)
        ys.append(a[:net.num_outputs].copy())
    return np.array(ys)


# ---------------------------------------------------------------- presets


def test_fully_recurrent_layout():
    with rtrl.Network.fully_recurrent(3, 5, 2, seed=1) as net:
        assert (net.num_inputs, net.num_outputs, net.num_params) == (3, 2, 5 * 3 + 25 + 5)
        assert net.param_blocks() == [("input->units", 0, (5, 3)), ("units->units", 15, (5, 5)),
                                      ("units.bias", 40, (5,))]
        assert net.layers() == [rtrl.Layer("units", 5, "tanh", True)]
        assert net.output_units() == ("units", [0, 1])
        c = net.connections()
        assert [(x.source, x.target, x.delay, x.kind) for x in c] == [
            ("input", "units", 0, "dense"), ("units", "units", 1, "dense")]


def test_elman_layout_and_initialisation():
    with rtrl.Network.elman(2, 6, 3, seed=4) as net:
        names = [b[0] for b in net.param_blocks()]
        assert names == ["input->hidden", "hidden->hidden", "hidden.bias", "hidden->output", "output.bias"]
        assert [(l.name, l.activation) for l in net.layers()] == [("hidden", "tanh"), ("output", "identity")]
        # Uniform in +-1/sqrt(fan-in), fan-in = sum of source sizes (+1 with a bias); biases 0.
        hidden_bound = 1 / math.sqrt(2 + 6 + 1)
        for name in ("input->hidden", "hidden->hidden"):
            w = net.get_block(name)
            assert np.all(np.abs(w) <= hidden_bound) and np.abs(w).max() > hidden_bound / 3
        out = net.get_block("hidden->output")
        assert out.shape == (3, 6) and np.all(np.abs(out) <= 1 / math.sqrt(6 + 1))
        assert not net.get_block("hidden.bias").any() and not net.get_block("output.bias").any()


def test_jordan_layout_and_fixed_blocks():
    with rtrl.Network.jordan(2, 4, 2, mu=0.3, seed=0) as net:
        assert [b[0] for b in net.param_blocks()] == [
            "input->hidden", "state->hidden", "hidden.bias", "hidden->output", "output.bias"]
        assert [(l.name, l.size, l.activation, l.bias) for l in net.layers()] == [
            ("state", 2, "identity", False), ("hidden", 4, "tanh", True), ("output", 2, "identity", True)]
        fixed = {b.name: b for b in net.blocks() if not b.trainable}
        assert list(fixed) == ["state->state"]
        np.testing.assert_array_equal(net.get_block("state->state"), [0.3, 0.3])
        ident = [c for c in net.connections() if c.kind == "identity"]
        assert ident == [rtrl.Connection("output", "state", 1, "identity", False, 1.0, None)]


def test_jordan_state_is_mu_times_state_plus_previous_output():
    # s(t) = mu s(t-1) + y(t-1): with "state->hidden" as the only path, check through y.
    with rtrl.Network.jordan(1, 3, 1, mu=0.5, seed=2) as net:
        model = Model(net)
        X = np.array([[0.3], [-0.2], [0.7], [0.1]])
        want, _, _ = model.run(X, np.full((4, 1), np.nan))
        got = np.array([net.feed(x) for x in X])
        np.testing.assert_allclose(got, want, rtol=1e-13)


def test_same_seed_same_weights_other_seed_other_weights():
    a = rtrl.Network.elman(2, 4, 1, seed=7)
    b = rtrl.Network.elman(2, 4, 1, seed=7)
    c = rtrl.Network.elman(2, 4, 1, seed=8)
    np.testing.assert_array_equal(a.get_params(), b.get_params())
    assert not np.array_equal(a.get_params(), c.get_params())


def test_precision_option():
    with rtrl.Network.fully_recurrent(1, 4, 1, precision="f32") as net:
        assert net.precision == "f32"
        y = net.step([0.5], [0.2])
        assert y.dtype == np.float64
        # f32 arithmetic: the value is representable as a float32.
        assert float(np.float32(y[0])) == y[0]
    assert rtrl.Network.fully_recurrent(1, 4, 1).precision == "f64"


def test_activation_alias_sigmoid():
    with rtrl.Network.elman(1, 2, 1, hidden_activation="sigmoid") as net:
        assert net.layers()[0].activation == "logistic"


# ---------------------------------------------------------------- builder


def test_builder_as_in_the_contract():
    b = rtrl.Builder(2)
    b.layer("h", 8, activation="tanh", bias=True)
    b.connect("input", "h", delay=0)
    b.connect("h", "h", delay=1)
    b.output("h", units=[0, 1])
    net = b.build(seed=0)
    assert net.num_outputs == 2 and net.num_params == 8 * 2 + 64 + 8
    assert [p[0] for p in net.param_blocks()] == ["input->h", "h->h", "h.bias"]
    b.close()
    b.close()


def test_builder_block_naming_fixed_blocks_and_identity():
    with rtrl.Builder(2) as b:
        b.layer("a", 3, "tanh", bias=False).layer("o", 3, "identity", bias=True)
        b.connect("input", "a").connect("a", "o").connect("a", "o", delay=1, kind="diagonal", scale=0.5)
        b.connect("o", "a", delay=1, kind="identity", scale=0.9)
        b.connect("a", "a", delay=1, kind="dense", trainable=False, scale=0.8)
        b.output("o", units=[2, 0])
        net = b.build(seed=5)
    blocks = {blk.name: blk for blk in net.blocks()}
    assert set(blocks) == {"input->a", "a->o", "a->o#2", "a->a", "o.bias"}
    assert blocks["a->o#2"].shape == (3,) and blocks["a->o#2"].kind == "diagonal"
    np.testing.assert_array_equal(net.get_block("a->o#2"), [0.5] * 3)
    assert not blocks["a->a"].trainable and blocks["a->a"].offset is None
    assert [p[0] for p in net.param_blocks()] == ["input->a", "a->o", "a->o#2", "o.bias"]
    assert np.all(np.abs(net.get_block("a->a")) <= 0.8 / math.sqrt(2 + 3 + 3))
    assert net.output_units() == ("o", [2, 0])
    # A fixed block is writable by name and is used.
    x = [0.4, -0.3]
    clone = net.clone()
    net.feed(x)
    y1 = net.feed(x)
    clone.set_block("a->a", np.zeros((3, 3)))
    clone.feed(x)
    assert not np.array_equal(clone.feed(x), y1)


def test_builder_can_build_twice_identically():
    with rtrl.Builder(1) as b:
        b.layer("h", 3).connect("input", "h").connect("h", "h", delay=1).output("h")
        n1, n2 = b.build(seed=3), b.build(seed=3)
        assert n1.to_bytes() == n2.to_bytes()


def test_builder_calls_chain_and_repr_shows_the_description():
    b = rtrl.Builder(1).layer("h", 2).connect("input", "h").output("h", [1])
    assert repr(b) == "<rtrl.Builder inputs=1 layers=[h(2 tanh +bias)] connections=[input->h] output=h[1]>"
    b.close()
    assert repr(b) == "<rtrl.Builder (closed)>"


# ---------------------------------------------------------------- stepping


def test_feed_output_and_step_compute_the_forward_pass():
    xs = [[0.5], [-0.25], [1.0], [0.0]]
    with rtrl.Network.fully_recurrent(1, 4, 2, seed=9) as net:
        want = _forward_fully_recurrent(net, xs)
        clone = net.clone()
        for t, x in enumerate(xs):
            y = net.feed(x)
            np.testing.assert_allclose(y, want[t], rtol=1e-14)
            np.testing.assert_array_equal(net.output(), y)
            np.testing.assert_array_equal(clone.step(x), y)  # no target: no learning
        np.testing.assert_array_equal(clone.get_params(), net.get_params())
        assert not clone.gradient().any()
        assert math.isnan(clone.last_loss)


def test_output_is_zero_before_the_first_step_and_after_reset():
    with rtrl.Network.elman(2, 3, 2) as net:
        np.testing.assert_array_equal(net.output(), [0, 0])
        net.feed([1, 1])
        assert net.output().any()
        net.reset_state()
        np.testing.assert_array_equal(net.output(), [0, 0])


def test_learn_returns_the_squared_error_over_the_units_with_a_target():
    with rtrl.Network.elman(1, 3, 3, seed=1) as net:
        y = net.feed([0.3])
        target = np.array([0.5, np.nan, -0.25])
        loss = net.learn(target)
        assert loss == pytest.approx((0.5 - y[0]) ** 2 + (-0.25 - y[2]) ** 2, rel=1e-14)
        assert net.last_loss == loss


def test_all_nan_target_means_no_loss_and_no_gradient():
    with rtrl.Network.elman(1, 3, 2, seed=1) as net:
        net.feed([0.3])
        assert net.accumulate([np.nan, np.nan]) == 0.0
        assert not net.gradient().any()


def test_sgd_learn_subtracts_eta_times_the_gradient():
    with rtrl.Network.elman(2, 4, 1, seed=2) as net:
        net.configure(optimizer="sgd", learning_rate=0.1)
        net.feed([0.2, -0.4])
        probe = net.clone()
        probe.accumulate([0.7])
        g = probe.gradient()
        p = net.get_params()
        net.learn([0.7])
        np.testing.assert_allclose(net.get_params(), p - 0.1 * g, rtol=1e-15, atol=1e-17)
        assert not net.gradient().any()  # applied and cleared


@pytest.mark.parametrize("sensitivity", ["exact", "snap1", "uoro"])
def test_sgd_by_hand_through_accumulate_and_set_params_is_step_bit_for_bit(sensitivity):
    # What Benchmarks/scale/xor_variants.py relies on: set_params between steps keeps the
    # state and the sensitivities, so accumulate + theta -= eta g + set_params is SGD.
    rng = np.random.default_rng(7)
    X = rng.uniform(-1, 1, (60, 1))
    Y = np.where(np.arange(60)[:, None] % 2 == 1, rng.uniform(-0.5, 0.5, (60, 1)), np.nan)
    with rtrl.Network.elman(1, 5, 1, seed=3) as net, rtrl.Network.elman(1, 5, 1, seed=3) as by_hand:
        net.configure(optimizer="sgd", learning_rate=0.3, sensitivity=sensitivity)
        by_hand.configure(optimizer="sgd", learning_rate=0.0, sensitivity=sensitivity)
        theta = by_hand.get_params()
        theta0 = theta.copy()
        for x, y in zip(X, Y):
            np.testing.assert_array_equal(by_hand.feed(x), net.step(x, y))
            if not np.isnan(y[0]):
                by_hand.accumulate(y)
                theta -= 0.3 * by_hand.gradient()
                by_hand.zero_grad()
                by_hand.set_params(theta)
        np.testing.assert_array_equal(by_hand.get_params(), net.get_params())
        assert np.abs(theta - theta0).max() > 1e-3  # it learned


def _power(b, t):
    """b^t by repeated squaring, as the engine computes Adam's bias corrections."""
    result, base = 1.0, b
    while t > 0:
        if t & 1:
            result *= base
        base *= base
        t >>= 1
    return result


@pytest.mark.parametrize("precision", ["f64", "f32"])
@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
@pytest.mark.parametrize("sensitivity", ["exact", "snap1"])
def test_momentum_and_adam_by_hand_in_numpy_are_step_bit_for_bit(optimizer, precision, sensitivity):
    # The contract's formulas, one IEEE operation at a time in the network's precision
    # (numpy rounds each product, sum, quotient and square root on its own), give the
    # engine's parameters bit for bit: an independent check of its optimizer pass. `step`
    # learns at every step, so the optimizer runs on the steps without a target too (with
    # g = 0: momentum and Adam still move theta).
    dt = np.float64 if precision == "f64" else np.float32
    rng = np.random.default_rng(11)
    X = rng.uniform(-1, 1, (50, 1))
    Y = np.where(np.arange(50)[:, None] % 3 == 2, rng.uniform(-0.5, 0.5, (50, 1)), np.nan)
    lr, mu, b1, b2, eps = 0.05, 0.9, 0.9, 0.999, 1e-8
    with rtrl.Network.elman(1, 5, 1, seed=4, precision=precision) as net, \
            rtrl.Network.elman(1, 5, 1, seed=4, precision=precision) as by_hand:
        net.configure(optimizer=optimizer, learning_rate=lr, momentum=mu, beta1=b1, beta2=b2, eps=eps,
                      sensitivity=sensitivity)
        by_hand.configure(optimizer="sgd", learning_rate=0.0, sensitivity=sensitivity)
        theta = by_hand.get_params().astype(dt)
        theta0 = theta.copy()
        m = np.zeros_like(theta)
        v = np.zeros_like(theta)
        eta, mu_, b1_, b2_, eps_ = dt(lr), dt(mu), dt(b1), dt(b2), dt(eps)
        t = 0
        for x, y in zip(X, Y):
            np.testing.assert_array_equal(by_hand.feed(x), net.step(x, y))
            g = np.zeros_like(theta)
            if not np.isnan(y[0]):
                by_hand.accumulate(y)
                g = by_hand.gradient().astype(dt)
                by_hand.zero_grad()
            if optimizer == "momentum":
                m = mu_ * m + g
                theta = theta - eta * m
            else:
                t += 1
                c1, c2 = dt(1 - _power(b1, t)), dt(1 - _power(b2, t))
                m = b1_ * m + (dt(1) - b1_) * g
                v = b2_ * v + (dt(1) - b2_) * g * g
                theta = theta - eta * (m / c1) / (np.sqrt(v / c2) + eps_)
            assert theta.dtype == dt
            by_hand.set_params(theta)
        np.testing.assert_array_equal(by_hand.get_params(), net.get_params())
        assert np.abs(theta - theta0).max() > 1e-2  # it learned


def test_step_predicts_before_learning():
    with rtrl.Network.elman(2, 4, 1, seed=2) as net:
        probe = net.clone()
        y = net.step([0.2, -0.4], [0.7])
        np.testing.assert_array_equal(y, probe.feed([0.2, -0.4]))
        assert net.last_loss == pytest.approx((0.7 - y[0]) ** 2, rel=1e-14)
        assert net.step_count == 1


def test_accumulate_sums_apply_applies_and_zero_grad_clears():
    with rtrl.Network.fully_recurrent(1, 3, 1, seed=3) as net:
        net.configure(learning_rate=0.5)
        net.feed([0.5])
        probe = net.clone()
        net.accumulate([0.1])
        g1 = net.gradient()
        probe.accumulate([0.1])
        probe.accumulate([0.1])  # the same step twice: twice the gradient
        np.testing.assert_allclose(probe.gradient(), 2 * g1, rtol=1e-15)
        p = net.get_params()
        net.apply()
        np.testing.assert_allclose(net.get_params(), p - 0.5 * g1, rtol=1e-15, atol=1e-17)
        assert not net.gradient().any()
        probe.zero_grad()
        assert not probe.gradient().any()
        np.testing.assert_array_equal(probe.get_params(), p)


def test_update_every_applies_the_summed_gradient_every_nth_learn():
    with rtrl.Network.elman(1, 3, 1, seed=4) as net:
        net.configure(learning_rate=0.2, update_every=3)
        p0 = net.get_params()
        probe = net.clone()
        probe.configure(learning_rate=0.0)  # the same trajectory, never updated
        for t, (x, y) in enumerate([(0.1, 0.5), (0.4, -0.2), (-0.3, 0.3)]):
            net.feed([x])
            net.learn([y])
            probe.feed([x])
            probe.accumulate([y])
            if t < 2:
                np.testing.assert_array_equal(net.get_params(), p0)
        np.testing.assert_allclose(net.get_params(), p0 - 0.2 * probe.gradient(), rtol=1e-14, atol=1e-16)


def test_momentum_and_adam_follow_their_formulas():
    steps = [([0.3], [0.5]), ([-0.6], [0.1]), ([0.9], [-0.4])]
    for optimizer in ("momentum", "adam"):
        with rtrl.Network.elman(1, 3, 1, seed=6) as net:
            net.configure(optimizer=optimizer, learning_rate=0.05, momentum=0.8, beta1=0.85,
                          beta2=0.99, eps=1e-6)
            theta = net.get_params()
            v = np.zeros_like(theta)
            m = np.zeros_like(theta)
            for k, (x, y) in enumerate(steps, start=1):
                net.feed(x)
                probe = net.clone()
                probe.accumulate(y)
                g = probe.gradient()
                net.learn(y)
                if optimizer == "momentum":
                    v = 0.8 * v + g
                    theta = theta - 0.05 * v
                else:
                    m = 0.85 * m + 0.15 * g
                    v = 0.99 * v + 0.01 * g * g
                    theta = theta - 0.05 * (m / (1 - 0.85 ** k)) / (np.sqrt(v / (1 - 0.99 ** k)) + 1e-6)
                np.testing.assert_allclose(net.get_params(), theta, rtol=1e-12, atol=1e-15)


def test_clip_norm_rescales_a_large_gradient():
    with rtrl.Network.elman(1, 4, 1, seed=7) as net:
        net.configure(learning_rate=1.0, clip_norm=1e-3)
        net.feed([0.8])
        probe = net.clone()
        probe.accumulate([5.0])
        g = probe.gradient()
        assert np.linalg.norm(g) > 1e-3
        p = net.get_params()
        net.learn([5.0])
        np.testing.assert_allclose(p - net.get_params(), g * 1e-3 / np.linalg.norm(g), rtol=1e-12)


def test_teacher_forcing_keeps_the_prediction_as_output():
    with rtrl.Network.fully_recurrent(1, 3, 1, seed=8) as net:
        net.configure(teacher_forcing=True, learning_rate=0.0)
        y = net.feed([0.5])
        net.learn([0.9])
        np.testing.assert_array_equal(net.output(), y)


def test_configure_and_config():
    with rtrl.Network.elman(1, 2, 1) as net:
        assert net.config == dict(optimizer="sgd", learning_rate=0.01, momentum=0.9, beta1=0.9,
                                  beta2=0.999, eps=1e-8, loss="mse", teacher_forcing=False,
                                  update_every=1, clip_norm=None, divergence_guard=True,
                                  ekf_r=1.0, ekf_q=1e-6, p0=0.01, readout="gradient",
                                  rls_lambda=0.999, max_covariance_entries=2 ** 26,
                                  sensitivity="exact")
        assert net.configure(optimizer="adam", learning_rate=0.003, clip_norm=2.0, update_every=4,
                             teacher_forcing=True, divergence_guard=False) is net
        c = net.config
        assert (c["optimizer"], c["learning_rate"], c["clip_norm"], c["update_every"],
                c["teacher_forcing"], c["divergence_guard"]) == ("adam", 0.003, 2.0, 4, True, False)
        net.configure(optimizer="ekf", ekf_r=0.5, ekf_q=1e-5, p0=0.1, max_covariance_entries=1000)
        c = net.config
        assert (c["optimizer"], c["ekf_r"], c["ekf_q"], c["p0"], c["max_covariance_entries"],
                c["learning_rate"]) == ("ekf", 0.5, 1e-5, 0.1, 1000, 0.01)
        net.configure(readout="rls", rls_lambda=0.99)
        assert (net.config["readout"], net.config["rls_lambda"], net.config["optimizer"]) == ("rls", 0.99, "sgd")


def test_cross_entropy_loss_value():
    with rtrl.Network.elman(1, 3, 3, output_activation="softmax", seed=1) as net:
        net.configure(loss="cross_entropy")
        y = net.feed([0.2])
        assert y.sum() == pytest.approx(1.0, abs=1e-15)
        target = [0.2, np.nan, 0.5]  # need not sum to 1
        loss = net.learn(target)
        assert loss == pytest.approx(-(0.2 * math.log(y[0]) + 0.5 * math.log(y[2])), rel=1e-14)


def test_reset_state_restarts_the_sequence_but_keeps_weights_and_buffer():
    with rtrl.Network.fully_recurrent(1, 3, 1, seed=2) as net:
        fresh = net.clone()
        net.feed([0.4])
        net.accumulate([0.3])
        g = net.gradient()
        net.feed([0.9])
        net.reset_state()
        np.testing.assert_array_equal(net.gradient(), g)
        assert net.step_count == 2
        np.testing.assert_array_equal(net.feed([0.4]), fresh.feed([0.4]))


# ---------------------------------------------------------------- parameters


def test_get_and_set_params():
    with rtrl.Network.elman(2, 3, 1, seed=1) as net:
        p = net.get_params()
        assert p.shape == (net.num_params,) and p.dtype == np.float64
        q = np.linspace(-0.5, 0.5, net.num_params)
        net.set_params(q)
        np.testing.assert_array_equal(net.get_params(), q)
        offset = dict((n, o) for n, o, _ in net.param_blocks())["hidden->output"]
        np.testing.assert_array_equal(net.get_block("hidden->output").ravel(), q[offset:offset + 3])
        net.set_params(q.tolist())  # lists accepted


def test_param_blocks_tile_the_flat_vector():
    with rtrl.Network.jordan(3, 4, 2) as net:
        offset = 0
        for name, off, shape in net.param_blocks():
            assert off == offset
            offset += int(np.prod(shape))
        assert offset == net.num_params


def test_get_block_and_set_block_shapes():
    with rtrl.Network.elman(2, 3, 1, seed=3) as net:
        w = net.get_block("hidden->hidden")
        assert w.shape == (3, 3)
        net.set_block("hidden->hidden", np.eye(3))
        np.testing.assert_array_equal(net.get_block("hidden->hidden"), np.eye(3))
        net.set_block("hidden->hidden", np.arange(9.0) / 10)  # flat, row-major
        np.testing.assert_array_equal(net.get_block("hidden->hidden"), np.arange(9.0).reshape(3, 3) / 10)
        assert net.get_block("hidden.bias").shape == (3,)
        assert net.get_block("hidden->output").shape == (1, 3)  # dense with one row
        assert net.get_block("input->hidden").shape == (3, 2)


# ---------------------------------------------------------------- conveniences


def test_run_equals_a_loop_of_steps_and_accepts_nan_targets(rng):
    with rtrl.Network.elman(2, 5, 2, seed=4) as net:
        net.configure(optimizer="adam", learning_rate=0.01)
        probe = net.clone()
        X = rng.uniform(-1, 1, (40, 2))
        Y = rng.uniform(-1, 1, (40, 2))
        Y[::3, 0] = np.nan
        preds, losses = net.run(X, Y)
        for t in range(40):
            np.testing.assert_array_equal(probe.step(X[t], Y[t]), preds[t])
            assert probe.last_loss == losses[t]
        assert net.to_bytes() == probe.to_bytes()
        only = net.run(X)  # no learning
        assert only.shape == (40, 2) and net.get_params().tolist() == probe.get_params().tolist()


def test_run_accepts_1d_sequences_for_one_input_and_output():
    with rtrl.Network.fully_recurrent(1, 4, 1, seed=1) as net:
        preds, losses = net.run(np.linspace(0, 1, 10), np.linspace(1, 0, 10))
        assert preds.shape == (10, 1) and losses.shape == (10,)


def test_inputs_of_other_types_are_converted():
    with rtrl.Network.elman(2, 3, 1, seed=1) as net:
        ref = net.clone()
        want = ref.feed(np.array([0.5, -0.25]))
        strided = np.array([0.5, 9.0, -0.25, 9.0])[::2]  # not contiguous
        for x in ([0.5, -0.25], (0.5, -0.25), np.array([0.5, -0.25], np.float32), strided,
                  np.array([[0.5], [-0.25]])[:, 0]):
            c = net.clone()
            np.testing.assert_array_equal(c.feed(x), want)
        one = rtrl.Network.fully_recurrent(1, 2, 1)
        np.testing.assert_array_equal(one.clone().feed(0.5), one.clone().feed([0.5]))
        np.testing.assert_array_equal(one.clone().feed(np.float32(0.5)), one.clone().feed([0.5]))
        np.testing.assert_array_equal(one.clone().feed(1), one.clone().feed([1.0]))


def test_returned_arrays_are_fresh_copies():
    with rtrl.Network.elman(1, 2, 1) as net:
        y1 = net.feed([0.5])
        y2 = net.feed([0.1])
        assert y1 is not y2 and not np.shares_memory(y1, y2)
        saved = y1.copy()
        net.feed([0.9])
        np.testing.assert_array_equal(y1, saved)


def test_zero_inputs_network():
    with rtrl.Network.fully_recurrent(0, 3, 1) as net:
        y = net.step([], [0.5])
        net.step(np.empty(0), [0.5])
        assert y.shape == (1,)
        assert [b[0] for b in net.param_blocks()] == ["units->units", "units.bias"]


def test_clone_is_independent():
    with rtrl.Network.elman(1, 2, 1, seed=1) as net:
        c = net.clone()
        net.step([1.0], [1.0])
        assert c.step_count == 0 and net.step_count == 1
        assert not np.array_equal(c.get_params(), net.get_params())


def test_counters():
    with rtrl.Network.elman(1, 2, 1) as net:
        for _ in range(5):
            net.step([0.1], [0.2])
        assert net.step_count == 5 and net.refused_updates == 0


def test_repr_shows_the_architecture():
    with rtrl.Network.jordan(1, 3, 1, seed=0) as net:
        r = repr(net)
        assert r.startswith("<rtrl.Network inputs=1 layers=[state(1 identity), hidden(3 tanh +bias), "
                            "output(1 identity +bias)]")
        assert "output->state identity d1 fixed" in r and "params=" in r and "f64" in r
    assert repr(net) == "<rtrl.Network (closed)>"


def test_context_manager_closes_and_close_is_idempotent():
    with rtrl.Network.elman(1, 2, 1) as net:
        assert not net.closed
    assert net.closed
    net.close()
    net.close()
    with pytest.raises(rtrl.InvalidArgumentError, match="closed"):
        net.step([0.1])
    with pytest.raises(ValueError, match="closed"):
        net.get_params()


def test_the_network_cannot_be_constructed_directly():
    with pytest.raises(TypeError, match="fully_recurrent"):
        rtrl.Network()


def test_version_is_the_library_version():
    parts = rtrl.__version__.split(".")
    assert len(parts) == 3 and all(p.isdigit() for p in parts)
    assert rtrl.__version__ == rtrl._library.library().rtrl_version().decode()


@pytest.mark.parametrize("settings", [dict(optimizer="ekf"), dict(optimizer="dekf"),
                                      dict(optimizer="sgd", learning_rate=0.05, readout="rls")],
                         ids=["ekf", "dekf", "rls-readout"])
def test_second_order_settings_reach_the_library_and_learn(settings):
    X, Y = rtrl.datasets.sine(1500, period=16, seed=1)
    with rtrl.Network.elman(1, 6, 1, seed=2) as net:
        net.configure(**settings)
        _, losses = net.run(X, Y)
        assert losses[-200:].mean() < 0.1 * losses[:200].mean()


def test_second_order_settings_are_validated():
    with rtrl.Network.elman(1, 6, 1, seed=2) as net:
        with pytest.raises(rtrl.InvalidArgumentError):
            net.configure(optimizer="ekf", update_every=2)
        with pytest.raises(rtrl.OutOfMemoryError):
            net.configure(optimizer="ekf", max_covariance_entries=10)
        with pytest.raises(rtrl.InvalidArgumentError):
            net.configure(optimizer="ekf", readout="rls")
        with pytest.raises(rtrl.InvalidArgumentError, match="readout"):
            net.configure(readout="lms")
        assert net.config["optimizer"] == "sgd"
