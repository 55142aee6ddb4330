// reset_state, step, output under teacher forcing and the step count, against
// shared/CONTRACT.md §1 ("Details that are part of the contract", "Teacher forcing").

import Testing
import RTRL

/// The networks the reset tests run on, each with delay-1 connections (and the last with
/// a delay-1 input connection, diagonal, identity and fixed blocks).
enum BehavStateNet: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case fullyRecurrent, elman, jordan, graph

    var testDescription: String { rawValue }

    func make(seed: UInt64 = 21) throws -> Network {
        switch self {
        case .fullyRecurrent: return try Network.fullyRecurrent(inputs: 2, units: 4, outputs: 2, seed: seed)
        case .elman: return try Network.elman(inputs: 2, hidden: 3, outputs: 2, seed: seed)
        case .jordan: return try Network.jordan(inputs: 2, hidden: 3, outputs: 2, mu: 0.6, seed: seed)
        case .graph:
            var b = try NetworkBuilder(inputs: 2)
            try b.addLayer("a", size: 2, activation: .tanh, bias: true)
            try b.addLayer("b", size: 3, activation: .logistic, bias: false)
            try b.connect(from: "input", to: "a", delay: 1)
            try b.connect(from: "input", to: "a", kind: .diagonal)
            try b.connect(from: "a", to: "b")
            try b.connect(from: "b", to: "a", delay: 1, trainable: false)
            try b.connect(from: "b", to: "b", delay: 1, kind: .diagonal, scale: 0.4)
            try b.connect(from: "a", to: "a", delay: 1, kind: .identity, scale: 0.5)
            try b.setOutput(layer: "b", units: [2, 0])
            return try b.build(seed: seed)
        }
    }
}

/// Copies every block (trainable and fixed) of `source` into `target`.
fileprivate func copyWeights(from source: Network, to target: Network) throws {
    for block in source.blocks {
        try target.setBlock(named: block.name, source.block(named: block.name))
    }
}

@Suite("reset_state")
struct ResetStateTests {
    /// After a reset the network behaves exactly like a fresh network with the same
    /// weights: the same predictions, losses, gradients and updates, bit for bit, over
    /// 25 steps (so no activation, remembered input or sensitivity survived). Reset after
    /// an odd and an even number of steps, so that double-buffered state is caught in
    /// either phase.
    @Test(arguments: BehavStateNet.allCases, [11, 12])
    func resetNetworkBehavesLikeAFreshOne(_ which: BehavStateNet, _ stepsBefore: Int) throws {
        let config = TrainingConfiguration(optimizer: .sgd, learningRate: 0.05)
        let net = try which.make()
        try net.configure(config)
        for t in 0..<stepsBefore { try net.step(behavInput(t, 2), target: behavTarget(t, net.numOutputs)) }
        net.resetState()
        let fresh = try which.make(seed: 99)
        try copyWeights(from: net, to: fresh)
        try fresh.configure(config)
        #expect(behavBits(fresh.parameters()) == behavBits(net.parameters()))
        for t in 0..<25 {
            let x = behavInput(t + 40, 2), target = behavTarget(t + 40, net.numOutputs, masking: true)
            let a = try net.step(x, target: target), b = try fresh.step(x, target: target)
            #expect(behavBits(a.output) == behavBits(b.output), "step \(t)")
            #expect(a.loss?.bitPattern == b.loss?.bitPattern, "step \(t)")
        }
        #expect(behavBits(net.parameters()) == behavBits(fresh.parameters()))
    }

    /// The same without the reset differs (so the test above can fail).
    @Test(arguments: BehavStateNet.allCases)
    func withoutResetTheHistoryMatters(_ which: BehavStateNet) throws {
        let net = try which.make()
        for t in 0..<12 { try net.feed(behavInput(t, 2)) }
        let fresh = try which.make(seed: 99)
        try copyWeights(from: net, to: fresh)
        try net.feed(behavInput(40, 2))
        try fresh.feed(behavInput(40, 2))
        #expect(net.output() != fresh.output())
    }

    /// The prediction is part of the state: after a reset y = 0 (all activations 0).
    @Test func resetClearsThePrediction() throws {
        let net = try Network.elman(inputs: 1, hidden: 2, outputs: 2, seed: 3)
        for t in 0..<5 { try net.feed(behavInput(t, 1)) }
        #expect(net.output() != [0, 0])
        net.resetState()
        #expect(net.output() == [0, 0])
    }

    /// The remembered x(t-1) of a delay-1 input connection is cleared: h(t) = x(t-1).
    @Test func resetForgetsTheRememberedInput() throws {
        var b = try NetworkBuilder(inputs: 1)
        try b.addLayer("h", size: 1, activation: .identity, bias: false)
        try b.connect(from: "input", to: "h", delay: 1)
        try b.setOutput(layer: "h")
        let net = try b.build()
        try net.setParameters([1])
        try net.feed([5])
        #expect(net.output() == [0])
        try net.feed([7])
        #expect(net.output() == [5])
        net.resetState()
        try net.feed([9])
        #expect(net.output() == [0], "x(t-1) after a reset is 0, not 7")
        try net.feed([11])
        #expect(net.output() == [9])
    }

    /// The sensitivities are cleared: one identity unit, [wx, wr, b] = [0.5, 0.25, 0.125].
    /// From a zero state, x = 2 and y* = 1 give y = 1.125, P = [2, 0, 1] and
    /// g = 0.25 P = [0.5, 0, 0.25] exactly; with the old P or y(t-1) it would not.
    @Test func resetClearsSensitivities() throws {
        let net = try Network.fullyRecurrent(inputs: 1, units: 1, outputs: 1, activation: .identity)
        try net.setParameters([0.5, 0.25, 0.125])
        for x in [1.0, -2.0, 3.0] { try net.feed([x]); try net.accumulate([0]) }
        net.resetState()
        net.zeroGrad()
        try net.feed([2])
        #expect(net.output() == [1.125])
        #expect(try net.accumulate([1]) == 0.015625)
        #expect(net.gradient() == [0.5, 0, 0.25])
    }

    /// A reset keeps the weights (trainable and fixed), the gradient buffer, the
    /// optimizer state, the update_every count, the configuration and the step count:
    /// two applies on the reset network and on an untouched copy give the same bits.
    @Test(arguments: [OptimizerKind.sgd, .momentum, .adam])
    func resetKeepsWeightsBufferAndOptimizerState(_ kind: OptimizerKind) throws {
        let net = try Network.jordan(inputs: 2, hidden: 3, outputs: 2, mu: 0.6, seed: 5)
        try net.configure(TrainingConfiguration(optimizer: kind, learningRate: 0.02, updateEvery: 4))
        for t in 0..<10 { try net.step(behavInput(t, 2), target: behavTarget(t, 2)) }
        let untouched = net.copy()
        net.resetState()
        #expect(behavBits(net.parameters()) == behavBits(untouched.parameters()))
        for block in net.blocks {
            #expect(behavBits(try net.block(named: block.name)) == behavBits(try untouched.block(named: block.name)))
        }
        #expect(net.gradient().contains { $0 != 0 })
        #expect(behavBits(net.gradient()) == behavBits(untouched.gradient()))
        #expect(net.pendingLearnCalls == 2)
        #expect(net.pendingLearnCalls == untouched.pendingLearnCalls)
        #expect(net.stepCount == untouched.stepCount)
        #expect(net.configuration == untouched.configuration)
        // An update reads only the buffer and the optimizer state, not the network state.
        try net.apply(); try untouched.apply()
        #expect(behavBits(net.parameters()) == behavBits(untouched.parameters()))
        try net.apply(); try untouched.apply()   // a second one (zero buffer): moments and t
        #expect(behavBits(net.parameters()) == behavBits(untouched.parameters()))
    }
}

@Suite("step, output and teacher forcing")
struct StepTests {
    /// `step(x, target)` is feed + output + learn: the same predictions, losses and
    /// final learner, bit for bit, with updates every 2 learn calls.
    @Test(arguments: BehavStateNet.allCases)
    func stepIsFeedOutputLearn(_ which: BehavStateNet) throws {
        let a = try which.make()
        try a.configure(TrainingConfiguration(optimizer: .momentum, learningRate: 0.03, updateEvery: 2))
        let b = a.copy()
        for t in 0..<30 {
            let x = behavInput(t, 2), target = behavTarget(t, a.numOutputs, masking: true)
            let (y, loss) = try a.step(x, target: target)
            try b.feed(x)
            let yb = b.output()
            let lossB = try b.learn(target)
            #expect(behavBits(y) == behavBits(yb))
            #expect(loss?.bitPattern == lossB.bitPattern)
        }
        #expect(behavByteDifference(a.serialized(), b.serialized()) == nil)
    }

    /// The prediction `step` returns is made before learning: one identity unit
    /// ([0.5, 0.25, 0.125], sgd eta 0.5) predicts 1.125 for x = 2 although the update
    /// to [0.25, 0.25, 0] would make it 0.5.
    @Test func stepPredictsBeforeLearning() throws {
        let net = try Network.fullyRecurrent(inputs: 1, units: 1, outputs: 1, activation: .identity)
        try net.setParameters([0.5, 0.25, 0.125])
        try net.configure(TrainingConfiguration(optimizer: .sgd, learningRate: 0.5))
        let (y, loss) = try net.step([2], target: [1])
        #expect(y == [1.125])
        #expect(loss == 0.015625)
        #expect(net.parameters() == [0.25, 0.25, 0])
        #expect(net.output() == [1.125], "output() is still the forward prediction")
    }

    /// Without a target, `step` only feeds: no loss, no gradient, no count, no update.
    @Test func stepWithoutTargetDoesNotLearn() throws {
        let net = try Network.elman(inputs: 2, hidden: 3, outputs: 1, seed: 2)
        try net.configure(TrainingConfiguration(optimizer: .sgd, learningRate: 0.1, updateEvery: 3))
        try net.step(behavInput(0, 2), target: [0.5])
        let twin = net.copy()
        let p = net.parameters(), g = net.gradient()
        let (y, loss) = try net.step(behavInput(1, 2))
        #expect(loss == nil)
        try twin.feed(behavInput(1, 2))
        #expect(behavBits(y) == behavBits(twin.output()))
        #expect(behavBits(net.parameters()) == behavBits(p))
        #expect(behavBits(net.gradient()) == behavBits(g))
        #expect(net.pendingLearnCalls == 1)
        #expect(behavByteDifference(net.serialized(), twin.serialized()) == nil)
    }

    /// Teacher forcing, one identity unit [wx, wr, b] = [0.5, 0.5, 0.25]:
    ///
    ///     t = 1: x = 1, y1 = 0.75; target 2 -> a1 := 2, its P row := 0
    ///     t = 2: x = 2, y2 = 0.5*2 + 0.5*2 + 0.25 = 2.25, P2 = [x2, a1, 1] = [2, 2, 1];
    ///            target 2: dE/dy = 0.5, g = [1, 1, 0.5]
    ///
    /// (Without forcing: y2 = 1.625, P2 = [2.5, 0.75, 1.5], dE/dy = -0.75.)
    static func forcedUnit(_ forcing: Bool) throws -> Network {
        let net = try Network.fullyRecurrent(inputs: 1, units: 1, outputs: 1, activation: .identity)
        try net.setParameters([0.5, 0.5, 0.25])
        try net.configure(TrainingConfiguration(optimizer: .sgd, learningRate: 0, teacherForcing: forcing))
        return net
    }

    @Test func accumulateForcesTheTarget() throws {
        let net = try Self.forcedUnit(true)
        try net.feed([1])
        #expect(try net.accumulate([2]) == 1.5625)
        #expect(net.output() == [0.75], "output() returns the prediction, not the forced value")
        #expect(net.gradient() == [-2.5, 0, -2.5])
        net.zeroGrad()
        try net.feed([2])
        #expect(net.output() == [2.25])
        #expect(try net.accumulate([2]) == 0.0625)
        #expect(net.gradient() == [1, 1, 0.5])
    }

    @Test func learnForcesTheTarget() throws {
        let net = try Self.forcedUnit(true)
        try net.step([1], target: [2])
        #expect(net.output() == [0.75])
        let (y, _) = try net.step([2], target: [2])
        #expect(y == [2.25])
    }

    @Test func withoutForcingThePredictionIsFedBack() throws {
        let net = try Self.forcedUnit(false)
        try net.feed([1])
        try net.accumulate([2])
        net.zeroGrad()
        try net.feed([2])
        #expect(net.output() == [1.625])
        try net.accumulate([2])
        #expect(net.gradient() == [-1.875, -0.5625, -1.125])
    }

    /// A NaN target means no target: that unit is not forced.
    @Test func nanTargetIsNotForced() throws {
        let net = try Self.forcedUnit(true)
        try net.feed([1])
        #expect(try net.accumulate([.nan]) == 0)
        #expect(net.gradient() == [0, 0, 0])
        try net.feed([2])
        #expect(net.output() == [1.625])
    }

    /// Forcing is per unit: two identity units without inputs that swap their values,
    /// biases [0.5, 0.25]; target [3, NaN] forces unit 0 only.
    ///
    ///     t = 1: a = [0.5, 0.25] -> forced [3, 0.25];  t = 2: a = [0.25 + 0.5, 3 + 0.25]
    @Test func forcingIsPerUnit() throws {
        let net = try Network.fullyRecurrent(inputs: 0, units: 2, outputs: 2, activation: .identity)
        try net.setBlock(named: "units->units", [0, 1, 1, 0])
        try net.setBlock(named: "units.bias", [0.5, 0.25])
        try net.configure(TrainingConfiguration(learningRate: 0, teacherForcing: true))
        try net.feed([])
        #expect(net.output() == [0.5, 0.25])
        try net.learn([3, .nan])
        #expect(net.output() == [0.5, 0.25])
        try net.feed([])
        #expect(net.output() == [0.75, 3.25])
    }
}

@Suite("Step count")
struct StepCountTests {
    @Test func countsFedSamplesOnly() throws {
        let net = try Network.fullyRecurrent(inputs: 1, units: 2, outputs: 1, seed: 1)
        #expect(net.stepCount == 0)
        try net.feed([0.1])
        #expect(net.stepCount == 1)
        try net.learn([0.2])
        try net.accumulate([0.2])
        try net.apply()
        net.zeroGrad()
        #expect(net.stepCount == 1, "learning does not count")
        try net.step([0.3])
        try net.step([0.3], target: [0.1])
        #expect(net.stepCount == 3)
        net.resetState()
        #expect(net.stepCount == 3, "reset_state keeps the count")
        try net.configure(TrainingConfiguration())
        #expect(net.stepCount == 3)
        #expect(net.copy().stepCount == 3)
        #expect(try Network.deserialize(net.serialized()).stepCount == 3)
        behavExpectError(.invalidArgument, "not finite") { try net.feed([.nan]) }
        behavExpectError(.invalidArgument, "infinite") { try net.step([0.3], target: [.infinity]) }
        #expect(net.stepCount == 3, "a failed call does not count")
    }
}
