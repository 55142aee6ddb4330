extension _Engine {
    /// The RTRL recurrence for one layer at step t:
    ///
    ///     P_L(t) = D_L(t) [ sum over c into L of W_c P_S(t - d_c) + I_L(t) ]
    ///
    /// D_L(t) = diag(phi'(z_L(t))) — for softmax the full Jacobian J = diag(a) - a a^T —
    /// is folded into the left factor (D W_c, n_L x n_S work) so that each product writes
    /// its columns of P_L once; columns no product reaches are cleared; then the
    /// immediate term D I_L(t) is added in place:
    /// dz_i/dW_c[i,j] = a_S,j(t - d_c), dz_i/dw_c[i] = a_S,i(t - d_c), dz_i/db_i = 1.
    ///
    /// - Complexity: O(n_L x columns(P_L) x sum of n_S) for the products (GEMM), plus
    ///   O(n_L x number of L's own parameters) for the immediate term.
    @inline(__always)
    func _updateSensitivity(_ step: _LayerStep<S>) {
        let n = step.size
        let cols = step.cols
        let p = sensitivity(step, delay: 0)
        let softmax = step.activation == .softmax
        let d = derivative(step)
        let scaled = productScratch.base

        for k in step.edges {
            let e = program.edges[k]
            guard e.sourceHasP, !e.pieces.isEmpty else { continue }
            let source = program.steps[program.stepOfLayer[e.source]]
            let ns = e.sourceSize
            let sCols = source.cols
            let ps = UnsafePointer(sensitivity(source, delay: e.delay))
            if e.kind == .dense || softmax {
                // The n_L x n_S left factor D W_c.
                _scaledWeights(e, step, into: scaled)
                let kn = softmax && e.kind != .dense ? n : ns
                for q in e.pieces {
                    let piece = program.pieces[q]
                    S._product(n, piece.count, kn, scaled, kn, ps + piece.src, sCols,
                               piece.accumulate, p + piece.dst, cols)
                }
            } else {
                // Diagonal or identity into an element-wise layer: row i scaled by d_i w_i.
                if let w = e.weights {
                    for i in 0..<n { scaled[i] = d[i] * w[i] }
                } else {
                    for i in 0..<n { scaled[i] = d[i] * e.scale }
                }
                for q in e.pieces {
                    let piece = program.pieces[q]
                    for i in 0..<n {
                        let dst = p + i * cols + piece.dst
                        let src = ps + i * sCols + piece.src
                        let f = scaled[i]
                        if piece.accumulate {
                            for j in 0..<piece.count { dst[j] += f * src[j] }
                        } else {
                            for j in 0..<piece.count { dst[j] = f * src[j] }
                        }
                    }
                }
            }
        }
        for r in step.zeroRuns {
            let run = program.zeroRuns[r]
            for i in 0..<n { (p + i * cols + run.lowerBound).update(repeating: 0, count: run.count) }
        }
        _addImmediateTerm(step, p, softmax: softmax)
    }

    /// The left factor D_L W_c of edge e into a layer, written row-major (n_L x n_S).
    ///
    /// Element-wise activations: (D W)[i,j] = phi'(z_i) W[i,j]. Softmax:
    /// (J W)[i,j] = a_i (W[i,j] - r_j) with r = a^T W; a diagonal or identity connection
    /// into a softmax layer is the dense n_L x n_L matrix J diag(w).
    ///
    /// - Complexity: O(n_L x n_S).
    @inline(__always)
    func _scaledWeights(_ e: _Edge<S>, _ step: _LayerStep<S>, into out: UnsafeMutablePointer<S>) {
        let n = step.size
        let a = activation(step, delay: 0)
        let d = derivative(step)
        if step.activation != .softmax {
            guard let w = e.weights else { return }
            let ns = e.sourceSize
            for i in 0..<n {
                let f = d[i]
                let row = w + i * ns, o = out + i * ns
                for j in 0..<ns { o[j] = f * row[j] }
            }
            return
        }
        if e.kind == .dense {
            guard let w = e.weights else { return }
            let ns = e.sourceSize
            let r = scratch + scratchLayout.softmaxRow
            r.update(repeating: 0, count: ns)
            for i in 0..<n {
                let ai = a[i], row = w + i * ns
                for j in 0..<ns { r[j] += ai * row[j] }
            }
            for i in 0..<n {
                let ai = a[i], row = w + i * ns, o = out + i * ns
                for j in 0..<ns { o[j] = ai * (row[j] - r[j]) }
            }
        } else {
            // J diag(w): (J diag(w))[i,j] = a_i (delta_ij - a_j) w_j.
            for i in 0..<n {
                let ai = a[i], o = out + i * n
                for j in 0..<n {
                    let wj = e.weights.map { $0[j] } ?? e.scale
                    o[j] = ai * ((i == j ? 1 : 0) - a[j]) * wj
                }
            }
        }
    }

    /// Adds D_L(t) I_L(t) to P_L(t): for each of L's own trainable blocks, the derivative
    /// of z_L with respect to its entries, scaled by phi' (or by J for softmax).
    ///
    /// - Complexity: O(number of L's parameters) for element-wise activations,
    ///   O(n_L x number of L's parameters) for softmax.
    @inline(__always)
    func _addImmediateTerm(_ step: _LayerStep<S>, _ p: UnsafeMutablePointer<S>, softmax: Bool) {
        let n = step.size, cols = step.cols
        let a = activation(step, delay: 0)
        let d = derivative(step)
        // J[r,i] = a_r (delta_ri - a_i): the softmax Jacobian entry.
        @inline(__always) func jac(_ r: Int, _ i: Int) -> S { a[r] * ((r == i ? 1 : 0) - a[i]) }
        for k in step.edges {
            let e = program.edges[k]
            guard e.localColumn >= 0 else { continue }
            let col0 = e.localColumn
            let u = sourceVector(e)
            let ns = e.sourceSize
            if e.kind == .dense {
                if softmax {
                    for r in 0..<n {
                        let row = p + r * cols + col0
                        for i in 0..<n {
                            let f = jac(r, i)
                            let o = row + i * ns
                            for j in 0..<ns { o[j] += f * u[j] }
                        }
                    }
                } else {
                    for i in 0..<n {
                        let f = d[i]
                        let o = p + i * cols + col0 + i * ns
                        for j in 0..<ns { o[j] += f * u[j] }
                    }
                }
            } else {
                if softmax {
                    for r in 0..<n { for i in 0..<n { p[r * cols + col0 + i] += jac(r, i) * u[i] } }
                } else {
                    for i in 0..<n { p[i * cols + col0 + i] += d[i] * u[i] }
                }
            }
        }
        if step.biasLocalColumn >= 0 {
            let col0 = step.biasLocalColumn
            if softmax {
                for r in 0..<n { for i in 0..<n { p[r * cols + col0 + i] += jac(r, i) } }
            } else {
                for i in 0..<n { p[i * cols + col0 + i] += d[i] }
            }
        }
    }
}
