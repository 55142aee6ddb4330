// The optimizers, clipping, update_every, configure and zero_grad, against the formulas of
// shared/CONTRACT.md §1 ("Details that are part of the contract"), recomputed in the test.

import Testing
import RTRL

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The contract's update rules, written independently of the engine: clipping, then
/// sgd, momentum or adam on a copy of the parameters.
fileprivate struct ReferenceOptimizer {
    let config: TrainingConfiguration
    var velocity: [Double]      // momentum's v
    var firstMoment: [Double]   // Adam's m
    var secondMoment: [Double]  // Adam's v
    var adamSteps = 0
    /// Whether the last update clipped the gradient.
    var clippedLast = false

    init(_ config: TrainingConfiguration, parameters n: Int) {
        self.config = config
        velocity = Array(repeating: 0, count: n)
        firstMoment = Array(repeating: 0, count: n)
        secondMoment = Array(repeating: 0, count: n)
    }

    /// theta after one update with the gradient buffer `g`.
    mutating func update(_ theta: inout [Double], gradient g: [Double]) {
        var g = g
        clippedLast = false
        if let c = config.clipNorm {
            let norm = g.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm > c {
                g = g.map { $0 * c / norm }
                clippedLast = true
            }
        }
        let eta = config.learningRate
        switch config.optimizer {
        case .sgd:
            for i in theta.indices { theta[i] -= eta * g[i] }
        case .momentum:
            for i in theta.indices {
                velocity[i] = config.momentum * velocity[i] + g[i]
                theta[i] -= eta * velocity[i]
            }
        case .adam:
            adamSteps += 1
            let b1 = config.beta1, b2 = config.beta2
            let c1 = 1 - pow(b1, Double(adamSteps)), c2 = 1 - pow(b2, Double(adamSteps))
            for i in theta.indices {
                firstMoment[i] = b1 * firstMoment[i] + (1 - b1) * g[i]
                secondMoment[i] = b2 * secondMoment[i] + (1 - b2) * g[i] * g[i]
                let mHat = firstMoment[i] / c1, vHat = secondMoment[i] / c2
                theta[i] -= eta * mHat / (vHat.squareRoot() + config.epsilon)
            }
        case .ekf, .dekf:
            Issue.record("the Kalman optimizers update inside learn; SecondOrderTests covers them")
        }
    }
}

/// The optimizer settings the trajectory tests run.
enum BehavOptimizerCase: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sgd, momentum, adam, sgdClipped, momentumClipped, adamClipped

    var testDescription: String { rawValue }

    var configuration: TrainingConfiguration {
        switch self {
        case .sgd: TrainingConfiguration(optimizer: .sgd, learningRate: 0.05)
        case .momentum: TrainingConfiguration(optimizer: .momentum, learningRate: 0.02, momentum: 0.8)
        case .adam: TrainingConfiguration(optimizer: .adam, learningRate: 0.01, beta1: 0.85, beta2: 0.99, epsilon: 1e-6)
        case .sgdClipped: TrainingConfiguration(optimizer: .sgd, learningRate: 0.05, clipNorm: 0.6)
        case .momentumClipped: TrainingConfiguration(optimizer: .momentum, learningRate: 0.02, clipNorm: 0.6)
        case .adamClipped: TrainingConfiguration(optimizer: .adam, learningRate: 0.01, clipNorm: 0.6)
        }
    }
}

/// The largest difference between the engine's parameters and the test's, relative to
/// the size of the parameter vector (``behavNormwiseError``): a few units in the last
/// place, accumulated over the trajectory (the engine and the test round the clipping
/// factor and Adam's bias corrections differently; the worst measured is 2.3e-15, Adam
/// with clipping over 40 updates). A wrong formula is off by 1e-6 or more.
fileprivate let trajectoryTolerance = 4e-15

@Suite("Optimizers: trajectories against the contract's formulas")
struct OptimizerTrajectoryTests {
    /// 40 updates on an Elman net with partly masked targets: before each `apply` the
    /// test reads the buffer and computes the update itself; the parameters must follow.
    @Test(arguments: BehavOptimizerCase.allCases)
    func trajectoryFollowsTheFormulas(_ which: BehavOptimizerCase) throws {
        let net = try Network.elman(inputs: 2, hidden: 3, outputs: 2, seed: 4)
        try net.configure(which.configuration)
        var reference = ReferenceOptimizer(which.configuration, parameters: net.numParams)
        var theta = net.parameters()
        var worst = 0.0, clipped = 0, moved = 0
        for t in 0..<40 {
            try net.feed(behavInput(t, 2))
            try net.accumulate(behavTarget(t, 2, masking: true))
            let g = net.gradient()
            try net.apply()
            reference.update(&theta, gradient: g)
            if reference.clippedLast { clipped += 1 }
            let p = net.parameters()
            worst = max(worst, behavNormwiseError(p, theta))
            if g.contains(where: { $0 != 0 }) { moved += 1 }
            #expect(net.gradient().allSatisfy { $0 == 0 }, "apply clears the buffer")
        }
        #expect(worst <= trajectoryTolerance, "worst normwise difference \(worst)")
        #expect(moved == 40)
        if which.configuration.clipNorm != nil {
            // The clip must bind on some updates and not on others for the test to mean anything.
            #expect(clipped > 0 && clipped < 40, "clipped \(clipped) of 40")
        }
    }

    /// `learn` with update_every = 1 is `accumulate` + `apply`, bit for bit.
    @Test(arguments: BehavOptimizerCase.allCases)
    func learnIsAccumulateThenApply(_ which: BehavOptimizerCase) throws {
        let a = try Network.fullyRecurrent(inputs: 2, units: 4, outputs: 2, seed: 8)
        try a.configure(which.configuration)
        let b = a.copy()
        for t in 0..<30 {
            try a.feed(behavInput(t, 2))
            let la = try a.learn(behavTarget(t, 2, masking: true))
            try b.feed(behavInput(t, 2))
            let lb = try b.accumulate(behavTarget(t, 2, masking: true))
            try b.apply()
            #expect(la.bitPattern == lb.bitPattern)
        }
        #expect(behavBits(a.parameters()) == behavBits(b.parameters()))
        #expect(behavByteDifference(a.serialized(), b.serialized()) == nil)
    }
}

/// One identity unit, y(t) = wx x(t) + wr y(t-1) + b: the gradient is written out by hand.
/// Parameters [wx, wr, b] = [0.5, 0.25, 0.125]; step 1: x = 2, y* = 1; step 2: x = 1, y* = 0.5.
///
///     step 1: y1 = 1.125, E1 = 0.015625, dE/dy = 0.25, P1 = [2, 0, 1], g1 = [0.5, 0, 0.25]
///     step 2 (after an update to theta1): y2 = wx1 + wr1 y1 + b1,
///             P2 = [x2 + wr1 P1_wx, y1 + wr1 P1_wr, 1 + wr1 P1_b]
///
/// All values are dyadic, so sgd and momentum results are exact.
@Suite("Optimizers: a hand-computed case")
struct OptimizerHandComputedTests {
    static func unit() throws -> Network {
        let net = try Network.fullyRecurrent(inputs: 1, units: 1, outputs: 1, activation: .identity)
        try net.setParameters([0.5, 0.25, 0.125])
        return net
    }

    @Test func sgdTwoSteps() throws {
        let net = try Self.unit()
        try net.configure(TrainingConfiguration(optimizer: .sgd, learningRate: 0.5))
        let (y1, e1) = try net.step([2], target: [1])
        #expect(y1 == [1.125])
        #expect(e1 == 0.015625)
        // theta1 = theta0 - 0.5 [0.5, 0, 0.25]
        #expect(net.parameters() == [0.25, 0.25, 0])
        let (y2, e2) = try net.step([1], target: [0.5])
        // y2 = 0.25 + 0.25 * 1.125 + 0 = 0.53125; dE/dy = 0.0625; P2 = [1.5, 1.125, 1.25]
        #expect(y2 == [0.53125])
        #expect(e2 == 0.0009765625)
        // g2 = [0.09375, 0.0703125, 0.078125]; theta2 = theta1 - 0.5 g2
        #expect(net.parameters() == [0.203125, 0.21484375, -0.0390625])
    }

    @Test func momentumTwoSteps() throws {
        let net = try Self.unit()
        try net.configure(TrainingConfiguration(optimizer: .momentum, learningRate: 0.5, momentum: 0.5))
        try net.step([2], target: [1])
        // v1 = g1 = [0.5, 0, 0.25]
        #expect(net.parameters() == [0.25, 0.25, 0])
        try net.step([1], target: [0.5])
        // v2 = 0.5 v1 + g2 = [0.34375, 0.0703125, 0.203125]; theta2 = theta1 - 0.5 v2
        #expect(net.parameters() == [0.078125, 0.21484375, -0.1015625])
    }

    /// Adam's first step moves each parameter by about eta against the sign of its
    /// gradient (m_hat = g, v_hat = g^2); a parameter with g = 0 does not move.
    @Test func adamFirstStep() throws {
        let net = try Self.unit()
        try net.configure(TrainingConfiguration(optimizer: .adam, learningRate: 0.5))
        try net.step([2], target: [1])
        let p = net.parameters()
        #expect(abs(p[0] - (0.5 - 0.5 * 0.5 / (0.5 + 1e-8))) < 1e-15)
        #expect(p[1] == 0.25)
        #expect(abs(p[2] - (0.125 - 0.5 * 0.25 / (0.25 + 1e-8))) < 1e-15)
    }

    /// ||g1|| = sqrt(0.3125); with c = 0.125 the step is eta * c in the direction of -g1.
    @Test func clippingScalesToTheNorm() throws {
        let net = try Self.unit()
        try net.configure(TrainingConfiguration(optimizer: .sgd, learningRate: 0.5, clipNorm: 0.125))
        try net.step([2], target: [1])
        let p = net.parameters()
        let norm = 0.3125.squareRoot()
        let expected = [0.5 - 0.5 * 0.5 * 0.125 / norm, 0.25, 0.125 - 0.5 * 0.25 * 0.125 / norm]
        #expect(behavMaxRelativeError(p, expected) <= 1e-15, "\(p) vs \(expected)")
        let moved = ((p[0] - 0.5) * (p[0] - 0.5) + (p[2] - 0.125) * (p[2] - 0.125)).squareRoot()
        #expect(abs(moved - 0.0625) < 1e-15)
    }

    /// A clip above the norm changes nothing.
    @Test func clippingAboveTheNormIsInactive() throws {
        let net = try Self.unit()
        try net.configure(TrainingConfiguration(optimizer: .sgd, learningRate: 0.5, clipNorm: 0.56))
        try net.step([2], target: [1])
        #expect(net.parameters() == [0.25, 0.25, 0])
    }
}

@Suite("update_every, apply, configure, zero_grad")
struct UpdateScheduleTests {
    static func net() throws -> Network {
        try Network.elman(inputs: 2, hidden: 3, outputs: 1, seed: 12)
    }

    /// With update_every = 3, the parameters change on learn calls 3, 6, 9 and only
    /// then, by eta times the sum of the gradients since the last update (checked
    /// against a twin that only accumulates).
    @Test func oneUpdatePerKLearnCalls() throws {
        let net = try Self.net()
        let config = TrainingConfiguration(optimizer: .sgd, learningRate: 0.1, updateEvery: 3)
        try net.configure(config)
        let twin = net.copy()
        var before = net.parameters()
        var updates: [Int] = []
        for call in 1...10 {
            try net.feed(behavInput(call, 2))
            try net.learn(behavTarget(call, 1))
            try twin.feed(behavInput(call, 2))
            try twin.accumulate(behavTarget(call, 1))
            let after = net.parameters()
            if after != before {
                updates.append(call)
                // The twin's buffer holds the same sum; apply it there too.
                try twin.apply()
                #expect(behavBits(after) == behavBits(twin.parameters()))
                #expect(net.gradient().allSatisfy { $0 == 0 })
            } else {
                #expect(behavBits(net.gradient()) == behavBits(twin.gradient()))
            }
            #expect(net.pendingLearnCalls == call % 3)
            before = after
        }
        #expect(updates == [3, 6, 9])
    }

    /// `apply` restarts the count: after learn, learn, apply, the next update comes on
    /// the third learn call after it.
    @Test func applyRestartsTheCount() throws {
        let net = try Self.net()
        try net.configure(TrainingConfiguration(optimizer: .sgd, learningRate: 0.1, updateEvery: 3))
        for t in 0..<2 { try net.feed(behavInput(t, 2)); try net.learn(behavTarget(t, 1)) }
        #expect(net.pendingLearnCalls == 2)
        let p0 = net.parameters()
        try net.apply()
        #expect(net.pendingLearnCalls == 0)
        let p1 = net.parameters()
        #expect(p1 != p0)
        for t in 2..<4 {
            try net.feed(behavInput(t, 2)); try net.learn(behavTarget(t, 1))
            #expect(net.parameters() == p1, "no update on call \(t - 1) after apply")
        }
        try net.feed(behavInput(4, 2)); try net.learn(behavTarget(4, 1))
        #expect(net.parameters() != p1, "the third call after apply updates")
        #expect(net.pendingLearnCalls == 0)
    }

    /// `accumulate` adds to the one buffer but does not count toward update_every.
    @Test func accumulateDoesNotCount() throws {
        let net = try Self.net()
        try net.configure(TrainingConfiguration(optimizer: .sgd, learningRate: 0.1, updateEvery: 3))
        let twin = net.copy()
        let p0 = net.parameters()
        var t = 0
        func advance(_ n: Network, learn: Bool) throws {
            try n.feed(behavInput(t, 2))
            if learn { try n.learn(behavTarget(t, 1)) } else { try n.accumulate(behavTarget(t, 1)) }
        }
        try advance(net, learn: true); try advance(twin, learn: false); t += 1
        for _ in 0..<5 {
            try advance(net, learn: false); try advance(twin, learn: false); t += 1
            #expect(net.pendingLearnCalls == 1)
            #expect(net.parameters() == p0)
        }
        try advance(net, learn: true); try advance(twin, learn: false); t += 1
        #expect(net.pendingLearnCalls == 2)
        #expect(net.parameters() == p0)
        try advance(net, learn: true); try advance(twin, learn: false); t += 1
        #expect(net.pendingLearnCalls == 0)
        // The update used all eight gradients.
        try twin.apply()
        #expect(behavBits(net.parameters()) == behavBits(twin.parameters()))
    }

    /// `configure` resets the optimizer state: after it, momentum's next step is plain
    /// theta -= eta g (v = 0) and Adam's is a first step again; weights, state and the
    /// buffer stay.
    @Test(arguments: [OptimizerKind.momentum, .adam])
    func configureResetsOptimizerState(_ kind: OptimizerKind) throws {
        let net = try Self.net()
        let config = TrainingConfiguration(optimizer: kind, learningRate: 0.05, momentum: 0.9)
        try net.configure(config)
        for t in 0..<6 { try net.feed(behavInput(t, 2)); try net.learn(behavTarget(t, 1)) }
        try net.feed(behavInput(6, 2))
        try net.accumulate(behavTarget(6, 1))
        let g = net.gradient(), p = net.parameters()
        let y = net.output()
        try net.configure(config)
        #expect(behavBits(net.gradient()) == behavBits(g), "configure keeps the buffer")
        #expect(behavBits(net.parameters()) == behavBits(p), "configure keeps the weights")
        #expect(behavBits(net.output()) == behavBits(y), "configure keeps the state")
        try net.apply()
        var fresh = ReferenceOptimizer(config, parameters: net.numParams)
        var expected = p
        fresh.update(&expected, gradient: g)
        #expect(behavNormwiseError(net.parameters(), expected) <= trajectoryTolerance)
    }

    /// Without the reset, the same update would differ (so the test above can fail).
    @Test func withoutConfigureMomentumRemembers() throws {
        let net = try Self.net()
        let config = TrainingConfiguration(optimizer: .momentum, learningRate: 0.05, momentum: 0.9)
        try net.configure(config)
        for t in 0..<6 { try net.feed(behavInput(t, 2)); try net.learn(behavTarget(t, 1)) }
        try net.feed(behavInput(6, 2))
        try net.accumulate(behavTarget(6, 1))
        let g = net.gradient(), p = net.parameters()
        try net.apply()
        var fresh = ReferenceOptimizer(config, parameters: net.numParams)
        var plain = p
        fresh.update(&plain, gradient: g)
        #expect(behavNormwiseError(net.parameters(), plain) > 1e-6)
    }

    /// `configure` restarts the update_every count and may change the optimizer.
    @Test func configureRestartsTheCount() throws {
        let net = try Self.net()
        try net.configure(TrainingConfiguration(optimizer: .sgd, learningRate: 0.1, updateEvery: 3))
        for t in 0..<2 { try net.feed(behavInput(t, 2)); try net.learn(behavTarget(t, 1)) }
        #expect(net.pendingLearnCalls == 2)
        let p = net.parameters()
        try net.configure(TrainingConfiguration(optimizer: .momentum, learningRate: 0.1, updateEvery: 3))
        #expect(net.pendingLearnCalls == 0)
        #expect(net.configuration.optimizer == .momentum)
        for t in 2..<4 {
            try net.feed(behavInput(t, 2)); try net.learn(behavTarget(t, 1))
            #expect(net.parameters() == p)
        }
        try net.feed(behavInput(4, 2)); try net.learn(behavTarget(4, 1))
        #expect(net.parameters() != p)
    }

    /// `zeroGrad` clears the buffer only: weights, state, the update_every count and
    /// the optimizer state stay (the momentum trajectory continues as computed here).
    @Test func zeroGradClearsOnlyTheBuffer() throws {
        let net = try Self.net()
        let config = TrainingConfiguration(optimizer: .momentum, learningRate: 0.05, momentum: 0.9, updateEvery: 4)
        try net.configure(config)
        var reference = ReferenceOptimizer(config, parameters: net.numParams)
        var theta = net.parameters()
        // Two updates with the test's own momentum state alongside.
        for t in 0..<8 {
            try net.feed(behavInput(t, 2))
            if t % 4 == 3 {
                try net.accumulate(behavTarget(t, 1))
                let g = net.gradient()
                try net.apply()
                reference.update(&theta, gradient: g)
            } else {
                try net.learn(behavTarget(t, 1))
            }
        }
        #expect(behavNormwiseError(net.parameters(), theta) <= trajectoryTolerance)
        for t in 8..<10 { try net.feed(behavInput(t, 2)); try net.learn(behavTarget(t, 1)) }
        #expect(net.gradient().contains { $0 != 0 })
        let p = net.parameters(), y = net.output(), steps = net.stepCount
        net.zeroGrad()
        #expect(net.gradient().allSatisfy { $0 == 0 })
        #expect(net.pendingLearnCalls == 2)
        #expect(behavBits(net.parameters()) == behavBits(p))
        #expect(behavBits(net.output()) == behavBits(y))
        #expect(net.stepCount == steps)
        // The optimizer state survived: the next update uses the remembered v.
        try net.feed(behavInput(10, 2))
        try net.accumulate(behavTarget(10, 1))
        let g = net.gradient()
        try net.apply()
        reference.update(&theta, gradient: g)
        #expect(behavNormwiseError(net.parameters(), theta) <= trajectoryTolerance)
    }
}
