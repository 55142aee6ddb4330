extension _Engine {
    /// E(t) over the output units with a target, and dE(t)/dy_k for each of them
    /// (0 for the units without one) in the `delta` scratch.
    ///
    /// - Returns: E(t), summed in Double.
    /// - Complexity: O(n_outputs).
    @inline(__always)
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
    @inline(__always)
    func _addGradient(target t: UnsafePointer<Double>) {
        let delta = scratch + scratchLayout.delta
        let out = program.steps[program.outputStep]
        if out.hasP {
            let p = sensitivity(out, delay: 0)
            for k in 0..<program.outputUnits.count where !t[k].isNaN {
                _addScaledRow(delta[k], p + program.outputUnits[k] * out.cols, out.segments, into: grad)
            }
        } else if out.pFree {
            let units = program.outputUnits
            _backpropagateWithinStep(into: grad) { eo in
                for k in 0..<units.count where !t[k].isNaN { eo[units[k]] += delta[k] }
            }
        }
    }

    /// g[segment] += f * row[segment] for each column segment of a P row (g in flat order).
    @inline(__always)
    func _addScaledRow(_ f: S, _ row: UnsafeMutablePointer<S>, _ segments: Range<Int>, into dest: UnsafeMutablePointer<S>) {
        if f == 0 { return }
        for q in segments {
            let seg = program.segments[q]
            let g = dest + seg.global, r = row + seg.local
            for j in 0..<seg.count { g[j] += f * r[j] }
        }
    }

    /// The vector–Jacobian product through the layers that keep no P, in reverse
    /// evaluation order: u_L = D_L^T e_L; L's own blocks get u_L a_S^T (the immediate
    /// term); each source gets W_c^T u_L — into e_S if S keeps no P either, else into
    /// v_S(t - d_c), which finally meets P_S: g += P_S(t)^T v_S(t) + P_S(t-1)^T v_S(t-1).
    ///
    /// - Parameters:
    ///   - g: where the result is added (N values, flat order).
    ///   - seed: sets dE/da of the output layer into the (zeroed) vector it is given.
    func _backpropagateWithinStep(into g: UnsafeMutablePointer<S>, seed: (UnsafeMutablePointer<S>) -> Void) {
        let grad = g
        let steps = program.steps
        for step in steps {
            (scratch + step.errorOffset).update(repeating: 0, count: step.size)
            if step.hasP {
                (scratch + step.vjpOffset.0).update(repeating: 0, count: step.size)
                (scratch + step.vjpOffset.1).update(repeating: 0, count: step.size)
            }
        }
        seed(scratch + steps[program.outputStep].errorOffset)

        for position in stride(from: steps.count - 1, through: 0, by: -1) {
            let step = steps[position]
            guard step.pFree else { continue }
            let n = step.size
            let u = scratch + step.errorOffset
            let a = activation(step, delay: 0)
            if step.activation == .softmax {
                var s: S = 0
                for i in 0..<n { s += a[i] * u[i] }
                for i in 0..<n { u[i] = a[i] * (u[i] - s) }
            } else {
                let d = derivative(step)
                for i in 0..<n { u[i] *= d[i] }
            }
            if step.biasOffset >= 0 {
                let g = grad + step.biasOffset
                for i in 0..<n { g[i] += u[i] }
            }
            for k in step.edges {
                let e = program.edges[k]
                let ns = e.sourceSize
                let src = sourceVector(e)
                if e.paramOffset >= 0 {
                    let g = grad + e.paramOffset
                    if e.kind == .dense {
                        for i in 0..<n where u[i] != 0 {
                            let gi = g + i * ns, ui = u[i]
                            for j in 0..<ns { gi[j] += ui * src[j] }
                        }
                    } else {
                        for i in 0..<n { g[i] += u[i] * src[i] }
                    }
                }
                let into: UnsafeMutablePointer<S>
                if e.sourcePFree {
                    into = scratch + steps[program.stepOfLayer[e.source]].errorOffset
                } else if e.sourceHasP {
                    let s = steps[program.stepOfLayer[e.source]]
                    into = scratch + (e.delay == 0 ? s.vjpOffset.0 : s.vjpOffset.1)
                } else {
                    continue
                }
                switch e.kind {
                case .dense:
                    guard let w = e.weights else { continue }
                    for i in 0..<n where u[i] != 0 {
                        let row = w + i * ns, ui = u[i]
                        for j in 0..<ns { into[j] += row[j] * ui }
                    }
                case .diagonal:
                    guard let w = e.weights else { continue }
                    for i in 0..<n { into[i] += w[i] * u[i] }
                case .identity:
                    for i in 0..<n { into[i] += e.scale * u[i] }
                }
            }
        }

        for step in steps where step.hasP {
            let ns = step.size
            for delay in 0...(step.delay1Source ? 1 : 0) {
                let v = scratch + (delay == 0 ? step.vjpOffset.0 : step.vjpOffset.1)
                var any = false
                for i in 0..<ns where v[i] != 0 { any = true; break }
                guard any else { continue }
                let p = sensitivity(step, delay: delay)
                for q in step.segments {
                    let seg = program.segments[q]
                    S._gemvT(ns, seg.count, 1, p + seg.local, step.cols, v, 1, grad + seg.global)
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
        let out = program.steps[program.outputStep]
        let a = activation(out, delay: 0)
        for k in 0..<program.outputUnits.count where !t[k].isNaN {
            let u = program.outputUnits[k]
            a[u] = S(t[k])
            if out.hasP { (sensitivity(out, delay: 0) + u * out.cols).update(repeating: 0, count: out.cols) }
        }
    }
}
