extension _Engine {
    /// The RLS readout: the output layer's trainable blocks (dense blocks and the bias,
    /// into an identity output layer) learn by recursive least squares with forgetting
    /// factor lambda, on the regressor u(t) (the blocks' source vectors, then 1 for the
    /// bias) shared by all output units:
    ///
    ///     pi = P u,   kappa = lambda + u^T pi,   k = pi / kappa
    ///     W_r += k e_r          for each output unit r with a target, e_r = y*_r - y_r
    ///     P = (P - k pi^T) / lambda          (then symmetrised)
    ///
    /// with the division by lambda skipped while it would take trace(P) above its initial
    /// value d / p0 (no wind-up when the regressor stops exciting a direction).
    ///
    /// The rest of the network keeps learning by the first-order optimizer on the exact
    /// RTRL gradient; the readout's entries of the gradient buffer stay 0.
    ///
    /// - Complexity: O(d^2 + n_out d) per step for d regressor entries.
    /// First half of the readout's update: the regressor u, pi = P u, kappa and the gain
    /// k = pi / kappa into the state's scratch vectors, nothing else written. With the
    /// divergence guard it refuses (counts and throws `diverged`) when kappa is not
    /// positive or a readout weight would become non-finite, so that the first-order
    /// update of the same step is not applied either.
    func _rlsReadoutPrepare(target t: UnsafePointer<Double>, state so: _SecondOrderState<S>) throws(RTRLError) {
        let d = so.readoutSize
        guard d > 0 else { return }
        let out = program.steps[program.outputStep]
        let u = so.regressor
        var at = 0
        for k in so.readoutEdges {
            let e = program.edges[k]
            let src = sourceVector(e)
            for j in 0..<e.sourceSize { u[at + j] = src[j] }
            at += e.sourceSize
        }
        if out.biasOffset >= 0 { u[at] = 1 }
        let p = so.covariance.baseAddress! + so.blockStart[so.groupCount]
        let pi = so.projected, gain = so.gain
        for i in 0..<d {
            var s: S = 0
            let row = p + i * d
            for j in 0..<d { s += row[j] * u[j] }
            pi[i] = s
        }
        var kappa = S(config.rlsLambda)
        for i in 0..<d { kappa += u[i] * pi[i] }
        guard kappa > 0 && kappa.isFinite else {
            refusedUpdates &+= 1
            throw RTRLError(.diverged, "update refused: the RLS readout's u^T P u + lambda is not positive (readout and covariance unchanged)")
        }
        for i in 0..<d { gain[i] = pi[i] / kappa }
        guard config.divergenceGuard else { return }
        let y = prediction
        let units = program.outputUnits
        for q in 0..<units.count where !t[q].isNaN {
            let r = units[q]
            let err = S(t[q]) - y[q]
            var at = 0, finite = true
            for k in so.readoutEdges {
                let e = program.edges[k]
                let w = theta + e.paramOffset + r * e.sourceSize
                for j in 0..<e.sourceSize { finite = finite && (w[j] + gain[at + j] * err).isFinite }
                at += e.sourceSize
            }
            if out.biasOffset >= 0 { finite = finite && (theta[out.biasOffset + r] + gain[at] * err).isFinite }
            guard finite else {
                refusedUpdates &+= 1
                throw RTRLError(.diverged, "update refused: the RLS readout's update would make a weight non-finite (parameters and covariance unchanged)")
            }
        }
    }

    /// Second half of the readout's update, after `_rlsReadoutPrepare` and the step's
    /// first-order update: W_r += k e_r and the covariance update.
    func _rlsReadoutCommit(target t: UnsafePointer<Double>, state so: _SecondOrderState<S>) {
        let d = so.readoutSize
        guard d > 0 else { return }
        let out = program.steps[program.outputStep]
        let p = so.covariance.baseAddress! + so.blockStart[so.groupCount]
        let pi = so.projected, gain = so.gain
        let y = prediction
        let units = program.outputUnits
        for q in 0..<units.count where !t[q].isNaN {
            let r = units[q]
            let err = S(t[q]) - y[q]
            var at = 0
            for k in so.readoutEdges {
                let e = program.edges[k]
                let w = theta + e.paramOffset + r * e.sourceSize
                for j in 0..<e.sourceSize { w[j] += gain[at + j] * err }
                at += e.sourceSize
            }
            if out.biasOffset >= 0 { theta[out.biasOffset + r] += gain[at] * err }
        }
        // Forgetting divides P by lambda; while the regressor does not excite some
        // direction, P grows there without bound (RLS "wind-up") and the next excitation
        // throws the readout off. So P is divided only while its trace stays within the
        // initial one, d / p0.
        var trace: S = 0
        for i in 0..<d { trace += p[i * d + i] - gain[i] * pi[i] }
        let inv = trace / S(config.rlsLambda) <= S(Double(d) / config.p0) ? 1 / S(config.rlsLambda) : 1
        for i in 0..<d {
            let row = p + i * d, gi = gain[i]
            for j in 0..<d { row[j] = (row[j] - gi * pi[j]) * inv }
        }
        _symmetrize(p, d, addingToDiagonal: 0)
    }

    /// Clears the readout's entries of the gradient buffer (they learn by RLS).
    func _maskReadoutGradient(_ so: _SecondOrderState<S>) {
        let out = program.steps[program.outputStep]
        for k in so.readoutEdges {
            let e = program.edges[k]
            (grad + e.paramOffset).update(repeating: 0, count: e.sourceSize * out.size)
        }
        if out.biasOffset >= 0 { (grad + out.biasOffset).update(repeating: 0, count: out.size) }
    }
}
