extension LossFunction {
    /// One output unit's share of E(t) and its derivative dE(t)/dy_k, for a unit with a
    /// target (k in Theta(t)):
    ///
    ///     mse:            E_k = (y*_k - y_k)^2,            dE/dy_k = -2 (y*_k - y_k)
    ///     cross_entropy:  E_k = -y*_k log max(y_k, tiny),  dE/dy_k = -y*_k / y_k  (0 when y_k <= tiny)
    ///
    /// with tiny the smallest normal double. Units without a target (NaN) contribute
    /// nothing: e_k(t) = 0 for k not in Theta(t).
    @inline(__always)
    func _term(target: Double, output y: Double) -> (loss: Double, derivative: Double) {
        switch self {
        case .mse:
            let e = target - y
            return (e * e, -2 * e)
        case .crossEntropy:
            let tiny = Double.leastNormalMagnitude
            return (-target * _logDouble(max(y, tiny)), y > tiny ? -target / y : 0)
        }
    }
}

@inline(__always) func _logDouble(_ x: Double) -> Double { Double._log(x) }
