import Testing
@testable import RTRL

// SGD's pass runs in the engine's C kernel (Sources/RTRLKernels/sgd.c, AVX2 or baseline):
// these hold it to the formula it replaces, theta - eta * (scale * g) rounded twice,
// and to the guard's check, at every length of the vector tail and at the edges of the
// range.

private func plainUpdate<S: _Scalar>(_ theta: [S], _ g: [S], _ eta: S, _ scale: S) -> [S] {
    zip(theta, g).map { t, gi in t - eta * (scale * gi) }
}

private func pattern<S: _Scalar>(_: S.Type, _ n: Int, _ salt: Int) -> [S] {
    (0..<n).map { i in S(Double(((i + salt) * 7919) % 1013) / 97.0 - 5.0) }
}

private func check<S: _Scalar>(_: S.Type) {
    for n in Array(0...40) + [1000, 100_003] {
        var theta = pattern(S.self, n, 1), g = pattern(S.self, n, 5)
        let eta: S = 0.0371, scale: S = 0.83
        let expected = plainUpdate(theta, g, eta, scale)
        let overflow = theta.withUnsafeBufferPointer { t in
            g.withUnsafeBufferPointer { S._sgdWouldBeNonFinite(t.baseAddress!, $0.baseAddress!, n, eta, scale) }
        }
        #expect(!overflow, "\(S.self), n = \(n)")
        theta.withUnsafeMutableBufferPointer { t in
            g.withUnsafeMutableBufferPointer { S._sgdUpdate(t.baseAddress!, $0.baseAddress!, n, eta, scale) }
        }
        let first = (0..<n).first { Double(theta[$0]).bitPattern != Double(expected[$0]).bitPattern }
        #expect(first == nil, "\(S.self), n = \(n): parameter \(first ?? -1) is not the formula's, bit for bit")
        #expect(g.allSatisfy { $0 == 0 && $0.sign == .plus }, "\(S.self), n = \(n): gradient not cleared")
    }
}

/// One value that overflows (or is NaN) at every position of vectors of every tail
/// length: the check finds it, wherever it is.
private func checkGuard<S: _Scalar>(_: S.Type, bad: (theta: S, g: S)) {
    for n in 1...37 {
        for at in 0..<n {
            var theta = pattern(S.self, n, 2), g = pattern(S.self, n, 3)
            theta[at] = bad.theta
            g[at] = bad.g
            let overflow = theta.withUnsafeBufferPointer { t in
                g.withUnsafeBufferPointer { S._sgdWouldBeNonFinite(t.baseAddress!, $0.baseAddress!, n, 1, 1) }
            }
            #expect(overflow, "\(S.self), n = \(n), at \(at): (\(bad.theta), \(bad.g)) not seen")
        }
    }
}

@Suite("SGD's pass in the kernel")
struct SGDKernelTests {
    @Test func equalsTheFormulaBitForBit() {
        check(Double.self)
        check(Float.self)
    }

    @Test func theGuardSeesEveryNonFiniteResult() {
        // theta - g overflows to -inf; a NaN gradient; an infinite parameter.
        checkGuard(Double.self, bad: (-Double.greatestFiniteMagnitude, Double.greatestFiniteMagnitude))
        checkGuard(Double.self, bad: (1, .nan))
        checkGuard(Double.self, bad: (.infinity, 0))
        checkGuard(Float.self, bad: (-Float.greatestFiniteMagnitude, Float.greatestFiniteMagnitude))
        checkGuard(Float.self, bad: (1, .nan))
        checkGuard(Float.self, bad: (.infinity, 0))
    }

    @Test func theLargestFiniteResultIsNotRefused() {
        // theta - eta * g = greatestFiniteMagnitude exactly: finite, so no refusal.
        for n in [1, 9, 33] {
            let theta = [Double](repeating: Double.greatestFiniteMagnitude, count: n)
            let g = [Double](repeating: 0, count: n)
            #expect(!theta.withUnsafeBufferPointer { t in
                g.withUnsafeBufferPointer { Double._sgdWouldBeNonFinite(t.baseAddress!, $0.baseAddress!, n, 1, 1) }
            })
        }
    }
}
