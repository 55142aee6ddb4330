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
    ///   support (``_GradientSupport``). The passes of SGD, momentum and Adam run in the
    ///   engine's C kernel (``_Scalar/_sgdUpdate(_:_:_:_:_:)``,
    ///   ``_Scalar/_momentumUpdate(_:_:_:_:eta:scale:mu:)``,
    ///   ``_Scalar/_adamUpdate(_:_:_:_:_:_:)``; vectorised for the CPU, no FMA).
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
            guard !c.divergenceGuard
                || !S._momentumWouldBeNonFinite(theta, grad, moment1, n, eta: eta, scale: scale, mu: mu)
            else { throw refuse() }
            S._momentumUpdate(theta, grad, moment1, n, eta: eta, scale: scale, mu: mu)
            cleared = true
        case .ekf, .dekf:
            break  // They update inside learn; `apply` refuses them before this point.
        case .adam:
            let t = adamSteps &+ 1
            let adam = _AdamCoefficients(
                eta: eta, scale: scale, beta1: S(c.beta1), beta2: S(c.beta2), epsilon: S(c.epsilon),
                c1: S(1 - _power(c.beta1, t)), c2: S(1 - _power(c.beta2, t)))
            guard !c.divergenceGuard || !S._adamWouldBeNonFinite(theta, grad, moment1, moment2, n, adam)
            else { throw refuse() }
            S._adamUpdate(theta, grad, moment1, moment2, n, adam)
            cleared = true
            adamSteps = t
        }
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

/// The coefficients of one Adam update, in the engine's precision:
///
///     g' = scale g;  m = beta1 m + (1 - beta1) g';  v = beta2 v + (1 - beta2) g' g'
///     theta -= eta (m / c1) / (sqrt(v / c2) + epsilon),  c1 = 1 - beta1^t,  c2 = 1 - beta2^t
///
/// for update t (the bias corrections c1, c2 are computed in Double, then rounded).
struct _AdamCoefficients<S: _Scalar> {
    var eta: S
    var scale: S
    var beta1: S
    var beta2: S
    var epsilon: S
    var c1: S
    var c2: S
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
