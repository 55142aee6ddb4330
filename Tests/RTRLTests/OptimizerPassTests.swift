import Testing
@testable import RTRL

// The optimizer's pass runs in the engine's C kernel (Sources/RTRLKernels/optimizer_pass.c,
// AVX2 or baseline): these hold SGD, momentum and Adam to the formulas the engine's Swift
// loops computed (every product and sum rounded on its own, in the same order), bit for
// bit, at every length of the vector tail and at the edges of the range; and the guard's
// checks to every non-finite result, wherever it is.

private let lengths = Array(0...40) + [1000, 100_003]

private func pattern<S: _Scalar>(_: S.Type, _ n: Int, _ salt: Int) -> [S] {
    (0..<n).map { i in S(Double(((i + salt) * 7919) % 1013) / 97.0 - 5.0) }
}

/// Positive values (Adam's second moment).
private func positive<S: _Scalar>(_: S.Type, _ n: Int, _ salt: Int) -> [S] {
    (0..<n).map { i in S(Double(((i + salt) * 6151) % 1009 + 1) / 313.0) }
}

/// The index of the first element whose bits differ, or nil.
private func firstDifference<S: _Scalar>(_ a: [S], _ b: [S]) -> Int? {
    (0..<a.count).first { Double(a[$0]).bitPattern != Double(b[$0]).bitPattern }
}

private func isCleared<S: _Scalar>(_ g: [S]) -> Bool { g.allSatisfy { $0 == 0 && $0.sign == .plus } }

// ---------------------------------------------------------------- SGD

private func checkSGD<S: _Scalar>(_: S.Type) {
    for n in lengths {
        var theta = pattern(S.self, n, 1), g = pattern(S.self, n, 5)
        let eta: S = 0.0371, scale: S = 0.83
        let expected = zip(theta, g).map { t, gi in t - eta * (scale * gi) }
        let bad = theta.withUnsafeBufferPointer { t in
            g.withUnsafeBufferPointer { S._sgdWouldBeNonFinite(t.baseAddress!, $0.baseAddress!, n, eta, scale) }
        }
        #expect(!bad, "\(S.self), n = \(n)")
        theta.withUnsafeMutableBufferPointer { t in
            g.withUnsafeMutableBufferPointer { S._sgdUpdate(t.baseAddress!, $0.baseAddress!, n, eta, scale) }
        }
        let first = firstDifference(theta, expected)
        #expect(first == nil, "\(S.self), n = \(n): parameter \(first ?? -1) is not the formula's, bit for bit")
        #expect(isCleared(g), "\(S.self), n = \(n): gradient not cleared")
    }
}

/// One value that overflows (or is NaN) at every position of vectors of every tail
/// length: the check finds it, wherever it is.
private func checkSGDGuard<S: _Scalar>(_: S.Type, bad: (theta: S, g: S)) {
    for n in 1...37 {
        for at in 0..<n {
            var theta = pattern(S.self, n, 2), g = pattern(S.self, n, 3)
            theta[at] = bad.theta
            g[at] = bad.g
            let seen = theta.withUnsafeBufferPointer { t in
                g.withUnsafeBufferPointer { S._sgdWouldBeNonFinite(t.baseAddress!, $0.baseAddress!, n, 1, 1) }
            }
            #expect(seen, "\(S.self), n = \(n), at \(at): (\(bad.theta), \(bad.g)) not seen")
        }
    }
}

// ---------------------------------------------------------------- momentum

private func momentumCheck<S: _Scalar>(_ theta: [S], _ g: [S], _ velocity: [S], eta: S, scale: S, mu: S) -> Bool {
    theta.withUnsafeBufferPointer { t in
        g.withUnsafeBufferPointer { gp in
            velocity.withUnsafeBufferPointer { v in
                S._momentumWouldBeNonFinite(t.baseAddress!, gp.baseAddress!, v.baseAddress!, theta.count,
                                            eta: eta, scale: scale, mu: mu)
            }
        }
    }
}

private func checkMomentum<S: _Scalar>(_: S.Type) {
    for n in lengths {
        var theta = pattern(S.self, n, 1), g = pattern(S.self, n, 5), velocity = pattern(S.self, n, 9)
        let eta: S = 0.0371, scale: S = 0.83, mu: S = 0.9
        let expectedVelocity = zip(velocity, g).map { v, gi in mu * v + scale * gi }
        let expectedTheta = zip(theta, expectedVelocity).map { t, v in t - eta * v }
        #expect(!momentumCheck(theta, g, velocity, eta: eta, scale: scale, mu: mu), "\(S.self), n = \(n)")
        theta.withUnsafeMutableBufferPointer { t in
            g.withUnsafeMutableBufferPointer { gp in
                velocity.withUnsafeMutableBufferPointer { v in
                    S._momentumUpdate(t.baseAddress!, gp.baseAddress!, v.baseAddress!, n, eta: eta, scale: scale, mu: mu)
                }
            }
        }
        let firstTheta = firstDifference(theta, expectedTheta), firstVelocity = firstDifference(velocity, expectedVelocity)
        #expect(firstTheta == nil, "\(S.self), n = \(n): parameter \(firstTheta ?? -1) is not the formula's")
        #expect(firstVelocity == nil, "\(S.self), n = \(n): velocity \(firstVelocity ?? -1) is not the formula's")
        #expect(isCleared(g), "\(S.self), n = \(n): gradient not cleared")
    }
}

private func checkMomentumGuard<S: _Scalar>(_: S.Type, bad: (theta: S, g: S, velocity: S)) {
    for n in 1...37 {
        for at in 0..<n {
            var theta = pattern(S.self, n, 2), g = pattern(S.self, n, 3), velocity = pattern(S.self, n, 4)
            (theta[at], g[at], velocity[at]) = bad
            #expect(momentumCheck(theta, g, velocity, eta: 1, scale: 1, mu: 1),
                    "\(S.self), n = \(n), at \(at): \(bad) not seen")
        }
    }
}

// ---------------------------------------------------------------- Adam

private func adamCheck<S: _Scalar>(_ theta: [S], _ g: [S], _ m: [S], _ v: [S], _ c: _AdamCoefficients<S>) -> Bool {
    theta.withUnsafeBufferPointer { t in
        g.withUnsafeBufferPointer { gp in
            m.withUnsafeBufferPointer { mp in
                v.withUnsafeBufferPointer { vp in
                    S._adamWouldBeNonFinite(t.baseAddress!, gp.baseAddress!, mp.baseAddress!, vp.baseAddress!,
                                            theta.count, c)
                }
            }
        }
    }
}

private func coefficients<S: _Scalar>(_: S.Type, epsilon: S = 1e-8) -> _AdamCoefficients<S> {
    // Update t = 3 of beta1 = 0.9, beta2 = 0.999.
    _AdamCoefficients(eta: 0.0371, scale: 0.83, beta1: 0.9, beta2: 0.999, epsilon: epsilon,
                      c1: S(1 - _power(0.9, 3)), c2: S(1 - _power(0.999, 3)))
}

private func checkAdam<S: _Scalar>(_: S.Type) {
    let c = coefficients(S.self)
    for n in lengths {
        var theta = pattern(S.self, n, 1), g = pattern(S.self, n, 5)
        var m = pattern(S.self, n, 9), v = positive(S.self, n, 11)
        var expectedM = [S](), expectedV = [S](), expectedTheta = [S]()
        for i in 0..<n {  // The engine's Swift loop, as it was.
            let gs = c.scale * g[i]
            let mi = c.beta1 * m[i] + (1 - c.beta1) * gs
            let vi = c.beta2 * v[i] + (1 - c.beta2) * gs * gs
            let mHat = mi / c.c1, vHat = vi / c.c2
            expectedM.append(mi)
            expectedV.append(vi)
            expectedTheta.append(theta[i] - c.eta * mHat / (vHat.squareRoot() + c.epsilon))
        }
        #expect(!adamCheck(theta, g, m, v, c), "\(S.self), n = \(n)")
        theta.withUnsafeMutableBufferPointer { t in
            g.withUnsafeMutableBufferPointer { gp in
                m.withUnsafeMutableBufferPointer { mp in
                    v.withUnsafeMutableBufferPointer { vp in
                        S._adamUpdate(t.baseAddress!, gp.baseAddress!, mp.baseAddress!, vp.baseAddress!, n, c)
                    }
                }
            }
        }
        for (name, got, expected) in [("parameter", theta, expectedTheta), ("m", m, expectedM), ("v", v, expectedV)] {
            let first = firstDifference(got, expected)
            #expect(first == nil, "\(S.self), n = \(n): \(name) \(first ?? -1) is not the formula's, bit for bit")
        }
        #expect(isCleared(g), "\(S.self), n = \(n): gradient not cleared")
    }
}

private func checkAdamGuard<S: _Scalar>(_: S.Type, epsilon: S, bad: (theta: S, g: S, m: S, v: S)) {
    let c = coefficients(S.self, epsilon: epsilon)
    for n in 1...37 {
        for at in 0..<n {
            var theta = pattern(S.self, n, 2), g = pattern(S.self, n, 3)
            var m = pattern(S.self, n, 4), v = positive(S.self, n, 6)
            (theta[at], g[at], m[at], v[at]) = bad
            #expect(adamCheck(theta, g, m, v, c), "\(S.self), n = \(n), at \(at): \(bad) not seen")
        }
    }
}

// ---------------------------------------------------------------- the suite

@Suite("The optimizer's pass in the kernel")
struct OptimizerPassTests {
    @Test func sgdEqualsTheFormulaBitForBit() {
        checkSGD(Double.self)
        checkSGD(Float.self)
    }

    @Test func sgdGuardSeesEveryNonFiniteResult() {
        // theta - g overflows to -inf; a NaN gradient; an infinite parameter.
        checkSGDGuard(Double.self, bad: (-Double.greatestFiniteMagnitude, Double.greatestFiniteMagnitude))
        checkSGDGuard(Double.self, bad: (1, .nan))
        checkSGDGuard(Double.self, bad: (.infinity, 0))
        checkSGDGuard(Float.self, bad: (-Float.greatestFiniteMagnitude, Float.greatestFiniteMagnitude))
        checkSGDGuard(Float.self, bad: (1, .nan))
        checkSGDGuard(Float.self, bad: (.infinity, 0))
    }

    @Test func theLargestFiniteResultIsNotRefused() {
        // theta - eta * g = greatestFiniteMagnitude exactly (and the velocity 0): finite, so
        // no refusal.
        for n in [1, 9, 33] {
            let theta = [Double](repeating: Double.greatestFiniteMagnitude, count: n)
            let zeros = [Double](repeating: 0, count: n)
            #expect(!theta.withUnsafeBufferPointer { t in
                zeros.withUnsafeBufferPointer { Double._sgdWouldBeNonFinite(t.baseAddress!, $0.baseAddress!, n, 1, 1) }
            })
            #expect(!momentumCheck(theta, zeros, zeros, eta: 1, scale: 1, mu: 0.9))
        }
    }

    @Test func momentumEqualsTheFormulaBitForBit() {
        checkMomentum(Double.self)
        checkMomentum(Float.self)
    }

    @Test func momentumGuardSeesEveryNonFiniteResult() {
        // The velocity overflows; theta - eta v overflows with a finite velocity; a NaN
        // gradient; an infinite parameter.
        let dmax = Double.greatestFiniteMagnitude, fmax = Float.greatestFiniteMagnitude
        checkMomentumGuard(Double.self, bad: (0, dmax, dmax))
        checkMomentumGuard(Double.self, bad: (-dmax, dmax, 0))
        checkMomentumGuard(Double.self, bad: (1, .nan, 0))
        checkMomentumGuard(Double.self, bad: (.infinity, 0, 0))
        checkMomentumGuard(Float.self, bad: (0, fmax, fmax))
        checkMomentumGuard(Float.self, bad: (-fmax, fmax, 0))
        checkMomentumGuard(Float.self, bad: (1, .nan, 0))
        checkMomentumGuard(Float.self, bad: (.infinity, 0, 0))
    }

    @Test func adamEqualsTheFormulaBitForBit() {
        checkAdam(Double.self)
        checkAdam(Float.self)
    }

    @Test func adamGuardSeesEveryNonFiniteResult() {
        // g'^2 overflows (v = inf while theta stays finite: m / inf = 0); an infinite first
        // moment; a NaN gradient; an infinite parameter; and 0 / 0 = NaN where m = v = g = 0
        // with epsilon = 0.
        checkAdamGuard(Double.self, epsilon: 1e-8, bad: (1, 1e200, 0, 1))
        checkAdamGuard(Double.self, epsilon: 1e-8, bad: (1, 0, .infinity, 1))
        checkAdamGuard(Double.self, epsilon: 1e-8, bad: (1, .nan, 0, 1))
        checkAdamGuard(Double.self, epsilon: 1e-8, bad: (.infinity, 0, 0, 1))
        checkAdamGuard(Double.self, epsilon: 0, bad: (1, 0, 0, 0))
        checkAdamGuard(Float.self, epsilon: 1e-8, bad: (1, 1e30, 0, 1))
        checkAdamGuard(Float.self, epsilon: 1e-8, bad: (1, 0, .infinity, 1))
        checkAdamGuard(Float.self, epsilon: 1e-8, bad: (1, .nan, 0, 1))
        checkAdamGuard(Float.self, epsilon: 1e-8, bad: (.infinity, 0, 0, 1))
        checkAdamGuard(Float.self, epsilon: 0, bad: (1, 0, 0, 0))
    }
}
