/// How a network learns: the optimizer and its constants, the loss, teacher forcing and
/// how often the gradient buffer is applied.
///
/// Set with ``Network/configure(_:)``, which validates every field and resets the
/// optimizer state and the `updateEvery` count.
public struct TrainingConfiguration: Equatable, Sendable {
    /// The update rule; `.sgd` by default.
    public var optimizer: OptimizerKind = .sgd
    /// eta, the learning rate (finite, >= 0); 0.01 by default.
    public var learningRate: Double = 0.01
    /// mu of the momentum optimizer (in [0, 1)); 0.9 by default.
    public var momentum: Double = 0.9
    /// Adam's beta1 (in [0, 1)); 0.9 by default.
    public var beta1: Double = 0.9
    /// Adam's beta2 (in [0, 1)); 0.999 by default.
    public var beta2: Double = 0.999
    /// Adam's epsilon (> 0); 1e-8 by default.
    public var epsilon: Double = 1e-8
    /// Gradient-norm clipping: if ||g||_2 > c then g <- g c / ||g||_2. `nil` (the
    /// default) switches it off; otherwise c must be finite and > 0.
    public var clipNorm: Double? = nil
    /// The loss E(t); `.mse` by default.
    public var loss: LossFunction = .mse
    /// Teacher forcing: after the loss at step t, each output unit with a target has its
    /// activation replaced by the target and its sensitivity row set to 0. Off by default.
    public var teacherForcing: Bool = false
    /// `learn` applies the optimizer on every `updateEvery`-th call (>= 1); 1 by default.
    public var updateEvery: Int = 1
    /// The divergence guard: an update that would make a parameter or the loss non-finite
    /// is refused (nothing changes but the cleared buffer) and counted. On by default.
    public var divergenceGuard: Bool = true
    /// EKF and DEKF: the measurement noise r (R = r I), finite and > 0; 1 by default.
    public var ekfR: Double = 1
    /// EKF and DEKF: the process noise q (Q = q I), finite and >= 0; 1e-6 by default.
    public var ekfQ: Double = 1e-6
    /// EKF, DEKF and the RLS readout: the initial covariance is I / p0 (finite, > 0);
    /// 0.01 by default (P(0) = 100 I).
    public var p0: Double = 0.01
    /// How the output layer's trainable blocks learn; `.gradient` by default.
    public var readout: Readout = .gradient
    /// The RLS readout's forgetting factor lambda, in (0, 1]; 0.999 by default.
    public var rlsLambda: Double = 0.999
    /// How the sensitivities are kept: `.exact` (the default), `.snap1` or `.uoro`.
    public var sensitivity: SensitivityMode = .exact
    /// The largest number of covariance entries the EKF, DEKF or RLS readout may hold
    /// (their memory is O(N^2) for the EKF); 2^26 (512 MiB in f64) by default.
    public var maxCovarianceEntries: Int = 1 << 26

    public init() {}

    public init(
        optimizer: OptimizerKind = .sgd, learningRate: Double = 0.01, momentum: Double = 0.9,
        beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
        clipNorm: Double? = nil, loss: LossFunction = .mse, teacherForcing: Bool = false,
        updateEvery: Int = 1, divergenceGuard: Bool = true, sensitivity: SensitivityMode = .exact,
        ekfR: Double = 1, ekfQ: Double = 1e-6, p0: Double = 0.01, readout: Readout = .gradient,
        rlsLambda: Double = 0.999, maxCovarianceEntries: Int = 1 << 26
    ) {
        self.optimizer = optimizer
        self.learningRate = learningRate
        self.momentum = momentum
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.clipNorm = clipNorm
        self.loss = loss
        self.teacherForcing = teacherForcing
        self.updateEvery = updateEvery
        self.divergenceGuard = divergenceGuard
        self.sensitivity = sensitivity
        self.ekfR = ekfR
        self.ekfQ = ekfQ
        self.p0 = p0
        self.readout = readout
        self.rlsLambda = rlsLambda
        self.maxCovarianceEntries = maxCovarianceEntries
    }

    /// Checks every field; throws `invalidArgument` naming the first bad one.
    func validate() throws(RTRLError) {
        func check(_ ok: Bool, _ what: @autoclosure () -> String) throws(RTRLError) {
            if !ok { throw .invalid("configure: \(what())") }
        }
        try check(learningRate.isFinite && learningRate >= 0,
                  "learning_rate must be finite and >= 0, got \(learningRate)")
        try check(momentum.isFinite && momentum >= 0 && momentum < 1,
                  "momentum must be in [0, 1), got \(momentum)")
        try check(beta1.isFinite && beta1 >= 0 && beta1 < 1, "beta1 must be in [0, 1), got \(beta1)")
        try check(beta2.isFinite && beta2 >= 0 && beta2 < 1, "beta2 must be in [0, 1), got \(beta2)")
        try check(epsilon.isFinite && epsilon > 0, "eps must be finite and > 0, got \(epsilon)")
        if let c = clipNorm {
            try check(c.isFinite && c > 0, "clip_norm must be finite and > 0 (or none), got \(c)")
        }
        try check(updateEvery >= 1 && updateEvery <= Int(UInt32.max),
                  "update_every must be >= 1, got \(updateEvery)")
        try check(ekfR.isFinite && ekfR > 0, "ekf_r must be finite and > 0, got \(ekfR)")
        try check(ekfQ.isFinite && ekfQ >= 0, "ekf_q must be finite and >= 0, got \(ekfQ)")
        try check(p0.isFinite && p0 > 0, "p0 must be finite and > 0, got \(p0)")
        try check(rlsLambda.isFinite && rlsLambda > 0 && rlsLambda <= 1,
                  "rls_lambda must be in (0, 1], got \(rlsLambda)")
        try check(maxCovarianceEntries >= 0, "max_covariance_entries must be >= 0, got \(maxCovarianceEntries)")
        if optimizer.isKalman {
            try check(updateEvery == 1,
                      "the \(optimizer.rawValue) optimizer updates at every learn call; update_every must be 1, got \(updateEvery)")
            try check(loss == .mse, "the \(optimizer.rawValue) optimizer needs loss mse")
            try check(readout == .gradient, "readout rls goes with a first-order optimizer (sgd, momentum, adam), not \(optimizer.rawValue)")
        }
    }
}
