import Testing
@testable import RTRL

// `_norm` (UORO's rho0 and rho1, gradient clipping) sums in eight SIMD lanes. UORO's
// estimate is unbiased for any positive rho, so its own tests cannot see a wrong norm:
// these check it directly.

private func reference<S: _Scalar>(_ xs: [S]) -> Double {
    var sq = 0.0
    for x in xs { let d = Double(x); sq += d * d }
    return sq.squareRoot()
}

private func values<S: _Scalar>(_: S.Type, _ n: Int) -> [S] {
    (0..<n).map { i in S(Double((i * 7919) % 1013) / 97.0 - 5.0) }
}

@Suite("The norm UORO scales by")
struct NormTests {
    /// Every length from 0 to 40 (the tail after the last full group of eight, and none),
    /// and long vectors: within rounding of a plain running sum in Double (the bound on a
    /// sum of n terms, n eps relative, of the square: half that on the norm).
    @Test func matchesARunningSum() {
        for n in Array(0...40) + [1000, 1_000_003] {
            let d = values(Double.self, n), f = values(Float.self, n)
            let nd = d.withUnsafeBufferPointer { _norm($0.baseAddress!, n) }
            let nf = f.withUnsafeBufferPointer { _norm($0.baseAddress!, n) }
            let tolerance = Double(max(n, 1)) * Double.ulpOfOne
            #expect(abs(nd - reference(d)) <= tolerance * reference(d), "f64, n = \(n): \(nd) vs \(reference(d))")
            #expect(abs(nf - reference(f)) <= tolerance * reference(f), "f32, n = \(n): \(nf) vs \(reference(f))")
        }
    }

    /// Sums that are exact in Double give exactly the square root: every value counts once.
    @Test func exactOnSmallIntegers() {
        for n in [1, 7, 8, 9, 16, 17, 63] {
            let ones = [Double](repeating: 1, count: n), twos = [Float](repeating: 2, count: n)
            #expect(ones.withUnsafeBufferPointer { _norm($0.baseAddress!, n) } == Double(n).squareRoot())
            #expect(twos.withUnsafeBufferPointer { _norm($0.baseAddress!, n) } == Double(4 * n).squareRoot())
        }
    }
}
