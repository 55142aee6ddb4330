extension _Engine {
    /// One extended-Kalman-filter update of the parameters from the current step, with
    /// H(t) the exact RTRL Jacobian of the outputs that have a target (k rows),
    /// e(t) = y*(t) - y(t), R = r I and Q = q I:
    ///
    ///     A = H P H^T + R                  (k x k, summed over the groups for the DEKF)
    ///     K = P H^T A^-1
    ///     theta += K e
    ///     P = P - K H P + Q
    ///
    /// computed as M^T = H P, K^T = A^-1 M^T, P -= K^T^T M^T. The covariance stays
    /// symmetric by a symmetrising step (P <- (P + P^T) / 2 after the update, every
    /// step). Rounding can still cost it its positive definiteness over a long stream;
    /// when A stops being positive definite, or a diagonal entry of P stops being
    /// positive, that covariance starts again from I / p0 (a covariance reset, the usual
    /// remedy in EKF training of recurrent networks). For the decoupled EKF each group g (the
    /// incoming weights of one unit) has its own block P_g and H_g, and A sums
    /// H_g P_g H_g^T over the groups (Puskorius & Feldkamp 1994).
    ///
    /// The divergence guard refuses the update (nothing changes) when A is not positive
    /// definite or the change would not be finite.
    ///
    /// - Complexity: EKF O(k N^2) per step (the products with P), DEKF
    ///   O(k sum of n_g^2) plus the Jacobian.
    func _kalmanUpdate(target t: UnsafePointer<Double>, state so: _SecondOrderState<S>) throws(RTRLError) {
        let n = numParams
        let k = _outputJacobian(target: t, into: so.h)
        guard k > 0 else { return }
        let y = prediction
        var row = 0
        for q in 0..<topo.numOutputs where !t[q].isNaN {
            so.errors[row] = S(t[q]) - y[q]
            row += 1
        }
        let h: UnsafeMutablePointer<S>
        if so.identityOrder {
            h = so.h
        } else {
            for a in 0..<k {
                let src = so.h + a * n, dst = so.hGrouped + a * n
                for p in 0..<n { dst[p] = src[so.order[p]] }
            }
            h = so.hGrouped
        }
        // A = sum_g H_g P_g H_g^T + r I, with M_g^T = H_g P_g kept for the update. If A is
        // not positive definite the covariance has lost its own definiteness to rounding:
        // it starts again from I / p0 (once) rather than refusing every later update.
        var positiveDefinite = _innovation(h, k, so)
        if !positiveDefinite {
            so.reset(p0: config.p0)
            positiveDefinite = _innovation(h, k, so)
        }
        guard positiveDefinite else {
            // Still not positive definite with a fresh covariance: H itself is not finite
            // (the sensitivities exploded). They start again from 0.
            _clearSensitivities()
            refusedUpdates &+= 1
            throw RTRLError(.diverged, "update refused: H P H^T + R is not positive definite even with a fresh covariance; the sensitivities overflowed and were cleared (parameters unchanged, covariance back at I / p0)")
        }
        // K^T = A^-1 M^T (k x N), the change K e = (K^T)^T e.
        for a in 0..<k {
            let dst = so.kt + a * n
            for p in 0..<n { dst[p] = 0 }
            for b in 0..<k {
                let f = so.inverse[a * k + b], src = so.mt + b * n
                for p in 0..<n { dst[p] += f * src[p] }
            }
        }
        var finite = true
        for p in 0..<n {
            var s: S = 0
            for a in 0..<k { s += so.kt[a * n + p] * so.errors[a] }
            so.change[p] = s
            finite = finite && s.isFinite && (theta[so.order[p]] + s).isFinite
        }
        guard finite || !config.divergenceGuard else {
            throw _refuseSecondOrder("the update would make a parameter non-finite")
        }
        for p in 0..<n { theta[so.order[p]] += so.change[p] }
        // P_g -= (K_g^T)^T M_g^T, symmetrised, + q I; a block whose diagonal is no longer
        // positive (rounding) starts again from I / p0.
        let q = S(config.ekfQ)
        let cov = so.covariance.baseAddress!
        for g in 0..<so.groupCount {
            let start = so.groupStart[g], m = so.groupStart[g + 1] - start
            let pg = cov + so.blockStart[g]
            S._gemmTN(m, m, k, -1, so.kt + start, n, so.mt + start, n, 1, pg, m)
            _symmetrize(pg, m, addingToDiagonal: q)
            var healthy = true
            for i in 0..<m where !(pg[i * m + i] > 0 && pg[i * m + i].isFinite) { healthy = false }
            if !healthy { so.reset(group: g, p0: config.p0) }
        }
    }

    /// A = sum_g H_g P_g H_g^T + r I into `so.innovation`, keeping M_g^T = H_g P_g in
    /// `so.mt`, then A^-1 into `so.inverse`; false if A is not positive definite.
    private func _innovation(_ h: UnsafeMutablePointer<S>, _ k: Int, _ so: _SecondOrderState<S>) -> Bool {
        let n = numParams
        let r = S(config.ekfR)
        for i in 0..<(k * k) { so.innovation[i] = 0 }
        for i in 0..<k { so.innovation[i * k + i] = r }
        let cov = so.covariance.baseAddress!
        for g in 0..<so.groupCount {
            let start = so.groupStart[g], m = so.groupStart[g + 1] - start
            S._gemm(k, m, m, 1, h + start, n, cov + so.blockStart[g], m, 0, so.mt + start, n)
            for a in 0..<k {
                for b in 0..<k {
                    var s: S = 0
                    let x = so.mt + a * n + start, z = h + b * n + start
                    for j in 0..<m { s += x[j] * z[j] }
                    so.innovation[a * k + b] += s
                }
            }
        }
        return _invertSymmetricPositiveDefinite(so.innovation, k, into: so.inverse, scratch: so.cholesky)
    }

    private func _refuseSecondOrder(_ why: String) -> RTRLError {
        refusedUpdates &+= 1
        return RTRLError(.diverged, "update refused: \(why) (parameters and covariance unchanged)")
    }
}

/// P <- (P + P^T) / 2, then P_ii += add (P is m x m, row-major).
///
/// - Complexity: O(m^2).
func _symmetrize<S: _Scalar>(_ p: UnsafeMutablePointer<S>, _ m: Int, addingToDiagonal add: S) {
    for i in 0..<m {
        for j in (i + 1)..<max(m, i + 1) {
            let v = (p[i * m + j] + p[j * m + i]) / 2
            p[i * m + j] = v
            p[j * m + i] = v
        }
        p[i * m + i] += add
    }
}

/// The inverse of a small symmetric positive-definite matrix A (k x k) by Cholesky
/// factorisation A = L L^T; false if A is not positive definite (or not finite).
///
/// - Complexity: O(k^3).
func _invertSymmetricPositiveDefinite<S: _Scalar>(
    _ a: UnsafeMutablePointer<S>, _ k: Int, into inv: UnsafeMutablePointer<S>, scratch l: UnsafeMutablePointer<S>
) -> Bool {
    for i in 0..<(k * k) { l[i] = 0 }
    for j in 0..<k {
        var d = a[j * k + j]
        for p in 0..<j { d -= l[j * k + p] * l[j * k + p] }
        guard d > 0 && d.isFinite else { return false }
        let ljj = d.squareRoot()
        l[j * k + j] = ljj
        for i in (j + 1)..<max(k, j + 1) {
            var s = a[i * k + j]
            for p in 0..<j { s -= l[i * k + p] * l[j * k + p] }
            l[i * k + j] = s / ljj
        }
    }
    // Columns of A^-1: solve L L^T x = e_c.
    for c in 0..<k {
        for i in 0..<k {
            var s: S = i == c ? 1 : 0
            for p in 0..<i { s -= l[i * k + p] * inv[p * k + c] }
            inv[i * k + c] = s / l[i * k + i]
        }
        for i in stride(from: k - 1, through: 0, by: -1) {
            var s = inv[i * k + c]
            for p in (i + 1)..<max(k, i + 1) { s -= l[p * k + i] * inv[p * k + c] }
            inv[i * k + c] = s / l[i * k + i]
        }
    }
    return true
}
