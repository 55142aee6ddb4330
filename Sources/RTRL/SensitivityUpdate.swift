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
    func _updateSensitivity(layer l: Int) {
        let lp = plan.layers[l]
        let n = topo.layers[l].size
        let cols = lp.cols
        let p = sensitivity(l, delay: 0)
        let softmax = topo.layers[l].activation == .softmax
        let a = activation(l, delay: 0)
        let d = derivative(l)
        let scaled = scratch + scratchLayout.scaledWeights

        for (c, pieces) in lp.products {
            let spec = topo.connections[c]
            let s = topo.source[c]
            let ns = topo.layers[s].size
            let sCols = plan.layers[s].cols
            let ps = UnsafePointer(sensitivity(s, delay: spec.delay))
            if spec.kind == .dense || softmax {
                // The n_L x n_S left factor D W_c.
                _scaledWeights(connection: c, layer: l, into: scaled)
                for piece in pieces {
                    S._gemm(n, piece.count, ns, 1, scaled, ns, ps + piece.src, sCols,
                            piece.accumulate ? 1 : 0, p + piece.dst, cols)
                }
            } else {
                // Diagonal or identity into an element-wise layer: row i scaled by d_i w_i.
                let w = weights[c]
                let k = S(spec.scale)
                for i in 0..<n { scaled[i] = d[i] * (w.map { $0[i] } ?? k) }
                for piece in pieces {
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
        for run in lp.zeroRuns {
            for i in 0..<n { (p + i * cols + run.lowerBound).update(repeating: 0, count: run.count) }
        }
        _addImmediateTerm(layer: l, p, cols, softmax: softmax, a: a, d: d)
    }

    /// The left factor D_L W_c of connection c into layer l, written row-major (n_L x n_S).
    ///
    /// Element-wise activations: (D W)[i,j] = phi'(z_i) W[i,j]. Softmax:
    /// (J W)[i,j] = a_i (W[i,j] - r_j) with r = a^T W; a diagonal or identity connection
    /// into a softmax layer is the dense matrix J diag(w).
    ///
    /// - Complexity: O(n_L x n_S).
    func _scaledWeights(connection c: Int, layer l: Int, into out: UnsafeMutablePointer<S>) {
        let spec = topo.connections[c]
        let n = topo.layers[l].size
        let a = activation(l, delay: 0)
        let d = derivative(l)
        if topo.layers[l].activation != .softmax {
            guard let w = weights[c] else { return }
            let ns = topo.size(ofSource: topo.source[c])
            for i in 0..<n {
                let f = d[i]
                let row = w + i * ns, o = out + i * ns
                for j in 0..<ns { o[j] = f * row[j] }
            }
            return
        }
        if spec.kind == .dense {
            guard let w = weights[c] else { return }
            let ns = topo.size(ofSource: topo.source[c])
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
            let w = weights[c]
            let k = S(spec.scale)
            for i in 0..<n {
                let ai = a[i], o = out + i * n
                for j in 0..<n {
                    let wj = w.map { $0[j] } ?? k
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
    func _addImmediateTerm(
        layer l: Int, _ p: UnsafeMutablePointer<S>, _ cols: Int, softmax: Bool,
        a: UnsafeMutablePointer<S>, d: UnsafeMutablePointer<S>
    ) {
        let n = topo.layers[l].size
        // J[r,i] = a_r (delta_ri - a_i): the softmax Jacobian entry.
        @inline(__always) func jac(_ r: Int, _ i: Int) -> S { a[r] * ((r == i ? 1 : 0) - a[i]) }
        for c in topo.incoming[l] {
            guard let bi = topo.connectionBlock[c] else { continue }
            let block = topo.blocks[bi]
            guard block.trainable else { continue }
            let col0 = plan.local(layer: l, global: block.offset)
            let u = sourceVector(c)
            let ns = topo.size(ofSource: topo.source[c])
            switch block.kind {
            case .dense:
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
            case .diagonal:
                if softmax {
                    for r in 0..<n { for i in 0..<n { p[r * cols + col0 + i] += jac(r, i) * u[i] } }
                } else {
                    for i in 0..<n { p[i * cols + col0 + i] += d[i] * u[i] }
                }
            case .bias:
                break
            }
        }
        if let bi = topo.biasBlock[l] {
            let col0 = plan.local(layer: l, global: topo.blocks[bi].offset)
            if softmax {
                for r in 0..<n { for i in 0..<n { p[r * cols + col0 + i] += jac(r, i) } }
            } else {
                for i in 0..<n { p[i * cols + col0 + i] += d[i] }
            }
        }
    }
}
