extension _Engine {
    /// Unbiased Online Recurrent Optimization (Tallec & Ollivier 2018): the sensitivities
    /// of the state h (the units of every layer with P) are estimated by a rank-one
    /// product u v^T whose expectation is exact. With F the step, D = dh(t)/dh(t-1) and
    /// I = dh(t)/dtheta (h(t-1) held fixed), and random signs nu in {-1, +1}:
    ///
    ///     u(t) = rho0 D u(t-1) + rho1 nu
    ///     v(t) = v(t-1) / rho0 + (nu^T I) / rho1
    ///     rho0 = sqrt((|v(t-1)| + eps) / (|D u(t-1)| + eps)),
    ///     rho1 = sqrt((|nu^T I| + eps) / (|nu| + eps)),   eps = 1e-7
    ///
    /// D u is a forward-mode product through the step, nu^T I a reverse-mode one. The
    /// signs come from the network's seeded generator, so runs are reproducible and a
    /// saved learner continues with the same signs.
    ///
    /// - Complexity: O(forward pass + N) per step.
    func _uoroUpdate() {
        guard let ap = approximate else { return }
        let n = numParams
        let uNew = ap.u(phase: phase, delay: 0), uOld = ap.u(phase: phase, delay: 1)
        let vNew = ap.v(phase: phase, delay: 0, numParams: n), vOld = ap.v(phase: phase, delay: 1, numParams: n)
        let steps = program.steps
        let tz = scratch + scratchLayout.coefficient

        // D u(t-1): the tangent of the state, layer by layer in evaluation order.
        for k in 0..<steps.count {
            let step = steps[k]
            guard !step.pFree else { continue }
            let units = step.size
            tz.update(repeating: 0, count: units)
            for q in step.edges {
                let e = program.edges[q]
                guard e.source >= 0 else { continue }
                let from = ap.unitOffset[e.source]
                guard from >= 0 else { continue }
                let t = (e.delay == 1 ? uOld : uNew) + from
                switch e.kind {
                case .dense: if let w = e.weights { _matrixVectorAdd(units, e.sourceSize, w, t, tz) }
                case .diagonal: if let w = e.weights { for i in 0..<units { tz[i] += w[i] * t[i] } }
                case .identity: for i in 0..<units { tz[i] += e.scale * t[i] }
                }
            }
            let out = uNew + ap.unitOffset[step.layer]
            if step.activation == .softmax {
                let a = activation(step, delay: 0)
                var dot: S = 0
                for i in 0..<units { dot += a[i] * tz[i] }
                for i in 0..<units { out[i] = a[i] * (tz[i] - dot) }
            } else {
                let d = derivative(step)
                for i in 0..<units { out[i] = d[i] * tz[i] }
            }
        }
        let eps = 1e-7
        let rho0 = S(((_norm(vOld, n) + eps) / (_norm(uNew, ap.stateSize) + eps)).squareRoot())

        // nu: one random sign per state unit, 64 from each draw.
        let nu = ap.signs.base
        var bits: UInt64 = 0
        for k in 0..<ap.stateSize {
            if k % 64 == 0 { bits = rng.next() }
            nu[k] = bits & 1 == 0 ? 1 : -1
            bits >>= 1
        }

        // nu^T I: reverse mode through the step with the state layers seeded by nu.
        let w = ap.w.base
        w.update(repeating: 0, count: n)
        for step in steps where !step.pFree {
            (scratch + step.errorOffset).update(from: nu + ap.unitOffset[step.layer], count: step.size)
        }
        for position in stride(from: steps.count - 1, through: 0, by: -1) {
            let step = steps[position]
            guard !step.pFree else { continue }
            let u = _backpropagateUnit(step)
            _addImmediateGradient(step, u, into: w)
            _propagateToSources(step, u, delay0Only: true)
        }
        let rho1 = S(((_norm(w, n) + eps) / (Double(ap.stateSize).squareRoot() + eps)).squareRoot())

        for k in 0..<ap.stateSize { uNew[k] = rho0 * uNew[k] + rho1 * nu[k] }
        let inv0 = 1 / rho0, inv1 = 1 / rho1
        for j in 0..<n { vNew[j] = vOld[j] * inv0 + w[j] * inv1 }
    }
}
