import Testing
@testable import RTRL

/// The divergence guard: a poisoned step or update is refused and counted, and the learner
/// goes on exactly as if the bad sample had never arrived.
@Suite struct DivergenceGuardTests {
    /// A recurrent net with identity units: a huge input overflows its activations.
    private func linearRecurrent(seed: UInt64 = 2) throws -> Network {
        var b = try NetworkBuilder(inputs: 1)
        try b.addLayer("h", size: 3, activation: .identity)
        try b.addLayer("y", size: 1, activation: .identity)
        try b.connect(from: "input", to: "h")
        try b.connect(from: "h", to: "h", delay: 1)
        try b.connect(from: "h", to: "y")
        try b.setOutput(layer: "y")
        let net = try b.build(seed: seed)
        try net.setBlock(named: "input->h", [10, -10, 10])  // 1e308 * 10 overflows
        return net
    }

    private func wave(_ t: Int) -> Double { Double((t * 37) % 11) / 11 - 0.5 }

    @Test func aFeedThatOverflowsIsUndone() throws {
        let net = try linearRecurrent()
        try net.configure(TrainingConfiguration(optimizer: .adam, learningRate: 0.01))
        for t in 0..<20 { _ = try net.step([wave(t)], target: [wave(t + 1)]) }
        let before = net.copy()
        let y0 = net.output()
        #expect(throws: RTRLError.self) { try net.feed([1e308]) }
        do { try net.feed([1e308]) } catch { #expect(error.code == .diverged && error.message.contains("non-finite activation")) }
        #expect(net.refusedUpdates == 2)
        #expect(net.stepCount == before.stepCount)
        #expect(net.output() == y0)
        // The learner goes on exactly as the copy taken before the poisoned samples.
        for t in 20..<60 {
            let a = try net.step([wave(t)], target: [wave(t + 1)])
            let b = try before.step([wave(t)], target: [wave(t + 1)])
            #expect(a.output == b.output && a.loss == b.loss)
        }
        #expect(net.parameters() == before.parameters())
    }

    @Test func aHugeTargetIsRefusedAndTheWeightsStay() throws {
        let net = try Network.elman(inputs: 1, hidden: 4, outputs: 1, seed: 3)
        for t in 0..<20 { _ = try net.step([wave(t)], target: [wave(t + 1)]) }
        let reference = net.copy()
        // The same input, but a target whose loss overflows: the update is refused.
        #expect { try net.step([wave(20)], target: [1e300]) } throws: { ($0 as? RTRLError)?.code == .diverged }
        #expect(net.refusedUpdates == 1)
        _ = try reference.step([wave(20)], target: nil)  // the forward pass the refused step made
        #expect(net.parameters() == reference.parameters())
        for t in 21..<40 {
            #expect(try net.step([wave(t)], target: [wave(t + 1)]).output == reference.step([wave(t)], target: [wave(t + 1)]).output)
        }
    }

    @Test func anUpdateThatWouldOverflowIsRefused() throws {
        let net = try Network.elman(inputs: 1, hidden: 4, outputs: 1, seed: 3)
        try net.configure(TrainingConfiguration(learningRate: 1e300))
        let p0 = net.parameters()
        try net.feed([0.5])
        // Loss finite (target 1e10), gradient finite, eta * g overflows.
        #expect { try net.learn([1e10]) } throws: { ($0 as? RTRLError)?.code == .diverged }
        #expect(net.parameters() == p0)
        #expect(net.gradient().allSatisfy { $0 == 0 })
        #expect(net.refusedUpdates == 1)
    }

    /// With an RLS readout the step's update is the readout's and the optimizer's: when
    /// the optimizer's is refused, the readout's must not stand either (found by fuzz_capi).
    @Test func aRefusedUpdateWithAnRLSReadoutLeavesTheReadoutToo() throws {
        let net = try Network.elman(inputs: 1, hidden: 4, outputs: 1, seed: 3)
        var c = TrainingConfiguration(learningRate: 1e300)
        c.readout = .rls
        try net.configure(c)
        let p0 = net.parameters()
        try net.feed([0.5])
        #expect { try net.learn([1e10]) } throws: { ($0 as? RTRLError)?.code == .diverged }
        #expect(net.parameters() == p0)
        #expect(net.refusedUpdates == 1)
        // A sound step afterwards moves the readout (the covariance was not touched).
        c.learningRate = 0.01
        try net.configure(c)
        try net.feed([0.5])
        _ = try net.learn([0.25])
        #expect(net.parameters() != p0)
    }

    /// The guard's check of every would-be value, per optimizer and precision: an update
    /// that overflows in the working precision is refused and leaves every parameter.
    @Test(arguments: [(OptimizerKind.sgd, Precision.f64), (.momentum, .f64), (.sgd, .f32), (.momentum, .f32), (.adam, .f32)])
    func anOverflowingUpdateIsRefusedByEveryOptimizer(_ optimizer: OptimizerKind, _ precision: Precision) throws {
        let net = try Network.elman(inputs: 1, hidden: 4, outputs: 1, seed: 3, precision: precision)
        // 1e300 is infinite in f32: every update overflows there.
        try net.configure(TrainingConfiguration(optimizer: optimizer, learningRate: 1e300))
        let p0 = net.parameters()
        try net.feed([0.5])
        #expect { try net.learn([1e10]) } throws: { ($0 as? RTRLError)?.code == .diverged }
        #expect(net.parameters() == p0)
        #expect(net.refusedUpdates == 1)
    }

    /// A target an f32 network cannot hold (its error overflows Float) is refused before
    /// anything happens: with teacher forcing it would otherwise be written into the state
    /// as an infinite activation. The network is exactly as if `learn` had not been called.
    @Test(arguments: [false, true])
    func aTargetBeyondF32IsRefusedBeforeForcing(_ forcing: Bool) throws {
        let net = try Network.fullyRecurrent(inputs: 1, units: 4, outputs: 1, activation: .identity, seed: 2, precision: .f32)
        var c = TrainingConfiguration(learningRate: 0.01)
        c.teacherForcing = forcing
        try net.configure(c)
        try net.feed([0.5])
        let untouched = net.copy()
        #expect { try net.learn([1e150]) } throws: {
            ($0 as? RTRLError)?.code == .diverged && ($0 as? RTRLError)?.message.contains("output error dE/dy") == true
        }
        #expect(net.refusedUpdates == 1)
        for x in [0.25, -0.5, 0.75] {
            try net.feed([x])
            try untouched.feed([x])
            #expect(net.output().map(\.bitPattern) == untouched.output().map(\.bitPattern))
        }
        // A target it can hold is learned as usual.
        _ = try net.learn([0.5])
        #expect(net.refusedUpdates == 1)
    }

    /// Teacher forcing follows the loss, not the update: when the update is refused — by
    /// the first-order optimizer, the RLS readout or the EKF — the parameters stay and the
    /// state carries on forced, exactly as after `accumulate` (the loss and the forcing
    /// without an update). A Jordan network feeds its output back, so a missing forcing
    /// changes every later output. The refusals: SGD at learning rate 1e300; a hidden layer
    /// of identity units driven by an input of 1e155, whose squared activations overflow
    /// the RLS readout's u^T P u and the EKF's H P H^T (the readout weights of 1e-160 keep
    /// the prediction, and so E(t), finite).
    @Test(arguments: ["sgd", "rls", "ekf"])
    func aRefusedUpdateStillForcesTheTargets(_ kind: String) throws {
        let net = try Network.jordan(inputs: 1, hidden: 4, outputs: 1, hiddenActivation: .identity, seed: 4)
        var c = TrainingConfiguration(learningRate: 0.01)
        c.teacherForcing = true
        switch kind {
        case "sgd": c.learningRate = 1e300
        case "rls": c.readout = .rls
        default: c.optimizer = .ekf
        }
        try net.configure(c)
        try net.setBlock(named: "hidden->output", [1e-160, -1e-160, 1e-160, -1e-160])
        for t in 0..<4 { try net.feed([wave(t)]) }
        try net.feed([1e155])
        let reference = net.copy()
        #expect { try net.learn([0.9]) } throws: { ($0 as? RTRLError)?.code == .diverged }
        #expect(net.refusedUpdates == 1)
        try reference.configure(TrainingConfiguration(learningRate: 0.01, teacherForcing: true))
        _ = try reference.accumulate([0.9])
        #expect(net.parameters() == reference.parameters())
        for t in 0..<6 {
            try net.feed([wave(t)])
            try reference.feed([wave(t)])
            #expect(net.output().map(\.bitPattern) == reference.output().map(\.bitPattern))
        }
    }

    /// The branch-free test behind the guard's check.
    @Test func nonFiniteIsOneExactlyForInfinitiesAndNaNs() {
        let doubles: [Double] = [0, -0.0, 1, -1, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
                                 .leastNonzeroMagnitude, .leastNormalMagnitude, .infinity, -.infinity, .nan, -.nan,
                                 .signalingNaN]
        for x in doubles { #expect(Double._nonFinite(x) == (x.isFinite ? 0 : 1), "\(x)") }
        let floats: [Float] = [0, -0.0, 1, -1, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
                               .leastNonzeroMagnitude, .leastNormalMagnitude, .infinity, -.infinity, .nan, -.nan,
                               .signalingNaN]
        for x in floats { #expect(Float._nonFinite(x) == (x.isFinite ? 0 : 1), "\(x)") }
    }

    @Test func withTheGuardOffNothingIsRefused() throws {
        let net = try linearRecurrent()
        var c = TrainingConfiguration()
        c.divergenceGuard = false
        try net.configure(c)
        try net.feed([1e308])
        try net.feed([1e308])
        #expect(!net.output()[0].isFinite)
        #expect(net.refusedUpdates == 0)
    }
}
