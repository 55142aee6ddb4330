"""A plain numpy model of CONTRACT §1, written independently of the library: the forward
pass of any network (read through the binding's introspection) and its gradient by
backpropagation through time over a whole sequence, with NaN targets, both losses and
teacher forcing. The tests compare the library's accumulated RTRL gradient with it."""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

import numpy as np

import rtrl

_TINY = np.finfo(np.float64).tiny  # the smallest normal double


def _phi(act: str, z: np.ndarray) -> np.ndarray:
    if act == "identity":
        return z.copy()
    if act == "logistic":
        return 1.0 / (1.0 + np.exp(-z))
    if act == "tanh":
        return np.tanh(z)
    if act == "relu":
        return np.maximum(z, 0.0)
    if act == "softmax":
        e = np.exp(z - z.max())
        return e / e.sum()
    raise ValueError(act)


def _backprop_activation(act: str, z: np.ndarray, a: np.ndarray, da: np.ndarray) -> np.ndarray:
    """dE/dz from dE/da for a = phi(z)."""
    if act == "identity":
        return da.copy()
    if act == "logistic":
        return da * a * (1.0 - a)
    if act == "tanh":
        return da * (1.0 - a * a)
    if act == "relu":
        return da * (z > 0)  # relu'(0) = 0
    if act == "softmax":  # J = diag(a) - a a^T (symmetric)
        return a * (da - np.dot(a, da))
    raise ValueError(act)


class Model:
    """A network's architecture and current weights, read from an rtrl.Network."""

    def __init__(self, net: rtrl.Network) -> None:
        self.n_inputs = net.num_inputs
        self.layers = {l.name: l for l in net.layers()}
        self.order = self._topological_order(net)
        self.connections = net.connections()
        self.weights: Dict[str, np.ndarray] = {b.name: net.get_block(b.name) for b in net.blocks()}
        self.param_blocks = net.param_blocks()
        self.num_params = net.num_params
        self.output_layer, self.output_units = net.output_units()

    def _topological_order(self, net: rtrl.Network) -> List[str]:
        names = [l.name for l in net.layers()]
        deps = {n: set() for n in names}
        for c in net.connections():
            if c.delay == 0 and c.source != "input":
                deps[c.target].add(c.source)
        order: List[str] = []
        while len(order) < len(names):
            ready = [n for n in names if n not in order and deps[n] <= set(order)]
            assert ready, "delay-0 cycle"
            order.append(ready[0])
        return order

    def set_flat(self, theta: np.ndarray) -> None:
        for name, offset, shape in self.param_blocks:
            size = int(np.prod(shape))
            self.weights[name] = theta[offset:offset + size].reshape(shape).copy()

    def _bias(self, layer: str) -> Optional[np.ndarray]:
        return self.weights.get(f"{layer}.bias")

    def run(self, X: np.ndarray, Y: np.ndarray, loss: str = "mse",
            teacher_forcing: bool = False) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Predictions (T, n_out), losses (T,) and dE/dtheta of the whole run (BPTT)."""
        T = X.shape[0]
        L = self.layers
        # used[t][name]: the activation later steps read (after teacher forcing);
        # pre[t][name]: the one delay-0 consumers at step t read. Index 0 is the initial 0.
        zero = {n: np.zeros(L[n].size) for n in L}
        pre: List[Dict[str, np.ndarray]] = [dict(zero)]
        used: List[Dict[str, np.ndarray]] = [dict(zero)]
        zs: List[Dict[str, np.ndarray]] = [{}]
        masks: List[np.ndarray] = [np.zeros(L[self.output_layer].size, bool)]
        xs = [np.zeros(self.n_inputs)] + [X[t] for t in range(T)]
        preds = np.zeros((T, len(self.output_units)))
        losses = np.zeros(T)
        dlosses: List[np.ndarray] = [None]
        units = np.array(self.output_units, dtype=int)
        for t in range(1, T + 1):
            a_t: Dict[str, np.ndarray] = {}
            z_t: Dict[str, np.ndarray] = {}
            for name in self.order:
                z = np.zeros(L[name].size)
                for c in self.connections:
                    if c.target != name:
                        continue
                    src = self._source_value(c, t, xs, a_t, used)
                    z += self._apply(c, src)
                b = self._bias(name)
                if b is not None:
                    z += b
                z_t[name] = z
                a_t[name] = _phi(L[name].activation, z)
            y = a_t[self.output_layer][units]
            target = Y[t - 1]
            has = ~np.isnan(target)
            preds[t - 1] = y
            dy = np.zeros_like(y)
            if loss == "mse":
                losses[t - 1] = np.sum((target[has] - y[has]) ** 2)
                dy[has] = 2.0 * (y[has] - target[has])
            else:
                clamped = np.maximum(y[has], _TINY)
                losses[t - 1] = -np.sum(target[has] * np.log(clamped))
                dy[has] = np.where(y[has] > _TINY, -target[has] / y[has], 0.0)
            dlosses.append(dy)
            forced = dict(a_t)
            mask = np.zeros(L[self.output_layer].size, bool)
            if teacher_forcing:
                out = forced[self.output_layer].copy()
                out[units[has]] = target[has]
                mask[units[has]] = True
                forced[self.output_layer] = out
            pre.append(a_t)
            used.append(forced)
            zs.append(z_t)
            masks.append(mask)

        # ---- backward
        grads = {name: np.zeros_like(w) for name, w in self.weights.items()}
        da: List[Dict[str, np.ndarray]] = [
            {n: np.zeros(L[n].size) for n in L} for _ in range(T + 2)]
        for t in range(T, 0, -1):
            da[t][self.output_layer][units] += dlosses[t]
            for name in reversed(self.order):
                dz = _backprop_activation(L[name].activation, zs[t][name], pre[t][name], da[t][name])
                if f"{name}.bias" in grads:
                    grads[f"{name}.bias"] += dz
                for c in self.connections:
                    if c.target != name:
                        continue
                    src = self._source_value(c, t, xs, pre[t], used)
                    if c.block is not None:
                        if c.kind == "dense":
                            grads[c.block] += np.outer(dz, src)
                        else:
                            grads[c.block] += dz * src
                    if c.source == "input":
                        continue
                    back = self._apply_transposed(c, dz)
                    if c.delay == 0:
                        da[t][c.source] += back
                    elif t - 1 >= 1:
                        keep = ~masks[t - 1] if c.source == self.output_layer else True
                        da[t - 1][c.source] += back * keep
        flat = np.zeros(self.num_params)
        for name, offset, shape in self.param_blocks:
            flat[offset:offset + int(np.prod(shape))] = grads[name].reshape(-1)
        return preds, losses, flat

    def _source_value(self, c: rtrl.Connection, t: int, xs: List[np.ndarray],
                      a_t: Dict[str, np.ndarray], used: List[Dict[str, np.ndarray]]) -> np.ndarray:
        if c.source == "input":
            return xs[t - c.delay]
        if c.delay == 0:
            return a_t[c.source]
        return used[t - 1][c.source]

    def _apply(self, c: rtrl.Connection, src: np.ndarray) -> np.ndarray:
        if c.kind == "identity":
            return c.scale * src
        if c.block is None:  # a block of size 0 (no inputs)
            return np.zeros(self.layers[c.target].size)
        w = self.weights[c.block]
        return w @ src if c.kind == "dense" else w * src

    def _apply_transposed(self, c: rtrl.Connection, dz: np.ndarray) -> np.ndarray:
        if c.kind == "identity":
            return c.scale * dz
        w = self.weights[c.block]
        return w.T @ dz if c.kind == "dense" else w * dz


def rtrl_gradient(net: rtrl.Network, X: np.ndarray, Y: np.ndarray, loss: str = "mse",
                  teacher_forcing: bool = False) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Predictions, losses and the accumulated gradient of the library (updates off)."""
    net.configure(loss=loss, teacher_forcing=teacher_forcing)
    preds = np.zeros((X.shape[0], net.num_outputs))
    losses = np.zeros(X.shape[0])
    for t in range(X.shape[0]):
        preds[t] = net.feed(X[t])
        losses[t] = net.accumulate(Y[t])
    return preds, losses, net.gradient()


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    scale = max(np.linalg.norm(b), 1e-300)
    return float(np.linalg.norm(a - b) / scale)
