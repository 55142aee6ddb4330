import RTRLKernels

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
    @inline(__always)
    func _forward(_ step: _LayerStep<S>) {
        let n = step.size
        let z = scratch + scratchLayout.z
        if let b = step.bias {
            z.update(from: b, count: n)
        } else {
            z.update(repeating: 0, count: n)
        }
        for k in step.edges {
            let e = program.edges[k]
            let src = sourceVector(e)
            switch e.kind {
            case .dense:
                guard let w = e.weights else { continue }
                _matrixVectorAdd(n, e.sourceSize, w, src, z)
            case .diagonal:
                guard let w = e.weights else { continue }
                for i in 0..<n { z[i] += w[i] * src[i] }
            case .identity:
                let s = e.scale
                for i in 0..<n { z[i] += s * src[i] }
            }
        }
        step.activation._apply(UnsafePointer(z), activation(step, delay: 0), derivative(step), n)
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
