extension _Engine {
    /// E(t) over the output units with a target, and dE(t)/dy_k for each of them
    /// (0 for the units without one) in the `delta` scratch.
    ///
    /// - Returns: E(t), summed in Double.
    /// - Complexity: O(n_outputs).
    func _lossAndOutputError(target t: UnsafePointer<Double>) -> Double {
        let delta = scratch + scratchLayout.delta
        let y = prediction
        let loss = config.loss
        var e = 0.0
        for k in 0..<topo.numOutputs {
            if t[k].isNaN { delta[k] = 0; continue }
            let term = loss._term(target: t[k], output: Double(y[k]))
            e += term.loss
            delta[k] = S(term.derivative)
        }
        return e
    }

    /// Adds the gradient of E(t) to the buffer, from the output error of
    /// ``_lossAndOutputError(target:)``:
    ///
    ///     dE(t)/dtheta = sum over k in Theta(t) of dE(t)/dy_k · P_out,k(t)
    ///
    /// Rows of P_out are read directly when the output layer keeps a P; otherwise the
    /// error is carried back through the layers without P within step t (a vector–Jacobian
    /// product) and meets the sensitivities of their sources there.
    ///
    /// - Complexity: O(|Theta(t)| x N) with a P at the output; otherwise
    ///   O(n x fan-in) for the back-propagation plus O(n_S x columns(P_S)) per source S.
    func _addGradient(target t: UnsafePointer<Double>) {
        let delta = scratch + scratchLayout.delta
        let o = topo.outputLayer
        let op = plan.layers[o]
        if op.hasP {
            let p = sensitivity(o, delay: 0)
            for (k, u) in topo.outputUnits.enumerated() where !t[k].isNaN {
                _addScaledRow(delta[k], p + u * op.cols, op.segments)
            }
        } else if op.pFree {
            _backpropagateWithinStep(target: t)
        }
    }

    /// grad[segment] += f * row[segment] for each column segment of a P row.
    @inline(__always)
    func _addScaledRow(_ f: S, _ row: UnsafeMutablePointer<S>, _ segments: [_SensitivityPlan.Segment]) {
        if f == 0 { return }
        for seg in segments {
            let g = grad + seg.global, r = row + seg.local
            for j in 0..<seg.count { g[j] += f * r[j] }
        }
    }

    /// The vector–Jacobian product through the layers that keep no P, in reverse
    /// evaluation order: u_L = D_L^T e_L; L's own blocks get u_L a_S^T (the immediate
    /// term); each source gets W_c^T u_L — into e_S if S keeps no P either, else into
    /// v_S(t - d_c), which finally meets P_S: grad += P_S(t)^T v_S(t) + P_S(t-1)^T v_S(t-1).
    func _backpropagateWithinStep(target t: UnsafePointer<Double>) {
        let delta = scratch + scratchLayout.delta
        for l in topo.layers.indices {
            let n = topo.layers[l].size
            (scratch + scratchLayout.error[l]).update(repeating: 0, count: n)
            if plan.layers[l].hasP {
                (scratch + scratchLayout.vjp[l][0]).update(repeating: 0, count: n)
                (scratch + scratchLayout.vjp[l][1]).update(repeating: 0, count: n)
            }
        }
        let eo = scratch + scratchLayout.error[topo.outputLayer]
        for (k, u) in topo.outputUnits.enumerated() where !t[k].isNaN { eo[u] += delta[k] }

        for l in topo.order.reversed() where plan.layers[l].pFree {
            let n = topo.layers[l].size
            let u = scratch + scratchLayout.error[l]
            let a = activation(l, delay: 0)
            if topo.layers[l].activation == .softmax {
                var s: S = 0
                for i in 0..<n { s += a[i] * u[i] }
                for i in 0..<n { u[i] = a[i] * (u[i] - s) }
            } else {
                let d = derivative(l)
                for i in 0..<n { u[i] *= d[i] }
            }
            if let bi = topo.biasBlock[l] {
                let g = grad + topo.blocks[bi].offset
                for i in 0..<n { g[i] += u[i] }
            }
            for c in topo.incoming[l] {
                let spec = topo.connections[c]
                let s = topo.source[c]
                let ns = topo.size(ofSource: s)
                let src = sourceVector(c)
                let w = weights[c]
                if let bi = topo.connectionBlock[c], topo.blocks[bi].trainable {
                    let g = grad + topo.blocks[bi].offset
                    if spec.kind == .dense {
                        for i in 0..<n where u[i] != 0 {
                            let gi = g + i * ns, ui = u[i]
                            for j in 0..<ns { gi[j] += ui * src[j] }
                        }
                    } else {
                        for i in 0..<n { g[i] += u[i] * src[i] }
                    }
                }
                guard s >= 0 else { continue }
                let into: UnsafeMutablePointer<S>
                if plan.layers[s].pFree {
                    into = scratch + scratchLayout.error[s]
                } else if plan.layers[s].hasP {
                    into = scratch + scratchLayout.vjp[s][spec.delay]
                } else {
                    continue
                }
                switch spec.kind {
                case .dense:
                    guard let w else { continue }
                    for i in 0..<n where u[i] != 0 {
                        let row = w + i * ns, ui = u[i]
                        for j in 0..<ns { into[j] += row[j] * ui }
                    }
                case .diagonal:
                    guard let w else { continue }
                    for i in 0..<n { into[i] += w[i] * u[i] }
                case .identity:
                    let k = S(spec.scale)
                    for i in 0..<n { into[i] += k * u[i] }
                }
            }
        }

        for s in topo.layers.indices where plan.layers[s].hasP {
            let sp = plan.layers[s]
            let ns = topo.layers[s].size
            for delay in 0...(sp.doubleBuffered ? 1 : 0) {
                let v = scratch + scratchLayout.vjp[s][delay]
                var any = false
                for i in 0..<ns where v[i] != 0 { any = true; break }
                guard any else { continue }
                let p = sensitivity(s, delay: delay)
                for seg in sp.segments {
                    S._gemvT(ns, seg.count, 1, p + seg.local, sp.cols, v, 1, grad + seg.global)
                }
            }
        }
    }

    /// Teacher forcing after the loss at step t: every output unit k with a target has
    /// a_k(t) replaced by y*_k(t) and its row of P set to 0, so that step t + 1 sees the
    /// target (a constant) instead of the prediction.
    ///
    /// - Complexity: O(|Theta(t)| x columns(P_out)).
    func _forceTargets(_ t: UnsafePointer<Double>) {
        let o = topo.outputLayer
        let a = activation(o, delay: 0)
        let op = plan.layers[o]
        for (k, u) in topo.outputUnits.enumerated() where !t[k].isNaN {
            a[u] = S(t[k])
            if op.hasP { (sensitivity(o, delay: 0) + u * op.cols).update(repeating: 0, count: op.cols) }
        }
    }
}
