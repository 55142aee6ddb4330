extension Activation {
    /// a = phi(z) and d = phi'(z) for a whole layer.
    ///
    /// For `softmax`, `d` is left untouched: its derivative is the full Jacobian
    /// J = diag(a) - a a^T, which the engine applies from `a` where it is needed.
    ///
    /// - Complexity: O(n).
    @inline(__always)
    func _apply<S: _Scalar>(
        _ z: UnsafePointer<S>, _ a: UnsafeMutablePointer<S>, _ d: UnsafeMutablePointer<S>, _ n: Int
    ) {
        switch self {
        case .identity:
            for i in 0..<n { a[i] = z[i]; d[i] = 1 }
        case .logistic:
            for i in 0..<n {
                let s = _logistic(z[i])
                a[i] = s
                d[i] = s * (1 - s)
            }
        case .tanh:
            for i in 0..<n {
                let t = S._tanh(z[i])
                a[i] = t
                d[i] = 1 - t * t
            }
        case .relu:
            for i in 0..<n {
                let positive = z[i] > 0
                a[i] = positive ? z[i] : 0
                d[i] = positive ? 1 : 0  // relu'(0) = 0
            }
        case .softmax:
            _softmax(z, a, n)
        }
    }
}

/// sigma(z) = 1 / (1 + exp(-z)), evaluated without overflow for either sign of z.
@inline(__always)
func _logistic<S: _Scalar>(_ z: S) -> S {
    if z >= 0 {
        return 1 / (1 + S._exp(-z))
    }
    let e = S._exp(z)
    return e / (1 + e)
}

/// a_i = exp(z_i - max z) / sum_j exp(z_j - max z).
@inline(__always)
func _softmax<S: _Scalar>(_ z: UnsafePointer<S>, _ a: UnsafeMutablePointer<S>, _ n: Int) {
    var m = z[0]
    for i in 1..<max(n, 1) where z[i] > m { m = z[i] }
    var sum: S = 0
    for i in 0..<n {
        let e = S._exp(z[i] - m)
        a[i] = e
        sum += e
    }
    let inv = 1 / sum
    for i in 0..<n { a[i] *= inv }
}
