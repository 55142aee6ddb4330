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
    /// computed by ``_backpropagate(into:updatingSensitivities:seed:)``.
    ///
    /// With `updatingSensitivities`, the SnAp-1 or diagonal update that `feed` left is made
    /// here, in the same pass as the gradient.
    @inline(__always)
    func _addGradient(target t: UnsafePointer<Double>, updatingSensitivities: Bool = false) {
        let delta = scratch + scratchLayout.delta
        let units = program.outputUnits
        _backpropagate(into: grad, updatingSensitivities: updatingSensitivities) { eo in
            for k in 0..<units.count where !t[k].isNaN { eo[units[k]] += delta[k] }
        }
    }

    /// Adds to g the gradient of a loss whose derivative with respect to the output
    /// layer's activations `seed` writes (into a zeroed vector):
    ///
    ///     g += sum over units of dE/da_out(t) · d a_out(t) / d theta
    ///
    /// The error e_L = dE/da_L(t) is carried back within step t, in reverse evaluation
    /// order, through the layers without P (u_L = D_L^T e_L; L's own blocks get u_L a_S^T,
    /// the immediate term; each source S gets W_c^T u_L, into e_S for delay 0 or v_S for
    /// delay 1). At the layers with P it meets their sensitivities:
    ///
    ///     exact:   g += P_S(t)^T e_S + P_S(t-1)^T v_S
    ///     UORO:    g += (e . u(t)) v(t) + (v . u(t-1)) v(t-1)
    ///     SnAp-1 / diagonal: g_j += e_{i(j)} s_j(t) (+ v_{i(j)} s_j(t-1)), and the error
    ///              goes on through the layer to its delay-0 sources within the step.
    ///
    /// With `updatingSensitivities` (SnAp-1 and diagonal only) the layers' s_j(t) are
    /// computed in the same pass from s_j(t-1) (``_snapUpdate(_:error:into:marking:)``).
    ///
    /// - Complexity: O(n x fan-in) for the back-propagation, plus O(n_S x columns(P_S))
    ///   per layer with an exact P (O(k x columns) when only k of its units have an
    ///   error), O(N) on the other paths.
    func _backpropagate(into g: UnsafeMutablePointer<S>, updatingSensitivities: Bool = false,
                        seed: (UnsafeMutablePointer<S>) -> Void) {
        let steps = program.steps
        for step in steps {
            (scratch + step.errorOffset).update(repeating: 0, count: step.size)
            if !step.pFree { (scratch + step.vjpOffset.1).update(repeating: 0, count: step.size) }
        }
        seed(scratch + steps[program.outputStep].errorOffset)
        let perParameter = path == .snap1 || path == .exactDiagonal
        let n = numParams
        let support = g == grad ? gradientSupport : nil
        for position in stride(from: steps.count - 1, through: 0, by: -1) {
            let step = steps[position]
            if step.pFree {
                let u = _backpropagateUnit(step)
                _addImmediateGradient(step, u, into: g)
                _propagateToSources(step, u, delay0Only: false)
            } else if perParameter, let ap = approximate {
                if updatingSensitivities {
                    _snapUpdate(step, error: scratch + step.errorOffset, into: g, marking: support)
                } else {
                    _addPerParameterGradient(step, error: scratch + step.errorOffset,
                                             sensitivities: ap.perParameter(phase: phase, delay: 0), of: ap, into: g,
                                             marking: support)
                }
                let u = _backpropagateUnit(step)
                _propagateToSources(step, u, delay0Only: true)
            }
        }
        switch path {
        case .exact:
            for step in steps where step.hasP {
                _meetSensitivities(step, scratch + step.errorOffset, delay: 0, into: g)
                if step.delay1Source { _meetSensitivities(step, scratch + step.vjpOffset.1, delay: 1, into: g) }
            }
        case .exactDiagonal, .snap1:
            guard let ap = approximate, ap.perParameterBuffers == 2 else { break }
            let previous = ap.perParameter(phase: phase, delay: 1)
            for step in steps where !step.pFree && step.delay1Source {
                _addPerParameterGradient(step, error: scratch + step.vjpOffset.1, sensitivities: previous,
                                         of: ap, into: g, marking: support)
            }
        case .uoro:
            guard let ap = approximate else { break }
            let uNew = ap.u(phase: phase, delay: 0), uOld = ap.u(phase: phase, delay: 1)
            var now: S = 0, before: S = 0
            for step in steps where !step.pFree {
                let e = scratch + step.errorOffset, v1 = scratch + step.vjpOffset.1
                let at = ap.unitOffset[step.layer]
                for i in 0..<step.size {
                    now += e[i] * uNew[at + i]
                    before += v1[i] * uOld[at + i]
                }
            }
            let vNew = ap.v(phase: phase, delay: 0, numParams: n), vOld = ap.v(phase: phase, delay: 1, numParams: n)
            if now != 0 { for j in 0..<n { g[j] += now * vNew[j] } }
            if before != 0 { for j in 0..<n { g[j] += before * vOld[j] } }
        }
    }

    /// u_L = D_L^T e_L (for softmax a * (e - a . e)), written into the `unitError` scratch.
    @inline(__always)
    func _backpropagateUnit(_ step: _LayerStep<S>) -> UnsafeMutablePointer<S> {
        let n = step.size
        let e = scratch + step.errorOffset
        let u = scratch + scratchLayout.unitError
        let a = activation(step, delay: 0)
        if step.activation == .softmax {
            var s: S = 0
            for i in 0..<n { s += a[i] * e[i] }
            for i in 0..<n { u[i] = a[i] * (e[i] - s) }
        } else {
            let d = derivative(step)
            for i in 0..<n { u[i] = d[i] * e[i] }
        }
        return u
    }

    /// The immediate term of a layer's own blocks: g += u a_S(t - d)^T for a dense block,
    /// u * a_S(t - d) for a diagonal one, u for the bias.
    @inline(__always)
    func _addImmediateGradient(_ step: _LayerStep<S>, _ u: UnsafeMutablePointer<S>, into g: UnsafeMutablePointer<S>) {
        let n = step.size
        if step.biasOffset >= 0 {
            let gb = g + step.biasOffset
            for i in 0..<n { gb[i] += u[i] }
        }
        for k in step.edges {
            let e = program.edges[k]
            guard e.paramOffset >= 0 else { continue }
            let src = sourceVector(e)
            let gw = g + e.paramOffset
            if e.kind == .dense {
                let ns = e.sourceSize
                for i in 0..<n where u[i] != 0 {
                    let gi = gw + i * ns, ui = u[i]
                    for j in 0..<ns { gi[j] += ui * src[j] }
                }
            } else {
                for i in 0..<n { gw[i] += u[i] * src[i] }
            }
        }
    }

    /// Carries u_L back to L's sources: e_S += W_c^T u for a delay-0 connection, v_S += W_c^T u
    /// for a delay-1 connection (skipped with `delay0Only`); diagonal: w * u; identity: scale * u.
    @inline(__always)
    func _propagateToSources(_ step: _LayerStep<S>, _ u: UnsafeMutablePointer<S>, delay0Only: Bool) {
        let n = step.size
        let steps = program.steps
        for k in step.edges {
            let e = program.edges[k]
            guard e.source >= 0, e.delay == 0 || !delay0Only else { continue }
            let source = steps[program.stepOfLayer[e.source]]
            if e.delay == 1 && source.pFree { continue }
            let into = scratch + (e.delay == 0 ? source.errorOffset : source.vjpOffset.1)
            switch e.kind {
            case .dense:
                guard let w = e.weights else { continue }
                let ns = e.sourceSize
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

    /// g += P_L(t - delay)^T e over the layer's column segments: one row at a time when
    /// few units have an error, else a (1 x n) by (n x columns) product per segment.
    @inline(__always)
    func _meetSensitivities(_ step: _LayerStep<S>, _ e: UnsafeMutablePointer<S>, delay: Int, into g: UnsafeMutablePointer<S>) {
        let n = step.size
        var nonzero = 0
        for i in 0..<n where e[i] != 0 { nonzero += 1 }
        guard nonzero > 0 else { return }
        let p = sensitivity(step, delay: delay)
        if nonzero * 4 <= n {
            for i in 0..<n where e[i] != 0 { _addScaledRow(e[i], p + i * step.cols, step.segments, into: g) }
        } else {
            for q in step.segments {
                let seg = program.segments[q]
                S._product(1, seg.count, n, e, n, p + seg.local, step.cols, true, g + seg.global, seg.count)
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

    /// Teacher forcing after the loss at step t: every output unit k with a target has
    /// a_k(t) replaced by y*_k(t) and its sensitivities set to 0 (its row of P; on the
    /// per-parameter path its parameters' s_j; for UORO its entry of u), so that step
    /// t + 1 sees the target (a constant) instead of the prediction.
    ///
    /// - Complexity: O(|Theta(t)| x columns(P_out)).
    func _forceTargets(_ t: UnsafePointer<Double>) {
        let out = program.steps[program.outputStep]
        let a = activation(out, delay: 0)
        for k in 0..<program.outputUnits.count where !t[k].isNaN {
            let u = program.outputUnits[k]
            a[u] = S(t[k])
            guard !out.pFree else { continue }
            switch path {
            case .exact:
                if out.hasP { (sensitivity(out, delay: 0) + u * out.cols).update(repeating: 0, count: out.cols) }
            case .exactDiagonal, .snap1:
                guard let ap = approximate, let layout = ap.perParameterLayout else { break }
                let s = ap.perParameter(phase: phase, delay: 0)
                let r = ap.rank(layer: out.layer)[u]
                guard r >= 0 else { break }  // an output unit is always kept
                for q in out.edges {
                    let e = program.edges[q]
                    guard e.paramOffset >= 0 else { continue }
                    if e.kind == .dense {
                        (s + layout.edgeBase[q] + Int(r) * e.sourceSize).update(repeating: 0, count: e.sourceSize)
                    } else {
                        s[layout.edgeBase[q] + Int(r)] = 0
                    }
                }
                if out.biasOffset >= 0 { s[layout.biasBase[out.layer] + Int(r)] = 0 }
            case .uoro:
                if let ap = approximate { ap.u(phase: phase, delay: 0)[ap.unitOffset[out.layer] + u] = 0 }
            }
        }
    }
}
