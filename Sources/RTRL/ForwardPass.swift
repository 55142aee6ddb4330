extension _Engine {
    /// The forward pass of one layer at step t:
    ///
    ///     z_L(t) = sum over connections c into L of W_c a_S(t - d_c) + b_L
    ///     a_L(t) = phi_L(z_L(t)),   d_L(t) = phi_L'(z_L(t))
    ///
    /// (the seed's z_k(t) = sum_l w_kl xi_l(t), a_k(t) = phi(z_k(t)), with xi_l the input
    /// or the previous activation according to the connection's delay). A diagonal
    /// connection adds w * a_S element-wise, an identity connection scale * a_S.
    ///
    /// - Complexity: O(n_L x fan-in).
    func _forward(layer l: Int) {
        let n = topo.layers[l].size
        let z = scratch + scratchLayout.z
        if let b = biases[l] {
            z.update(from: b, count: n)
        } else {
            z.update(repeating: 0, count: n)
        }
        for c in topo.incoming[l] {
            let spec = topo.connections[c]
            let src = sourceVector(c)
            let m = topo.size(ofSource: topo.source[c])
            switch spec.kind {
            case .dense:
                guard let w = weights[c] else { continue }
                _matrixVectorAdd(n, m, w, src, z)
            case .diagonal:
                guard let w = weights[c] else { continue }
                for i in 0..<n { z[i] += w[i] * src[i] }
            case .identity:
                let s = S(spec.scale)
                for i in 0..<n { z[i] += s * src[i] }
            }
        }
        topo.layers[l].activation._apply(UnsafePointer(z), activation(l, delay: 0), derivative(l), n)
    }
}

/// y += A x, with A (m x n) row-major.
///
/// - Complexity: O(m n).
@inline(__always)
func _matrixVectorAdd<S: _Scalar>(
    _ m: Int, _ n: Int, _ a: UnsafePointer<S>, _ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>
) {
    if m * n <= 4096 {
        for i in 0..<m {
            let row = a + i * n
            var s: S = 0
            for j in 0..<n { s += row[j] * x[j] }
            y[i] += s
        }
    } else {
        S._gemvN(m, n, 1, a, n, x, 1, y)
    }
}
