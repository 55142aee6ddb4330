/// The Euclidean norm of n values, summed in Double: in eight partial sums (lane k takes
/// the values at indices k mod 8), added in a fixed order at the end, so that the loop runs
/// in SIMD — one running sum made it a chain of dependent additions, 4 cycles per value
/// (two norms over N were half of the UORO step at n = 1024). Used by UORO's rho0 and
/// rho1 and by gradient clipping.
///
/// - Complexity: O(n).
@inline(__always)
func _norm<S: _Scalar>(_ p: UnsafePointer<S>, _ n: Int) -> Double {
    var lanes = SIMD8<Double>()
    var i = 0
    while i + 8 <= n {
        let x = SIMD8<Double>(Double(p[i]), Double(p[i + 1]), Double(p[i + 2]), Double(p[i + 3]),
                              Double(p[i + 4]), Double(p[i + 5]), Double(p[i + 6]), Double(p[i + 7]))
        lanes += x * x
        i += 8
    }
    var sq = 0.0
    for k in 0..<8 { sq += lanes[k] }
    while i < n { let x = Double(p[i]); sq += x * x; i += 1 }
    return sq.squareRoot()
}
