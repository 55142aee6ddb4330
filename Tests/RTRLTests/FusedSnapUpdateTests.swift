import Testing
import RTRL
#if canImport(Glibc)
import Glibc
#endif

// Within `step` (feed, then learn with a target) the SnAp-1 / diagonal sensitivity update
// is left by the forward pass to the gradient's pass, which makes both at once. These tests
// hold `step` to the same calls made one by one (feed, then learn: two passes) bit for bit
// — parameters, gradient buffer and the whole saved state, sensitivities included — on
// every path through learn: a gradient, no target, a refused loss, an RLS readout, a
// Kalman update, teacher forcing.

private func input(_ t: Int) -> [Double] { [sin(0.3 * Double(t)), cos(0.17 * Double(t))] }

/// A target for step t, or none: every 9th step has no target, every 7th only NaN, one unit
/// has no target every 5th step.
private func target(_ t: Int) -> [Double]? {
    if t % 9 == 4 { return nil }
    if t % 7 == 3 { return [.nan, .nan] }
    return [0.6 * sin(0.3 * Double(t) + 1), t % 5 == 1 ? .nan : 0.4 * cos(0.11 * Double(t))]
}

private func bits(_ xs: [Double]) -> [UInt64] { xs.map(\.bitPattern) }

/// Runs `steps` steps on a copy of `net` both ways and expects the same bits after each.
/// Returns the refusals counted by the copy that stepped.
@discardableResult
private func expectSame(_ net: Network, _ config: TrainingConfiguration, steps: Int = 120,
                        target: (Int) -> [Double]? = target, _ label: String) throws -> UInt64 {
    try net.configure(config)
    let fused = net.copy(), separate = net.copy()
    for t in 0..<steps {
        var fusedError: RTRLError?, separateError: RTRLError?
        var y1: [Double] = [], y2: [Double] = []
        do { y1 = try fused.step(input(t), target: target(t)).output } catch { fusedError = error }
        do {
            try separate.feed(input(t))
            y2 = separate.output()
            if let tt = target(t) { _ = try separate.learn(tt) }
        } catch { separateError = error }
        #expect(fusedError?.code == separateError?.code, "\(label), t = \(t)")
        if fusedError == nil { #expect(bits(y1) == bits(y2), "\(label), t = \(t): prediction") }
        guard bits(fused.parameters()) == bits(separate.parameters()),
              bits(fused.gradient()) == bits(separate.gradient()),
              fused.serialized() == separate.serialized() else {
            Issue.record("\(label): step and feed + learn part at t = \(t)")
            return fused.refusedUpdates
        }
    }
    return fused.refusedUpdates
}

@Suite("SnAp-1 update fused with the gradient")
struct FusedSnapUpdateTests {
    @Test(arguments: ["fully_recurrent", "elman", "jordan", "stacked", "delayed_readout", "diagonal"],
          [Precision.f64, .f32])
    func stepEqualsFeedThenLearn(_ name: String, _ precision: Precision) throws {
        let mode: SensitivityMode = name == "diagonal" ? .exact : .snap1
        let net = try perParameterGraph(name, precision)
        try expectSame(net, TrainingConfiguration(optimizer: .sgd, learningRate: 0.05, sensitivity: mode), "\(name) sgd")
        try expectSame(try perParameterGraph(name, precision),
                       TrainingConfiguration(optimizer: .adam, learningRate: 0.01, updateEvery: 3, sensitivity: mode),
                       "\(name) adam, update_every 3")
        try expectSame(try perParameterGraph(name, precision),
                       TrainingConfiguration(optimizer: .momentum, learningRate: 0.02, clipNorm: 0.05,
                                             teacherForcing: true, sensitivity: mode),
                       "\(name) momentum, clip, teacher forcing")
    }

    /// The RLS readout (output layer) and the EKF and DEKF, which take no gradient pass in
    /// learn: the update is made by itself there.
    @Test(arguments: [Precision.f64, .f32])
    func secondOrderPathsEqualFeedThenLearn(_ precision: Precision) throws {
        for name in ["elman", "stacked", "diagonal"] {
            let mode: SensitivityMode = name == "diagonal" ? .exact : .snap1
            try expectSame(try perParameterGraph(name, precision),
                           TrainingConfiguration(optimizer: .sgd, learningRate: 0.02, sensitivity: mode, readout: .rls),
                           "\(name) rls readout")
            try expectSame(try perParameterGraph(name, precision),
                           TrainingConfiguration(optimizer: .ekf, sensitivity: mode, p0: 0.1), "\(name) ekf")
            try expectSame(try perParameterGraph(name, precision),
                           TrainingConfiguration(optimizer: .dekf, sensitivity: mode, p0: 0.1), "\(name) dekf")
        }
    }

    /// A loss the guard refuses (a target beyond f32's range: dE/dy is not finite) still
    /// advances the sensitivities, as feed alone does, and the next steps agree.
    @Test func aRefusedLossStillUpdatesTheSensitivities() throws {
        for name in ["elman", "delayed_readout", "diagonal"] {
            let mode: SensitivityMode = name == "diagonal" ? .exact : .snap1
            let refused = try expectSame(try perParameterGraph(name, .f32),
                                         TrainingConfiguration(optimizer: .sgd, learningRate: 0.05, sensitivity: mode),
                                         target: { t in t % 10 == 6 ? [1e39, 0] : target(t) }, "\(name) refused")
            #expect(refused == 12, "\(name): refusals")
        }
    }
}
