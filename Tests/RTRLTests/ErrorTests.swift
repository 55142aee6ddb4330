// Bad input: every case of shared/CONTRACT.md §1 ("Bad arguments") throws RTRLError
// .invalidArgument with a message that names the problem, and a failed call on a built
// network changes nothing (its whole saved form is the same before and after).

import Testing
import RTRL

/// A learner mid-run (momentum, a pending update_every count, a non-zero buffer and
/// state), so that a snapshot has something to lose.
fileprivate func busyNetwork() throws -> Network {
    let net = try Network.jordan(inputs: 2, hidden: 3, outputs: 2, mu: 0.5, seed: 50)
    try net.configure(TrainingConfiguration(optimizer: .momentum, learningRate: 0.05, updateEvery: 3))
    for t in 0..<7 { try net.step(behavInput(t, 2), target: behavTarget(t, 2)) }
    return net
}

/// Expects `body` to throw invalidArgument naming `fragment`, and `net` to be exactly as
/// before: the same saved bytes (weights, state, buffer, optimizer state, counters), the
/// same output.
fileprivate func expectRejected(
    _ net: Network, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) {
    let before = net.serialized(), output = net.output()
    behavExpectError(.invalidArgument, fragment, sourceLocation: sourceLocation, body)
    #expect(behavByteDifference(net.serialized(), before) == nil, "the failed call changed the network", sourceLocation: sourceLocation)
    #expect(behavBits(net.output()) == behavBits(output), sourceLocation: sourceLocation)
}

/// Expects `body` to throw invalidArgument naming `fragment` and to leave the builder as it was.
fileprivate func expectRejected(
    _ builder: inout NetworkBuilder, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: (inout NetworkBuilder) throws -> Void
) {
    let before = builder
    behavExpectError(.invalidArgument, fragment, sourceLocation: sourceLocation) { try body(&builder) }
    #expect(builder.inputs == before.inputs, sourceLocation: sourceLocation)
    #expect(builder.layers == before.layers, sourceLocation: sourceLocation)
    #expect(builder.connections == before.connections, sourceLocation: sourceLocation)
    #expect(builder.output?.layer == before.output?.layer, sourceLocation: sourceLocation)
    #expect(builder.output?.units == before.output?.units, sourceLocation: sourceLocation)
}

@Suite("Bad input on a built network changes nothing")
struct NetworkInputErrorTests {
    @Test func wrongInputLength() throws {
        let net = try busyNetwork()
        expectRejected(net, "x has 1 values, the network has 2 inputs") { try net.feed([1]) }
        expectRejected(net, "x has 3 values") { try net.feed([1, 2, 3]) }
        expectRejected(net, "x has 0 values") { try net.step([], target: [0, 0]) }
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func nonFiniteInput(_ bad: Double) throws {
        let net = try busyNetwork()
        expectRejected(net, "x[1] is not finite") { try net.feed([0.5, bad]) }
        expectRejected(net, "x[0] is not finite") { try net.step([bad, 0.5], target: [0, 0]) }
        expectRejected(net, "x[0] is not finite") { try net.step([bad, 0.5]) }
    }

    @Test(arguments: [Double.infinity, -.infinity])
    func infiniteTarget(_ bad: Double) throws {
        let net = try busyNetwork()
        expectRejected(net, "target[1] is infinite") { try net.learn([0.1, bad]) }
        expectRejected(net, "target[0] is infinite") { try net.accumulate([bad, 0.1]) }
    }

    /// `step` validates the target before it feeds: a bad target leaves even the
    /// activations and the step count as they were.
    @Test func stepWithBadTargetDoesNotFeed() throws {
        let net = try busyNetwork()
        let steps = net.stepCount
        expectRejected(net, "target[0] is infinite") { try net.step([0.1, 0.2], target: [.infinity, 0]) }
        expectRejected(net, "the target has 1 values, the network has 2 outputs") { try net.step([0.1, 0.2], target: [0]) }
        #expect(net.stepCount == steps)
    }

    /// NaN in a target is allowed: "no target for this unit"; all NaN learns nothing.
    @Test func nanTargetIsAllowed() throws {
        let net = try busyNetwork()
        try net.feed([0.1, 0.2])
        let g = net.gradient()
        #expect(try net.accumulate([.nan, .nan]) == 0)
        #expect(behavBits(net.gradient()) == behavBits(g))
        #expect(try net.learn([.nan, 0.3]) >= 0)
    }

    @Test func wrongTargetLength() throws {
        let net = try busyNetwork()
        expectRejected(net, "the target has 3 values, the network has 2 outputs") { try net.learn([0, 0, 0]) }
        expectRejected(net, "the target has 1 values") { try net.accumulate([0]) }
    }

    @Test func wrongBufferLengths() throws {
        let net = try busyNetwork()
        var short = [Double](repeating: 0, count: 1)
        expectRejected(net, "room for 1 values, 2 are needed") {
            try short.withUnsafeMutableBufferPointer { b throws(RTRLError) in try net.output(into: b) }
        }
        expectRejected(net, "room for 1 values") {
            try short.withUnsafeMutableBufferPointer { b throws(RTRLError) in try net.gradient(into: b) }
        }
        expectRejected(net, "room for 1 values") {
            try short.withUnsafeMutableBufferPointer { b throws(RTRLError) in try net.parameters(into: b) }
        }
        expectRejected(net, "room for 1 values") {
            try short.withUnsafeMutableBufferPointer { b throws(RTRLError) in try net.block(named: "input->hidden", into: b) }
        }
        let x: [Double] = [0.1, 0.2]
        expectRejected(net, "room for 1 values") {
            try x.withUnsafeBufferPointer { xb throws(RTRLError) in
                try short.withUnsafeMutableBufferPointer { yb throws(RTRLError) in
                    _ = try net.step(xb, target: nil, output: yb)
                }
            }
        }
    }

    @Test func unknownBlockName() throws {
        let net = try busyNetwork()
        expectRejected(net, "unknown block \"nope\"") { _ = try net.block(named: "nope") }
        expectRejected(net, "unknown block \"hidden->state\"") { try net.setBlock(named: "hidden->state", [0]) }
        expectRejected(net, "unknown block \"output->state\"") { _ = try net.blockInfo(named: "output->state") }
        expectRejected(net, "unknown block \"Input->hidden\"") { _ = try net.block(named: "Input->hidden") }
    }

    @Test func setParametersWrongLengthOrNonFinite() throws {
        let net = try busyNetwork()
        let p = net.parameters()
        expectRejected(net, "got \(p.count - 1) values, the network has \(p.count) parameters") {
            try net.setParameters(Array(p.dropLast()))
        }
        expectRejected(net, "got \(p.count + 1) values") { try net.setParameters(p + [0]) }
        for bad in [Double.nan, .infinity, -.infinity] {
            var q = p
            q[3] = bad
            expectRejected(net, "value [3] is not finite") { try net.setParameters(q) }
        }
    }

    /// A finite Double that a Float cannot hold would turn into an infinite weight.
    @Test func f32ValuesOutOfRange() throws {
        let net = try Network.elman(inputs: 1, hidden: 3, outputs: 1, seed: 1, precision: .f32)
        var p = net.parameters()
        p[2] = 1e300
        expectRejected(net, "set_params: value [2] (1e+300) is out of the range of an f32 network") { try net.setParameters(p) }
        expectRejected(net, "set_block: value [1] (-4e+38) is out of the range of an f32 network") {
            try net.setBlock(named: "input->hidden", [0, -4e38, 0])
        }
        p[2] = 3e38  // within Float's range
        try net.setParameters(p)
        #expect(net.parameters()[2] == Double(Float(3e38)))
        let wide = try Network.elman(inputs: 1, hidden: 3, outputs: 1, seed: 1)
        p[2] = 1e300
        try wide.setParameters(p)  // f64 holds it
        #expect(wide.parameters()[2] == 1e300)
    }

    @Test func setBlockWrongLengthOrNonFinite() throws {
        let net = try busyNetwork()
        expectRejected(net, "got 5 values, the block has 3 x 2 = 6") { try net.setBlock(named: "input->hidden", [0, 0, 0, 0, 0]) }
        expectRejected(net, "value [1] is not finite") { try net.setBlock(named: "state->state", [0.5, .nan]) }
        expectRejected(net, "value [0] is not finite") { try net.setBlock(named: "output.bias", [.infinity, 0]) }
    }

    @Test func crossEntropyWithoutSoftmax() throws {
        let net = try busyNetwork()
        let config = net.configuration
        expectRejected(net, "cross_entropy needs a softmax output layer") {
            try net.configure(TrainingConfiguration(loss: .crossEntropy))
        }
        #expect(net.configuration == config)
    }

    /// Each bad field of `configure` is named; the configuration and the optimizer state
    /// stay (the saved form is unchanged, so momentum's v survived too).
    @Test func badConfigureFields() throws {
        let net = try busyNetwork()
        let config = net.configuration
        func with(_ change: (inout TrainingConfiguration) -> Void) -> TrainingConfiguration {
            var c = TrainingConfiguration()
            change(&c)
            return c
        }
        let cases: [(String, TrainingConfiguration)] = [
            ("learning_rate must be finite and >= 0", with { $0.learningRate = -0.1 }),
            ("learning_rate must be finite and >= 0", with { $0.learningRate = .nan }),
            ("learning_rate must be finite and >= 0", with { $0.learningRate = .infinity }),
            ("momentum must be in [0, 1)", with { $0.momentum = 1 }),
            ("momentum must be in [0, 1)", with { $0.momentum = 1.5 }),
            ("momentum must be in [0, 1)", with { $0.momentum = -0.1 }),
            ("momentum must be in [0, 1)", with { $0.momentum = .nan }),
            ("beta1 must be in [0, 1)", with { $0.beta1 = 1 }),
            ("beta2 must be in [0, 1)", with { $0.beta2 = 1 }),
            ("beta2 must be in [0, 1)", with { $0.beta2 = -0.5 }),
            ("eps must be finite and > 0", with { $0.epsilon = 0 }),
            ("eps must be finite and > 0", with { $0.epsilon = .nan }),
            ("update_every must be >= 1", with { $0.updateEvery = 0 }),
            ("update_every must be >= 1", with { $0.updateEvery = -3 }),
            ("clip_norm must be finite and > 0", with { $0.clipNorm = 0 }),
            ("clip_norm must be finite and > 0", with { $0.clipNorm = -1 }),
            ("clip_norm must be finite and > 0", with { $0.clipNorm = .nan }),
            ("clip_norm must be finite and > 0", with { $0.clipNorm = .infinity }),
        ]
        for (fragment, bad) in cases {
            expectRejected(net, fragment) { try net.configure(bad) }
        }
        #expect(net.configuration == config)
    }

    @Test func jordanMuMustBeFinite() throws {
        behavExpectError(.invalidArgument, "mu must be finite") {
            _ = try Network.jordan(inputs: 1, hidden: 2, outputs: 1, mu: .nan)
        }
    }
}

@Suite("Bad architectures")
struct ArchitectureErrorTests {
    /// A builder with layers a, b (size 2) and c (size 3).
    static func builder() throws -> NetworkBuilder {
        var b = try NetworkBuilder(inputs: 2)
        try b.addLayer("a", size: 2)
        try b.addLayer("b", size: 2)
        try b.addLayer("c", size: 3)
        try b.connect(from: "input", to: "a")
        return b
    }

    @Test func delayZeroCycleIsRejected() throws {
        var two = try Self.builder()
        try two.connect(from: "a", to: "b")
        try two.connect(from: "b", to: "a")
        try two.setOutput(layer: "b")
        behavExpectError(.invalidArgument, "the delay-0 connections form a cycle") { _ = try two.build() }

        // Three layers, declared out of order.
        var three = try Self.builder()
        try three.connect(from: "c", to: "a")
        try three.connect(from: "b", to: "c")
        try three.connect(from: "a", to: "b")
        try three.setOutput(layer: "c")
        behavExpectError(.invalidArgument, "cycle") { _ = try three.build() }

        // The same cycle with one link delayed is fine.
        var delayed = try Self.builder()
        try delayed.connect(from: "c", to: "a", delay: 1)
        try delayed.connect(from: "b", to: "c")
        try delayed.connect(from: "a", to: "b")
        try delayed.setOutput(layer: "c")
        #expect(try delayed.build().evaluationOrder == ["a", "b", "c"])
    }

    @Test func delayZeroSelfLoopIsACycle() throws {
        for kind in [ConnectionKind.dense, .diagonal, .identity] {
            var b = try Self.builder()
            try b.connect(from: "a", to: "a", kind: kind)
            try b.setOutput(layer: "a")
            behavExpectError(.invalidArgument, "cycle") { _ = try b.build() }
        }
    }

    @Test func zeroSizeLayer() throws {
        var b = try Self.builder()
        expectRejected(&b, "has size 0") { try $0.addLayer("z", size: 0) }
        expectRejected(&b, "has size -1") { try $0.addLayer("z", size: -1) }
        behavExpectError(.invalidArgument, "has size 0") { _ = try Network.elman(inputs: 1, hidden: 0, outputs: 1) }
        behavExpectError(.invalidArgument, "has size 0") { _ = try Network.elman(inputs: 1, hidden: 2, outputs: 0) }
        behavExpectError(.invalidArgument, "has size 0") { _ = try Network.jordan(inputs: 1, hidden: 0, outputs: 1) }
        behavExpectError(.invalidArgument, "n_outputs must be in 1...n_units") {
            _ = try Network.fullyRecurrent(inputs: 1, units: 2, outputs: 0)
        }
        behavExpectError(.invalidArgument, "n_inputs") { _ = try NetworkBuilder(inputs: -1) }
        behavExpectError(.invalidArgument, "n_inputs") { _ = try Network.elman(inputs: -1, hidden: 2, outputs: 1) }
    }

    @Test func tooManyOutputs() throws {
        behavExpectError(.invalidArgument, "n_outputs must be in 1...n_units (2), got 3") {
            _ = try Network.fullyRecurrent(inputs: 1, units: 2, outputs: 3)
        }
        var b = try Self.builder()
        expectRejected(&b, "n_outputs = 3 exceeds the size 2 of layer \"a\"") { try $0.setOutput(layer: "a", units: [0, 1, 1]) }
        expectRejected(&b, "unit 2 is out of range for layer \"a\" of size 2") { try $0.setOutput(layer: "a", units: [2]) }
        expectRejected(&b, "unit -1 is out of range") { try $0.setOutput(layer: "a", units: [-1]) }
        expectRejected(&b, "empty") { try $0.setOutput(layer: "a", units: []) }
        expectRejected(&b, "unknown") { try $0.setOutput(layer: "nope") }
        expectRejected(&b, "unknown") { try $0.setOutput(layer: "input") }
    }

    @Test func duplicateOutputUnit() throws {
        var b = try Self.builder()
        expectRejected(&b, "unit 1 is listed twice") { try $0.setOutput(layer: "c", units: [1, 0, 1]) }
    }

    @Test func identityCannotBeTrainable() throws {
        var b = try Self.builder()
        expectRejected(&b, "an identity connection cannot be trainable") {
            try $0.connect(from: "a", to: "b", kind: .identity, trainable: true)
        }
        try b.connect(from: "a", to: "b", kind: .identity, trainable: false)
        try b.connect(from: "a", to: "b", kind: .identity)
    }

    @Test func diagonalAndIdentityNeedEqualSizes() throws {
        var b = try Self.builder()
        expectRejected(&b, "a diagonal connection needs equal sizes, got 2 -> 3") {
            try $0.connect(from: "a", to: "c", kind: .diagonal)
        }
        expectRejected(&b, "identity connection needs equal sizes, got 3 -> 2") {
            try $0.connect(from: "c", to: "b", kind: .identity)
        }
        expectRejected(&b, "needs equal sizes") { try $0.connect(from: "input", to: "c", delay: 1, kind: .diagonal) }
    }

    @Test func unknownLayersInConnect() throws {
        var b = try Self.builder()
        expectRejected(&b, "unknown source layer \"nope\"") { try $0.connect(from: "nope", to: "a") }
        expectRejected(&b, "unknown target layer \"nope\"") { try $0.connect(from: "a", to: "nope") }
        expectRejected(&b, "\"input\" cannot be the target of a connection") { try $0.connect(from: "a", to: "input") }
    }

    @Test func delayMustBeZeroOrOne() throws {
        var b = try Self.builder()
        expectRejected(&b, "delay must be 0 or 1, got 2") { try $0.connect(from: "a", to: "b", delay: 2) }
        expectRejected(&b, "delay must be 0 or 1, got -1") { try $0.connect(from: "a", to: "b", delay: -1) }
    }

    @Test func scaleMustBeFinite() throws {
        var b = try Self.builder()
        for bad in [Double.nan, .infinity, -.infinity] {
            expectRejected(&b, "scale must be finite") { try $0.connect(from: "a", to: "b", scale: bad) }
        }
    }

    @Test func duplicateLayerName() throws {
        var b = try Self.builder()
        expectRejected(&b, "a layer named \"b\" already exists") { try $0.addLayer("b", size: 4) }
    }

    @Test func badLayerNames() throws {
        var b = try Self.builder()
        expectRejected(&b, "1 to 128 bytes, got 0") { try $0.addLayer("", size: 1) }
        expectRejected(&b, "1 to 128 bytes, got 129") { try $0.addLayer(String(repeating: "x", count: 129), size: 1) }
        for bad in ["a.b", "a#2", "a->b", "a b", "tab\there", "new\nline", "bell\u{7}", "del\u{7f}", " "] {
            expectRejected(&b, "may not contain whitespace, control characters, '.', '#' or '>'") {
                try $0.addLayer(bad, size: 1)
            }
        }
        expectRejected(&b, "\"input\" is reserved") { try $0.addLayer("input", size: 1) }
        // Allowed: 128 bytes, non-ASCII letters, '-' alone.
        try b.addLayer(String(repeating: "y", count: 128), size: 1)
        try b.addLayer("état-1", size: 1)
    }

    @Test func incompleteBuilds() throws {
        behavExpectError(.invalidArgument, "no layers") { _ = try NetworkBuilder(inputs: 1).build() }
        let b = try Self.builder()
        behavExpectError(.invalidArgument, "no output set") { _ = try b.build() }
    }
}

@Suite("Extreme but valid values")
struct ExtremeValueTests {
    /// Huge finite inputs and targets, a huge learning rate and a tiny clip: no trap.
    /// With the divergence guard on, every failure is `diverged`, the parameters stay
    /// finite, and after a reset the network computes finite outputs again.
    @Test(arguments: [Activation.identity, .logistic, .tanh, .relu])
    func hugeValuesNeverTrap(_ activation: Activation) throws {
        let net = try Network.elman(inputs: 2, hidden: 3, outputs: 2, hiddenActivation: activation,
                                    outputActivation: activation, seed: 1)
        try net.configure(TrainingConfiguration(optimizer: .adam, learningRate: 1e300, clipNorm: 1e-300))
        var otherErrors: [String] = []
        for t in 0..<20 {
            do {
                try net.step([t % 2 == 0 ? 1e308 : -1e308, .greatestFiniteMagnitude],
                             target: [1e308, -.leastNonzeroMagnitude])
            } catch where error.code == .diverged {
                continue
            } catch {
                otherErrors.append("\(error)")
            }
        }
        #expect(otherErrors.isEmpty, "\(otherErrors)")
        #expect(net.refusedUpdates > 0)
        #expect(net.parameters().allSatisfy { $0.isFinite })
        let restored = try Network.deserialize(net.serialized())
        #expect(restored.refusedUpdates == net.refusedUpdates)
        net.resetState()
        try net.step([0.5, -0.5], target: [0, 0])
        #expect(net.output().allSatisfy { $0.isFinite })
    }
}
