extension _Engine {
    /// The per-parameter sensitivity update of SnAp-1 (Menick et al. 2021), also the exact
    /// RTRL update of a graph whose recurrence is diagonal: for a parameter j writing to
    /// unit i of layer L,
    ///
    ///     s_j(t) = phi'(z_i(t)) [ c_i(t) s_j(t-1) + dz_i(t)/dtheta_j ]
    ///
    /// with c_i the unit's own recurrent coefficient (the sum over L's delay-1 connections
    /// from itself of W[i,i], w[i] or the identity's scale) and the immediate term
    /// a_S,col(t - d) for a dense weight, a_S,i(t - d) for a diagonal one, 1 for a bias.
    /// SnAp-1 drops every other path from theta_j back into the state; a diagonal graph
    /// has none, so there it is exact. For a softmax layer phi' is the diagonal of its
    /// Jacobian, a_i (1 - a_i).
    ///
    /// Runs after the whole forward pass (a refused step has not touched it). Only the s_j
    /// that ``_PerParameterLayout`` keeps are updated: those of units that can get an error.
    /// Within `step` (feed, then learn) the update waits for the gradient instead and
    /// both are made in one pass (``_snapUpdate(_:error:into:marking:)``).
    ///
    /// - Complexity: O(n + the kept parameters) per step, at most O(N).
    func _snapUpdate() {
        guard let ap = approximate, ap.perParameterLayout != nil else { return }
        for step in program.steps where !step.pFree {
            _snapUpdate(step, error: nil, into: nil, marking: nil)
        }
    }

    /// The update above for one layer, fused, when `error` and `g` are given, with the
    /// layer's part of the gradient at step t (see ``_addPerParameterGradient``):
    ///
    ///     s_j(t) = phi'(z_i(t)) [ c_i(t) s_j(t-1) + dz_i(t)/dtheta_j ];   g_j += e_i s_j(t)
    ///
    /// one pass over the layer's sensitivities instead of two. A dense row adds to g only
    /// where e_i is not 0 (and then marks its unit in `marking`); the result is the same,
    /// bit for bit, as the update followed by the gradient.
    ///
    /// - Complexity: O(the layer's units + its kept parameters).
    func _snapUpdate(_ step: _LayerStep<S>, error e: UnsafeMutablePointer<S>?,
                     into g: UnsafeMutablePointer<S>?, marking support: _GradientSupport?) {
        guard let ap = approximate, let layout = ap.perParameterLayout else { return }
        let s = ap.perParameter(phase: phase, delay: 0)
        let previous = ap.perParameter(phase: phase, delay: 1)
        let c = scratch + scratchLayout.coefficient
        let dd = scratch + scratchLayout.unitDerivative
        let units = step.size
        let rank = layout.rank.baseAddress! + ap.unitOffset[step.layer]
        let marking = support.map { $0.flags.baseAddress! + ap.unitOffset[step.layer] }
        let d = _elementwiseDerivative(step, into: dd)
        c.update(repeating: 0, count: units)
        for q in step.edges {
            let edge = program.edges[q]
            guard edge.source == step.layer && edge.delay == 1 else { continue }
            switch edge.kind {
            case .dense:
                if let w = edge.weights { for i in 0..<units { c[i] += w[i * units + i] } }
            case .diagonal:
                if let w = edge.weights { for i in 0..<units { c[i] += w[i] } }
            case .identity:
                for i in 0..<units { c[i] += edge.scale }
            }
        }
        for q in step.edges {
            let edge = program.edges[q]
            guard edge.paramOffset >= 0 else { continue }
            let src = sourceVector(edge)
            let base = layout.edgeBase[q]
            if edge.kind == .dense {
                let ns = edge.sourceSize
                for i in 0..<units where rank[i] >= 0 {
                    let at = base + Int(rank[i]) * ns
                    if let e, let g, e[i] != 0 {
                        marking?[i] = 1
                        _snapRow(s + at, previous + at, src, ns, d[i], c[i],
                                 adding: e[i], into: g + edge.paramOffset + i * ns)
                    } else {
                        _snapRow(s + at, previous + at, src, ns, d[i], c[i])
                    }
                }
            } else {
                for i in 0..<units where rank[i] >= 0 {
                    let at = base + Int(rank[i])
                    s[at] = d[i] * (c[i] * previous[at] + src[i])
                    if let e, let g { g[edge.paramOffset + i] += e[i] * s[at] }
                }
            }
        }
        if step.biasOffset >= 0 {
            let base = layout.biasBase[step.layer]
            for i in 0..<units where rank[i] >= 0 {
                let at = base + Int(rank[i])
                s[at] = d[i] * (c[i] * previous[at] + 1)
                if let e, let g { g[step.biasOffset + i] += e[i] * s[at] }
            }
        }
    }

    /// One dense row of the update, s_j = d (c s_j(t-1) + src_j) for j < count. In place
    /// (one buffer) the row is read and written through one pointer: with two pointers to
    /// the same memory the compiler's overlap check fails at run time and the loop runs
    /// scalar, at a third of the speed.
    @inline(__always)
    func _snapRow(_ row: UnsafeMutablePointer<S>, _ old: UnsafeMutablePointer<S>, _ src: UnsafeMutablePointer<S>,
                  _ count: Int, _ d: S, _ c: S) {
        if row == old {
            for j in 0..<count { row[j] = d * (c * row[j] + src[j]) }
        } else {
            for j in 0..<count { row[j] = d * (c * old[j] + src[j]) }
        }
    }

    /// The same row fused with its gradient: s_j = d (c s_j(t-1) + src_j), g_j += e s_j.
    @inline(__always)
    func _snapRow(_ row: UnsafeMutablePointer<S>, _ old: UnsafeMutablePointer<S>, _ src: UnsafeMutablePointer<S>,
                  _ count: Int, _ d: S, _ c: S, adding e: S, into g: UnsafeMutablePointer<S>) {
        if row == old {
            for j in 0..<count { let v = d * (c * row[j] + src[j]); row[j] = v; g[j] += e * v }
        } else {
            for j in 0..<count { let v = d * (c * old[j] + src[j]); row[j] = v; g[j] += e * v }
        }
    }

    /// phi'(z_L(t)) element by element: the stored derivative, or for softmax the
    /// diagonal of its Jacobian a_i (1 - a_i), written into `scratch`.
    @inline(__always)
    func _elementwiseDerivative(_ step: _LayerStep<S>, into scratch: UnsafeMutablePointer<S>) -> UnsafeMutablePointer<S> {
        guard step.activation == .softmax else { return derivative(step) }
        let a = activation(step, delay: 0)
        for i in 0..<step.size { scratch[i] = a[i] * (1 - a[i]) }
        return scratch
    }

    /// The gradient of a layer with sensitivities on the per-parameter path: for each of
    /// its parameters j (writing to unit i), g_j += e_i s_j(t), with e = dE/da_L(t) and s
    /// one buffer of `ap`, stored as its layout says. A dense row is written only where
    /// e_i is not 0, and then its unit is set in `marking` (the gradient buffer's support)
    /// if given. A unit whose s_j are not kept never has an error (``_PerParameterLayout``),
    /// so it adds nothing.
    ///
    /// - Complexity: O(the layer's units + the rows with an error x their length).
    @inline(__always)
    func _addPerParameterGradient(_ step: _LayerStep<S>, error e: UnsafeMutablePointer<S>,
                                  sensitivities s: UnsafeMutablePointer<S>, of ap: _ApproximateState<S>,
                                  into g: UnsafeMutablePointer<S>, marking support: _GradientSupport?) {
        let units = step.size
        let layout = ap.perParameterLayout!, rank = ap.rank(layer: step.layer)
        let marking = support.map { $0.flags.baseAddress! + ap.unitOffset[step.layer] }
        for q in step.edges {
            let edge = program.edges[q]
            guard edge.paramOffset >= 0 else { continue }
            let base = layout.edgeBase[q]
            if edge.kind == .dense {
                let ns = edge.sourceSize
                for i in 0..<units where e[i] != 0 {
                    assert(rank[i] >= 0, "an error reached a unit whose sensitivities are not kept")
                    guard rank[i] >= 0 else { continue }
                    marking?[i] = 1
                    let ei = e[i], gi = g + edge.paramOffset + i * ns, si = s + base + Int(rank[i]) * ns
                    for j in 0..<ns { gi[j] += ei * si[j] }
                }
            } else {
                for i in 0..<units where rank[i] >= 0 { g[edge.paramOffset + i] += e[i] * s[base + Int(rank[i])] }
            }
        }
        if step.biasOffset >= 0 {
            let base = layout.biasBase[step.layer]
            for i in 0..<units where rank[i] >= 0 { g[step.biasOffset + i] += e[i] * s[base + Int(rank[i])] }
        }
    }
}
