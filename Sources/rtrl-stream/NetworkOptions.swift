import ArgumentParser
import RTRL
import RTRLStream

/// The options that define every stream's network and how it learns (shared by the
/// adapter and `replay`). Each is optional: unset options keep the value of `--config`
/// or the default shown in the help.
struct NetworkOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "A JSON file with settings; its keys are these long option names (e.g. {\"preset\": \"jordan\", \"learning-rate\": 0.005}). Options given on the command line override it. Relative paths in it are relative to the file.",
        valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("The network every stream starts from: fully_recurrent, elman or jordan. (default: elman)", valueName: "preset"))
    var preset: StreamConfiguration.Preset?

    @Option(help: ArgumentHelp("n_x, the number of inputs per sample. (default: 1)", valueName: "n"))
    var inputs: Int?

    @Option(help: ArgumentHelp("Hidden units (elman, jordan), or n_units, all units (fully_recurrent). (default: 8)", valueName: "n"))
    var hidden: Int?

    @Option(help: ArgumentHelp("The number of outputs, the length of y(t) and of a target. (default: 1)", valueName: "n"))
    var outputs: Int?

    @Option(help: ArgumentHelp("jordan only: the decay of the state layer, s(t) = mu s(t-1) + y(t-1). (default: 0.5)", valueName: "x"))
    var mu: Double?

    @Option(help: ArgumentHelp("The seed of the template network's initial weights; every stream starts from the same weights. (default: 0)", valueName: "n"))
    var seed: UInt64?

    @Option(help: ArgumentHelp("Compute in f64 or f32. (default: f64)", valueName: "p"))
    var precision: Precision?

    @Option(help: ArgumentHelp("The hidden layer's activation (fully_recurrent: of all units): identity, logistic, tanh, relu, softmax. (default: tanh)", valueName: "name"))
    var hiddenActivation: Activation?

    @Option(help: ArgumentHelp("The output layer's activation (elman, jordan). (default: identity)", valueName: "name"))
    var outputActivation: Activation?

    @Option(help: ArgumentHelp("The update rule: sgd, momentum, adam, or the second-order ekf (extended Kalman filter with the exact RTRL Jacobian; memory O(N^2)) and dekf (decoupled, one block per unit). The Kalman filters need update-every 1 and loss mse. (default: sgd)", valueName: "name"))
    var optimizer: OptimizerKind?

    @Option(help: ArgumentHelp("eta, the learning rate (>= 0). (default: 0.01)", valueName: "x"))
    var learningRate: Double?

    @Option(help: ArgumentHelp("mu of the momentum optimizer, in [0, 1). (default: 0.9)", valueName: "x"))
    var momentum: Double?

    @Option(help: ArgumentHelp("Adam's beta1, in [0, 1). (default: 0.9)", valueName: "x"))
    var beta1: Double?

    @Option(help: ArgumentHelp("Adam's beta2, in [0, 1). (default: 0.999)", valueName: "x"))
    var beta2: Double?

    @Option(help: ArgumentHelp("Adam's epsilon (> 0). (default: 1e-8)", valueName: "x"))
    var eps: Double?

    @Option(help: ArgumentHelp("Clip the gradient to this L2 norm before each update (> 0). (default: no clipping)", valueName: "c"))
    var clipNorm: Double?

    @Option(help: ArgumentHelp("The loss: mse (sum of squared errors) or cross_entropy (softmax output only). (default: mse)", valueName: "name"))
    var loss: LossFunction?

    @Flag(inversion: .prefixedNo, help: "Teacher forcing: after learning, feed the target back in place of the output. (default: off)")
    var teacherForcing: Bool?

    @Option(help: ArgumentHelp("Apply the accumulated gradient every n samples (>= 1). (default: 1)", valueName: "n"))
    var updateEvery: Int?

    @Flag(inversion: .prefixedNo, help: "The divergence guard: refuse (and count) an update that would make a weight non-finite. (default: on)")
    var divergenceGuard: Bool?

    @Option(help: ArgumentHelp("How the sensitivities are kept: exact (O(n^4) per step for n fully connected units; O(N) by itself when every recurrence is diagonal), snap1 (SnAp-1, O(N)) or uoro (rank one, O(n + N)). (default: exact)", valueName: "mode"))
    var sensitivity: SensitivityMode?

    @Option(name: .customLong("ekf-r"), help: ArgumentHelp("EKF/DEKF measurement noise r, R = r I (> 0). (default: 1)", valueName: "x"))
    var ekfR: Double?

    @Option(name: .customLong("ekf-q"), help: ArgumentHelp("EKF/DEKF process noise q, Q = q I (>= 0). (default: 1e-6)", valueName: "x"))
    var ekfQ: Double?

    @Option(name: .customLong("p0"), help: ArgumentHelp("EKF, DEKF and the RLS readout start their covariance at I / p0 (> 0). (default: 0.01)", valueName: "x"))
    var p0: Double?

    @Option(help: ArgumentHelp("How the output layer learns: gradient (like the rest) or rls (recursive least squares, the rest by the first-order optimizer). (default: gradient)", valueName: "mode"))
    var readout: Readout?

    @Option(help: ArgumentHelp("The RLS readout's forgetting factor, in (0, 1]. (default: 0.999)", valueName: "x"))
    var rlsLambda: Double?

    @Option(help: ArgumentHelp("The most covariance entries a stream's EKF, DEKF or RLS readout may hold. (default: 67108864)", valueName: "n"))
    var maxCovarianceEntries: Int?

    @Flag(inversion: .prefixedNo, help: "Forecast mode: the target of each sample's prediction is the next sample's first <outputs> inputs, so publishers send plain x(t) and get one-step-ahead predictions. (default: off)")
    var forecast: Bool?

    /// Applies `--config` (if given), then every option given, on top of `c`.
    func apply(to c: inout StreamConfiguration) throws(StreamError) {
        if let config { try c.apply(configFile: config) }
        if let v = preset { c.preset = v }
        if let v = inputs { c.inputs = v }
        if let v = hidden { c.hidden = v }
        if let v = outputs { c.outputs = v }
        if let v = mu { c.mu = v }
        if let v = seed { c.seed = v }
        if let v = precision { c.precision = v }
        if let v = hiddenActivation { c.hiddenActivation = v }
        if let v = outputActivation { c.outputActivation = v }
        if let v = optimizer { c.training.optimizer = v }
        if let v = learningRate { c.training.learningRate = v }
        if let v = momentum { c.training.momentum = v }
        if let v = beta1 { c.training.beta1 = v }
        if let v = beta2 { c.training.beta2 = v }
        if let v = eps { c.training.epsilon = v }
        if let v = clipNorm { c.training.clipNorm = v }
        if let v = loss { c.training.loss = v }
        if let v = teacherForcing { c.training.teacherForcing = v }
        if let v = updateEvery { c.training.updateEvery = v }
        if let v = divergenceGuard { c.training.divergenceGuard = v }
        if let v = sensitivity { c.training.sensitivity = v }
        if let v = ekfR { c.training.ekfR = v }
        if let v = ekfQ { c.training.ekfQ = v }
        if let v = p0 { c.training.p0 = v }
        if let v = readout { c.training.readout = v }
        if let v = rlsLambda { c.training.rlsLambda = v }
        if let v = maxCovarianceEntries { c.training.maxCovarianceEntries = v }
        if let v = forecast { c.forecast = v }
    }
}

extension StreamConfiguration {
    /// "elman 1-8-1, sgd lr 0.01" and the like.
    var networkSummary: String {
        var s = "\(preset.rawValue) \(inputs)-\(hidden)-\(outputs)"
        if preset == .jordan { s += " mu \(mu)" }
        s += ", seed \(seed), \(training.optimizer.rawValue)"
        if !training.optimizer.isKalman { s += " lr \(training.learningRate)" }
        if training.sensitivity != .exact { s += ", \(training.sensitivity.rawValue)" }
        if training.readout == .rls { s += ", rls readout" }
        if forecast { s += ", forecast mode" }
        if let shard { s += ", shard \(shard) (prefix \(shard.prefix))" }
        return s
    }
}
