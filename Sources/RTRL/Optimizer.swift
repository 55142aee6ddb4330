extension _Engine {
    /// Applies the optimizer to the gradient buffer g, then clears the buffer and the
    /// `updateEvery` count:
    ///
    ///     clipping (optional):  if ||g||_2 > c then g <- g c / ||g||_2
    ///     sgd:       theta -= eta g
    ///     momentum:  v = mu v + g;  theta -= eta v
    ///     adam:      m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
    ///                theta -= eta m_hat / (sqrt(v_hat) + eps),
    ///                m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t)
    ///
    /// The divergence guard: if the update would make any parameter (or optimizer state)
    /// non-finite, nothing is written, the buffer is cleared, the refusal is counted and
    /// `diverged` is thrown.
    ///
    /// - Complexity: O(N), two passes (check, then write; the write pass also clears the
    ///   buffer); SGD without clipping on the per-parameter paths visits only the buffer's
    ///   support (``_GradientSupport``). SGD's two passes run in the engine's C kernel
    ///   (``_Scalar/_sgdUpdate(_:_:_:_:_:)``, vectorised for the CPU).
    func _applyOptimizer() throws(RTRLError) {
        var cleared = false  // by the write pass
        defer {
            if cleared { gradientSupport?.cleared() } else { _clearGradient() }
            learnCount = 0
        }
        let n = numParams
        let c = config
        var scale: S = 1
        if let clip = c.clipNorm {
            let norm = _norm(grad, n)
            if norm > clip { scale = S(clip / norm) }
        }
        let eta = S(c.learningRate)
        let moment1 = self.moment1.base, moment2 = self.moment2.base
        let theta = self.theta, grad = self.grad
        switch c.optimizer {
        case .sgd:
            if c.clipNorm == nil, let support = gradientSupport {
                // Only the runs that may be non-zero: elsewhere theta - eta * (+0) is theta.
                if c.divergenceGuard {
                    var bad = false
                    support.forEachRun(numParams: n) { start, count in
                        bad = S._sgdWouldBeNonFinite(theta + start, grad + start, count, eta, scale) || bad
                    }
                    guard !bad else { throw refuse() }
                }
                support.forEachRun(numParams: n) { start, count in
                    S._sgdUpdate(theta + start, grad + start, count, eta, scale)
                }
                cleared = true
                break
            }
            guard !c.divergenceGuard || !S._sgdWouldBeNonFinite(theta, grad, n, eta, scale) else { throw refuse() }
            S._sgdUpdate(theta, grad, n, eta, scale)
            cleared = true
        case .momentum:
            let mu = S(c.momentum)
            guard !c.divergenceGuard || _allFinite({ i in
                let v = mu * moment1[i] + scale * grad[i]
                return S._nonFinite(v) | S._nonFinite(theta[i] - eta * v)
            }) else { throw refuse() }
            for i in 0..<n {
                let v = mu * moment1[i] + scale * grad[i]
                moment1[i] = v
                theta[i] -= eta * v
                grad[i] = 0
            }
            cleared = true
        case .ekf, .dekf:
            break  // They update inside learn; `apply` refuses them before this point.
        case .adam:
            let b1 = S(c.beta1), b2 = S(c.beta2), eps = S(c.epsilon)
            let t = adamSteps &+ 1
            let c1 = S(1 - _power(c.beta1, t)), c2 = S(1 - _power(c.beta2, t))
            @inline(__always) func step(_ i: Int) -> (m: S, v: S, theta: S) {
                let g = scale * grad[i]
                let m = b1 * moment1[i] + (1 - b1) * g
                let v = b2 * moment2[i] + (1 - b2) * g * g
                let mHat = m / c1, vHat = v / c2
                return (m, v, theta[i] - eta * mHat / (vHat.squareRoot() + eps))
            }
            guard !c.divergenceGuard || _allFinite({ i in let s = step(i); return S._nonFinite(s.m) | S._nonFinite(s.v) | S._nonFinite(s.theta) }) else { throw refuse() }
            for i in 0..<n {
                let s = step(i)
                moment1[i] = s.m
                moment2[i] = s.v
                theta[i] = s.theta
                grad[i] = 0
            }
            cleared = true
            adamSteps = t
        }
    }

    /// True when `nonFinite(i)` (1 for a non-finite value, else 0) is 0 for every parameter
    /// index. An OR over all of them without an early exit, so that the loop vectorises:
    /// a refusal is rare, the check runs at every update.
    @inline(__always)
    private func _allFinite(_ nonFinite: (Int) -> UInt64) -> Bool {
        let n = numParams
        var bad: UInt64 = 0
        for i in 0..<n { bad |= nonFinite(i) }
        return bad == 0
    }

    private func refuse() -> RTRLError {
        refusedUpdates &+= 1
        var finite = true
        for i in 0..<numParams where !grad[i].isFinite { finite = false; break }
        if !finite {
            // The gradient itself overflowed: the sensitivities did. Clear them, or every
            // later update would be refused too.
            _clearSensitivities()
            return RTRLError(.diverged, "update refused: the gradient is not finite (the sensitivities overflowed and were cleared; the gradient buffer was cleared; weights and optimizer state are unchanged)")
        }
        return RTRLError(.diverged, "update refused: it would make a parameter non-finite (the gradient buffer was cleared; weights and optimizer state are unchanged)")
    }
}

/// b^t by repeated squaring: the same bits on every machine (no libm pow).
func _power(_ b: Double, _ t: UInt64) -> Double {
    var result = 1.0, base = b, e = t
    while e > 0 {
        if e & 1 == 1 { result *= base }
        base *= base
        e >>= 1
    }
    return result
}
