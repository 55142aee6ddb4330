/// The activation function phi of a layer: a_L(t) = phi_L(z_L(t)).
public enum Activation: String, CaseIterable, Sendable, Codable {
    /// phi(z) = z.
    case identity
    /// phi(z) = 1 / (1 + exp(-z)), the logistic sigmoid.
    case logistic
    /// phi(z) = tanh(z).
    case tanh
    /// phi(z) = max(0, z), with phi'(0) = 0.
    case relu
    /// phi(z)_i = exp(z_i) / sum_j exp(z_j), over the whole layer.
    case softmax
}

/// How a connection maps its source layer onto its target layer.
public enum ConnectionKind: String, CaseIterable, Sendable, Codable {
    /// A full matrix W (n_to x n_from, row-major): z_to += W a_from.
    case dense
    /// An element-wise vector w (n_to == n_from): z_to += w * a_from.
    case diagonal
    /// A fixed copy scaled by a constant (n_to == n_from): z_to += scale * a_from. Never trainable.
    case identity
}

/// The loss E(t) over the output units with a target, Theta(t).
public enum LossFunction: String, CaseIterable, Sendable, Codable {
    /// E(t) = sum_k (y*_k(t) - y_k(t))^2 — the seed's squared error: no 1/2, no mean.
    case mse
    /// E(t) = -sum_k y*_k log y_k; only with a softmax output layer.
    case crossEntropy = "cross_entropy"
}

/// The rule that turns the gradient buffer into a parameter update.
public enum OptimizerKind: String, CaseIterable, Sendable, Codable {
    /// theta -= eta g.
    case sgd
    /// v = mu v + g; theta -= eta v.
    case momentum
    /// Kingma & Ba, bias-corrected.
    case adam
    /// The global extended Kalman filter over all trainable parameters, with the exact
    /// RTRL Jacobian H(t) = dy(t)/dtheta (Williams 1992). Updates inside `learn`.
    case ekf
    /// The decoupled EKF: one covariance block per unit's incoming weights (Puskorius &
    /// Feldkamp 1994). Updates inside `learn`.
    case dekf

    /// True for the optimizers that update inside `learn` from H(t) instead of applying
    /// the gradient buffer.
    public var isKalman: Bool { self == .ekf || self == .dekf }
}

/// How the output layer's trainable blocks learn.
public enum Readout: String, CaseIterable, Sendable, Codable {
    /// Like every other parameter: by the optimizer, from the gradient.
    case gradient
    /// By recursive least squares with forgetting factor lambda (the echo-state recipe),
    /// while the rest of the network learns by the first-order optimizer on the exact
    /// RTRL gradient. Needs an identity output layer fed by dense blocks and a bias.
    case rls
}

/// The floating-point type the network computes in. Chosen at creation.
public enum Precision: String, CaseIterable, Sendable, Codable {
    case f64
    case f32
}

/// How the sensitivities d a(t) / d theta are kept.
public enum SensitivityMode: String, CaseIterable, Sendable, Codable {
    /// Exact RTRL (the default). When every recurrence of the graph is element-wise
    /// (diagonal), exact RTRL keeps one sensitivity per parameter at O(N) per step.
    case exact
    /// SnAp-1 (Menick et al. 2021): for each parameter only the sensitivity of the unit it
    /// writes to, carried across steps through that unit's own recurrence. O(N) memory,
    /// O(forward pass + N) time per step.
    case snap1
    /// UORO (Tallec & Ollivier 2018): an unbiased rank-one estimate u v^T of the
    /// sensitivities, with random signs from the network's seeded generator.
    /// O(n + N) memory, O(forward pass + N) time per step.
    case uoro
}
