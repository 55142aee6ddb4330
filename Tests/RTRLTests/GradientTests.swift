#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
import RTRL

// The gradient-correctness suite: the engine's accumulated RTRL gradient against an
// independent BPTT (ReferenceNetwork) on every preset and on random graphs, with and
// without teacher forcing, for mse and cross_entropy, in f64 and f32; central finite
// differences of the engine's own loss; the forward pass step by step.

// MARK: - Helpers

/// ||a - b||_inf / max(||b||_inf, tiny).
fileprivate func gradRelativeError(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count)
    var diff = 0.0, norm = 0.0
    for i in a.indices {
        diff = max(diff, abs(a[i] - b[i]))
        norm = max(norm, abs(b[i]))
    }
    return diff / max(norm, Double.leastNormalMagnitude)
}

fileprivate func gradInfNorm(_ a: [Double]) -> Double { a.reduce(0) { max($0, abs($1)) } }

/// What the engine produces over one sequence with updates off.
fileprivate struct GradEngineRun {
    var outputs: [[Double]]
    var losses: [Double]
    var gradient: [Double]
}

/// Runs `net` from the zero state over `seq` with `accumulate` only (no updates) and
/// returns y(t) per step (read right after `feed`), E(t) per step and the buffer.
fileprivate func gradRunEngine(_ net: Network, _ seq: RandomSequence) throws -> GradEngineRun {
    net.resetState()
    net.zeroGrad()
    var outputs: [[Double]] = []
    var losses = [Double](repeating: 0, count: seq.inputs.count)
    for t in seq.inputs.indices {
        try net.feed(seq.inputs[t])
        outputs.append(net.output())
        if let y = seq.targets[t] { losses[t] = try net.accumulate(y) }
    }
    return GradEngineRun(outputs: outputs, losses: losses, gradient: net.gradient())
}

/// E = sum_t E(t) of the engine with parameters `theta` (no updates), from the zero state.
fileprivate func gradEngineTotalLoss(_ net: Network, _ theta: [Double], _ seq: RandomSequence) throws -> Double {
    try net.setParameters(theta)
    net.resetState()
    var e = 0.0
    for t in seq.inputs.indices {
        try net.feed(seq.inputs[t])
        if let y = seq.targets[t] { e += try net.accumulate(y) }
    }
    return e
}

fileprivate func gradConfigure(_ net: Network, loss: LossFunction, teacherForcing: Bool) throws {
    var c = TrainingConfiguration()
    c.loss = loss
    c.teacherForcing = teacherForcing
    try net.configure(c)
}

/// A preset network to test, with the loss it is tested under.
fileprivate struct GradPresetCase: CustomStringConvertible, Sendable {
    let description: String
    let loss: LossFunction
    let make: @Sendable (Precision) throws -> Network
}

/// Every preset, with several activation choices (mse cases; softmax outputs included).
fileprivate let gradMSEPresets: [GradPresetCase] = {
    var cases: [GradPresetCase] = []
    for phi in Activation.allCases {
        cases.append(GradPresetCase(description: "fully_recurrent(2,4,2,\(phi.rawValue))", loss: .mse) {
            try Network.fullyRecurrent(inputs: 2, units: 4, outputs: 2, activation: phi, seed: 11, precision: $0)
        })
    }
    cases.append(GradPresetCase(description: "fully_recurrent(0,3,1,tanh)", loss: .mse) {
        try Network.fullyRecurrent(inputs: 0, units: 3, outputs: 1, activation: .tanh, seed: 12, precision: $0)
    })
    let pairs: [(Activation, Activation)] = [
        (.tanh, .identity), (.logistic, .logistic), (.relu, .identity), (.softmax, .tanh),
        (.tanh, .softmax), (.identity, .relu),
    ]
    for (h, o) in pairs {
        cases.append(GradPresetCase(description: "elman(2,4,3,\(h.rawValue),\(o.rawValue))", loss: .mse) {
            try Network.elman(inputs: 2, hidden: 4, outputs: 3, hiddenActivation: h, outputActivation: o,
                              seed: 13, precision: $0)
        })
    }
    for (mu, h, o) in [(0.5, Activation.tanh, Activation.identity), (-0.3, .logistic, .tanh),
                       (0.9, .relu, .logistic), (0.5, .softmax, .softmax)] {
        cases.append(GradPresetCase(description: "jordan(2,3,2,mu \(mu),\(h.rawValue),\(o.rawValue))", loss: .mse) {
            try Network.jordan(inputs: 2, hidden: 3, outputs: 2, mu: mu, hiddenActivation: h,
                               outputActivation: o, seed: 14, precision: $0)
        })
    }
    return cases
}()

/// Presets with a softmax output layer under cross_entropy (an output subset included).
fileprivate let gradCrossEntropyPresets: [GradPresetCase] = [
    GradPresetCase(description: "fully_recurrent(2,4,2,softmax) subset", loss: .crossEntropy) {
        try Network.fullyRecurrent(inputs: 2, units: 4, outputs: 2, activation: .softmax, seed: 21, precision: $0)
    },
    GradPresetCase(description: "elman(2,4,3,tanh,softmax)", loss: .crossEntropy) {
        try Network.elman(inputs: 2, hidden: 4, outputs: 3, outputActivation: .softmax, seed: 22, precision: $0)
    },
    GradPresetCase(description: "jordan(2,3,3,mu 0.5,logistic,softmax)", loss: .crossEntropy) {
        try Network.jordan(inputs: 2, hidden: 3, outputs: 3, mu: 0.5, hiddenActivation: .logistic,
                           outputActivation: .softmax, seed: 23, precision: $0)
    },
]

/// The random sequence a test case runs: targets in [0, 1] for cross_entropy.
fileprivate func gradSequence(_ net: Network, seed: UInt64, steps: Int, loss: LossFunction,
                              float32Exact: Bool = false) -> RandomSequence {
    RandomSequence(seed: seed, steps: steps, inputs: net.numInputs, outputs: net.numOutputs,
                   targetRange: loss == .crossEntropy ? 0...1 : -1...1, float32Exact: float32Exact)
}

/// The number of random graphs each random-graph test runs.
fileprivate let gradGraphCount: UInt64 = 60
/// Steps of every RTRL-versus-BPTT comparison.
fileprivate let gradSteps = 60
/// The tolerance of RTRL versus BPTT in f64.
fileprivate let gradTolerance = 1e-9

/// The worst discrepancies seen over a set of comparisons.
fileprivate struct GradWorst: CustomStringConvertible {
    /// ||g_rtrl - g_bptt||_inf / ||g_bptt||_inf.
    var gradient = 0.0
    /// max |y_engine(t) - y_reference(t)| over steps and units.
    var output = 0.0

    mutating func add(_ other: GradWorst) {
        gradient = max(gradient, other.gradient)
        output = max(output, other.output)
    }

    var description: String { "gradient relative error \(gradient), output difference \(output)" }
}

/// Compares the engine with the reference over one sequence: forward outputs and losses
/// at every step (to 1e-12) and the accumulated gradient (relative error < gradTolerance).
fileprivate func gradCompare(_ net: Network, _ seq: RandomSequence, loss: LossFunction, teacherForcing: Bool,
                             _ label: String) throws -> GradWorst {
    try gradConfigure(net, loss: loss, teacherForcing: teacherForcing)
    let theta0 = net.parameters()
    let ref = try ReferenceNetwork(net)
    let expected = ref.run(inputs: seq.inputs, targets: seq.targets, loss: loss, teacherForcing: teacherForcing)
    let got = try gradRunEngine(net, seq)
    #expect(net.parameters() == theta0, "\(label): accumulate changed the parameters")
    var worst = GradWorst()
    for t in seq.inputs.indices {
        for k in got.outputs[t].indices {
            let want = expected.outputs[t][k]
            worst.output = max(worst.output, abs(got.outputs[t][k] - want))
            #expect(abs(got.outputs[t][k] - want) <= 1e-12 * max(1, abs(want)),
                    "\(label): y_\(k)(\(t + 1)) = \(got.outputs[t][k]), reference \(want)")
        }
        #expect(abs(got.losses[t] - expected.losses[t]) <= 1e-12 * max(1, abs(expected.losses[t])),
                "\(label): E(\(t + 1)) = \(got.losses[t]), reference \(expected.losses[t])")
    }
    #expect(gradInfNorm(expected.gradient) > 0, "\(label): the reference gradient is 0 (a test that cannot fail)")
    worst.gradient = gradRelativeError(got.gradient, expected.gradient)
    #expect(worst.gradient < gradTolerance,
            "\(label): RTRL vs BPTT relative error \(worst.gradient) (largest |a| \(expected.largestActivation))")
    return worst
}

/// The gradient-correctness suite (run with `swift test --filter Gradient`).
@Suite("Gradient correctness") struct GradientTests {
    // MARK: - The reference itself

    /// The oracle is checked on its own: its BPTT gradient against central differences of its
    /// own forward loss, on random graphs (with and without teacher forcing, mse and
    /// cross_entropy). This does not involve the engine's gradient at all.
    @Test func referenceBPTTMatchesItsOwnFiniteDifferences() throws {
        var worst = 0.0
        for seed in 0..<UInt64(12) {
            for (loss, tf) in [(LossFunction.mse, false), (.mse, true), (.crossEntropy, false), (.crossEntropy, true)] {
                let opts = RandomGraphs.Options(allowRelu: false, softmaxOutput: loss == .crossEntropy)
                let graph = try RandomGraphs.make(seed: 1000 + seed, options: opts)
                let ref = try ReferenceNetwork(try graph.build())
                let seq = RandomSequence(seed: seed, steps: 20, inputs: ref.numInputs, outputs: ref.outputUnits.count,
                                         targetRange: loss == .crossEntropy ? 0...1 : -1...1)
                let g = ref.run(inputs: seq.inputs, targets: seq.targets, loss: loss, teacherForcing: tf).gradient
                let theta = ref.parameters
                let h = 1e-5
                var fd = [Double](repeating: 0, count: theta.count)
                for i in theta.indices {
                    var plus = theta, minus = theta
                    plus[i] += h
                    minus[i] -= h
                    let ep = ref.withParameters(plus).run(inputs: seq.inputs, targets: seq.targets, loss: loss, teacherForcing: tf).totalLoss
                    let em = ref.withParameters(minus).run(inputs: seq.inputs, targets: seq.targets, loss: loss, teacherForcing: tf).totalLoss
                    fd[i] = (ep - em) / (2 * h)
                }
                let err = gradRelativeError(g, fd)
                worst = max(worst, err)
                #expect(err < 1e-6, "\(graph) loss \(loss) tf \(tf): reference BPTT vs FD \(err)")
            }
        }
        print("reference BPTT vs its own FD: worst relative error \(worst)")
    }

    /// The reference's flat layout (trainable blocks concatenated in paramBlocks order) is the
    /// engine's: every block's reported offset is the running sum, and every listed block is
    /// a bias or a non-empty, non-identity connection.
    @Test func parameterLayoutIsTheConcatenationOfParamBlocks() throws {
        for seed in 0..<gradGraphCount {
            let graph = try RandomGraphs.make(seed: seed)
            let net = try graph.build()
            var offset = 0
            for b in net.paramBlocks {
                #expect(b.offset == offset, "\(graph): block \(b.name) at \(String(describing: b.offset)), expected \(offset)")
                offset += b.count
            }
            #expect(offset == net.numParams, "\(graph)")
            let biases = net.layers.filter(\.bias).count
            let connections = net.connections.filter { c in
                let from = c.from == inputLayerName ? net.numInputs : net.layers.first { $0.name == c.from }!.size
                return c.kind != .identity && from > 0
            }.count
            #expect(net.blocks.count == biases + connections, "\(graph): blocks \(net.blocks.map(\.name))")
            _ = try ReferenceNetwork(net)   // every expected block name exists
        }
    }

    /// The random-graph corpus really covers what the issue lists.
    @Test func randomGraphCorpusCoversEveryFeature() throws {
        var seen: [String: Int] = [:]
        func mark(_ feature: String, _ present: Bool) { if present { seen[feature, default: 0] += 1 } }
        for seed in 0..<gradGraphCount {
            for opts in [RandomGraphs.Options(), RandomGraphs.Options(allowRelu: true, softmaxOutput: true)] {
                let net = try RandomGraphs.make(seed: seed, options: opts).build()
                let created = Dictionary(uniqueKeysWithValues: net.layers.enumerated().map { ($1.name, $0) })
                let cs = net.connections
                mark("delay-0 chain out of creation order", cs.contains {
                    $0.delay == 0 && $0.from != inputLayerName && created[$0.from]! > created[$0.to]!
                })
                mark("delay-1 self-loop", cs.contains { $0.delay == 1 && $0.from == $0.to })
                mark("delay-1 cycle between two layers", cs.contains { c in
                    c.delay == 1 && c.from != c.to && c.from != inputLayerName
                        && cs.contains { $0.from == c.to && $0.to == c.from }
                })
                mark("diagonal trainable", cs.contains { $0.kind == .diagonal && $0.trainable })
                mark("diagonal fixed", cs.contains { $0.kind == .diagonal && !$0.trainable })
                mark("identity with scale != 1", cs.contains { $0.kind == .identity && $0.scale != 1 })
                mark("fixed dense", cs.contains { $0.kind == .dense && !$0.trainable })
                mark("delay-1 input connection", cs.contains { $0.from == inputLayerName && $0.delay == 1 })
                mark("#2 block", net.blocks.contains { $0.name.hasSuffix("#2") })
                mark("#3 block", net.blocks.contains { $0.name.hasSuffix("#3") })
                let outSize = net.layers.first { $0.name == net.outputLayer }!.size
                mark("output subset", net.outputUnits.count < outSize)
                mark("output units out of order", net.outputUnits != net.outputUnits.sorted())
                mark("layer without bias", net.layers.contains { !$0.bias })
                mark("n_inputs = 0", net.numInputs == 0)
                // The engine's own schedules (CONTRACT leaves them free; they must all be hit):
                // a layer that keeps no sensitivity matrix, one that keeps it over a subset
                // of the parameters, and an output layer reached by a within-step product.
                let columns = net.sensitivityColumns
                let keepsNone = { (name: String) in columns[name] == 0 }
                mark("output layer keeps no P", net.numParams > 0 && keepsNone(net.outputLayer))
                mark("P over a subset of the parameters", columns.values.contains { $0 > 0 && $0 < net.numParams })
                mark("layer without P reads a delay-1 source with P", cs.contains {
                    $0.delay == 1 && $0.from != inputLayerName && keepsNone($0.to) && columns[$0.from]! > 0
                })
                let activation = { (name: String) in net.layers.first { $0.name == name }!.activation }
                for kind in [ConnectionKind.diagonal, .identity] {
                    mark("\(kind.rawValue) into softmax", cs.contains { $0.kind == kind && activation($0.to) == .softmax })
                    mark("\(kind.rawValue) into a layer without P", cs.contains { $0.kind == kind && keepsNone($0.to) })
                }
                mark("two chained layers without P", cs.contains {
                    $0.delay == 0 && $0.from != inputLayerName && keepsNone($0.from) && keepsNone($0.to)
                })
                for phi in Activation.allCases {
                    mark("hidden \(phi.rawValue)", net.layers.contains { $0.activation == phi && $0.name != net.outputLayer })
                    mark("output \(phi.rawValue)", net.layers.contains { $0.activation == phi && $0.name == net.outputLayer })
                }
            }
        }
        let features = ["delay-0 chain out of creation order", "delay-1 self-loop", "delay-1 cycle between two layers",
                        "diagonal trainable", "diagonal fixed", "identity with scale != 1", "fixed dense",
                        "delay-1 input connection", "#2 block", "#3 block", "output subset",
                        "output units out of order", "layer without bias", "n_inputs = 0",
                        "output layer keeps no P", "P over a subset of the parameters",
                        "layer without P reads a delay-1 source with P", "two chained layers without P",
                        "diagonal into softmax", "identity into softmax",
                        "diagonal into a layer without P", "identity into a layer without P"]
            + Activation.allCases.flatMap { ["hidden \($0.rawValue)", "output \($0.rawValue)"] }
        for f in features {
            #expect(seen[f, default: 0] >= 2, "the random graphs cover \"\(f)\" \(seen[f, default: 0]) times")
        }
        print("random graph coverage (of \(2 * gradGraphCount)): " + features.map { "\($0): \(seen[$0, default: 0])" }.joined(separator: "; "))
    }

    // MARK: - RTRL equals BPTT (f64)

    @Test func rtrlEqualsBPTTOnEveryPreset() throws {
        var worst = GradWorst()
        for (i, c) in gradMSEPresets.enumerated() {
            let net = try c.make(.f64)
            let seq = gradSequence(net, seed: UInt64(100 + i), steps: gradSteps, loss: .mse)
            worst.add(try gradCompare(net, seq, loss: .mse, teacherForcing: false, c.description))
        }
        print("RTRL vs BPTT, presets, mse: worst \(worst)")
    }

    @Test func rtrlEqualsBPTTOnRandomGraphs() throws {
        var worst = GradWorst()
        for seed in 0..<gradGraphCount {
            let graph = try RandomGraphs.make(seed: seed)
            let net = try graph.build()
            let seq = gradSequence(net, seed: seed, steps: gradSteps, loss: .mse)
            worst.add(try gradCompare(net, seq, loss: .mse, teacherForcing: false, graph.description))
        }
        print("RTRL vs BPTT, \(gradGraphCount) random graphs, mse: worst \(worst)")
    }

    // MARK: - Teacher forcing: RTRL equals BPTT of the forced unroll

    @Test func teacherForcedRTRLEqualsForcedUnrollOnEveryPreset() throws {
        var worst = GradWorst()
        for (i, c) in (gradMSEPresets + gradCrossEntropyPresets).enumerated() {
            let net = try c.make(.f64)
            let seq = gradSequence(net, seed: UInt64(200 + i), steps: gradSteps, loss: c.loss)
            worst.add(try gradCompare(net, seq, loss: c.loss, teacherForcing: true, c.description))
        }
        print("RTRL vs forced-unroll BPTT, presets: worst \(worst)")
    }

    @Test func teacherForcedRTRLEqualsForcedUnrollOnRandomGraphs() throws {
        var worst = GradWorst()
        for seed in 0..<gradGraphCount {
            let graph = try RandomGraphs.make(seed: 300 + seed)
            let net = try graph.build()
            let seq = gradSequence(net, seed: seed, steps: gradSteps, loss: .mse)
            worst.add(try gradCompare(net, seq, loss: .mse, teacherForcing: true, graph.description))
        }
        print("RTRL vs forced-unroll BPTT, \(gradGraphCount) random graphs: worst \(worst)")
    }

    /// Teacher forcing really changes the run when an output feeds back (so the forced
    /// comparisons above test something): the forced and free gradients differ.
    @Test func teacherForcingChangesTheGradientOfAFedBackOutput() throws {
        let net = try Network.fullyRecurrent(inputs: 1, units: 3, outputs: 2, seed: 5)
        let seq = gradSequence(net, seed: 9, steps: 20, loss: .mse)
        try gradConfigure(net, loss: .mse, teacherForcing: false)
        let free = try gradRunEngine(net, seq)
        try gradConfigure(net, loss: .mse, teacherForcing: true)
        let forced = try gradRunEngine(net, seq)
        #expect(gradRelativeError(forced.gradient, free.gradient) > 1e-3)
        #expect(free.outputs[0] == forced.outputs[0])
        #expect(free.outputs[5] != forced.outputs[5])
    }

    // MARK: - cross_entropy on softmax outputs

    @Test func crossEntropyRTRLEqualsBPTTOnSoftmaxPresets() throws {
        var worst = GradWorst()
        for (i, c) in gradCrossEntropyPresets.enumerated() {
            let net = try c.make(.f64)
            let seq = gradSequence(net, seed: UInt64(400 + i), steps: gradSteps, loss: .crossEntropy)
            worst.add(try gradCompare(net, seq, loss: .crossEntropy, teacherForcing: false, c.description))
        }
        print("RTRL vs BPTT, cross_entropy presets: worst \(worst)")
    }

    @Test func crossEntropyRTRLEqualsBPTTOnRandomSoftmaxGraphs() throws {
        var worst = GradWorst()
        var subsets = 0
        for seed in 0..<gradGraphCount {
            let graph = try RandomGraphs.make(seed: 500 + seed, options: .init(allowRelu: true, softmaxOutput: true))
            let net = try graph.build()
            if net.outputUnits.count < net.layers.first(where: { $0.name == net.outputLayer })!.size { subsets += 1 }
            let seq = gradSequence(net, seed: seed, steps: gradSteps, loss: .crossEntropy)
            worst.add(try gradCompare(net, seq, loss: .crossEntropy, teacherForcing: seed % 2 == 1, graph.description))
        }
        #expect(subsets >= 10, "only \(subsets) softmax graphs with an output subset")
        print("RTRL vs BPTT, \(gradGraphCount) random softmax graphs, cross_entropy: worst \(worst)")
    }

    /// cross_entropy follows its formula literally: targets that do not sum to 1, on a subset.
    @Test func crossEntropyIsLiteralForUnnormalisedTargets() throws {
        let net = try Network.fullyRecurrent(inputs: 1, units: 3, outputs: 2, activation: .softmax, seed: 3)
        try gradConfigure(net, loss: .crossEntropy, teacherForcing: false)
        try net.feed([0.5])
        let y = net.output()
        let loss = try net.accumulate([2.0, 0.25])
        let want = -2.0 * log(y[0]) - 0.25 * log(y[1])
        #expect(abs(loss - want) <= 1e-14 * abs(want), "E = \(loss), expected \(want)")
    }

    /// log y_k is taken of max(y_k, the smallest normal double): an output that underflows
    /// to 0 gives the finite E = -y* log(tiny) and passes no gradient through that unit.
    @Test func crossEntropyClampsUnderflowedOutputs() throws {
        let net = try Network.elman(inputs: 1, hidden: 2, outputs: 3, outputActivation: .softmax, seed: 2)
        try gradConfigure(net, loss: .crossEntropy, teacherForcing: false)
        try net.setBlock(named: "output.bias", [800, 0, 0])
        try net.feed([0.3])
        let y = net.output()
        #expect(y[1] == 0 && y[2] == 0, "exp(-800) should underflow: \(y)")
        let e = try net.accumulate([0.5, 1, .nan])
        let want = -0.5 * log(y[0]) - log(Double.leastNormalMagnitude)
        #expect(abs(e - want) <= 1e-15 * want, "E = \(e), expected \(want)")
        let ref = try ReferenceNetwork(net).run(inputs: [[0.3]], targets: [[0.5, 1, .nan]], loss: .crossEntropy)
        let g = net.gradient()
        let finite = g.allSatisfy { $0.isFinite }
        #expect(finite, "gradient \(g)")
        // y = (1, 0, 0) exactly, so the softmax Jacobian is 0 and so is the whole gradient.
        #expect(g == ref.gradient, "gradient \(g), reference \(ref.gradient)")
    }

    // MARK: - NaN-masked targets

    /// A unit whose target is NaN contributes nothing: the gradient equals that of a run
    /// whose target for the unit is its own prediction (zero error), step by step.
    @Test func nanMaskedTargetsContributeNothing() throws {
        for c in gradMSEPresets.prefix(8) {
            let a = try c.make(.f64), b = try c.make(.f64)
            let seq = gradSequence(a, seed: 77, steps: 40, loss: .mse)
            var masked = 0
            for t in seq.inputs.indices {
                try a.feed(seq.inputs[t])
                try b.feed(seq.inputs[t])
                guard let y = seq.targets[t] else { continue }
                let prediction = b.output()
                let filled = y.indices.map { y[$0].isNaN ? prediction[$0] : y[$0] }
                masked += y.filter(\.isNaN).count
                let la = try a.accumulate(y), lb = try b.accumulate(filled)
                #expect(abs(la - lb) <= 1e-15 * max(1, la), "\(c): E(\(t + 1)) \(la) vs \(lb)")
            }
            #expect(masked > 5)
            #expect(gradRelativeError(a.gradient(), b.gradient()) <= 1e-13, "\(c)")
        }
    }

    /// Steps whose targets are all NaN add nothing; a run of only such steps has E = 0 and a
    /// zero gradient.
    @Test func allNaNTargetsGiveZeroLossAndGradient() throws {
        let net = try Network.elman(inputs: 2, hidden: 3, outputs: 2, seed: 1)
        for t in 0..<10 {
            try net.feed([Double(t) * 0.1, -0.3])
            #expect(try net.accumulate([.nan, .nan]) == 0)
        }
        #expect(net.gradient().allSatisfy { $0 == 0 })
    }

    /// Theta(t) changing from step to step, with the exact pattern spelled out: every unit
    /// masked on some steps and targeted on others, against the reference.
    @Test func changingTargetMasksMatchBPTT() throws {
        let net = try Network.elman(inputs: 1, hidden: 3, outputs: 3, seed: 8)
        var seq = gradSequence(net, seed: 4, steps: gradSteps, loss: .mse)
        for t in seq.inputs.indices {
            let pattern = t % 4   // 0: all, 1: only unit 0, 2: units 1 and 2, 3: none
            seq.targets[t] = (0..<3).map { k in
                let on = pattern == 0 || (pattern == 1 && k == 0) || (pattern == 2 && k > 0)
                return on ? 0.5 * Double(k) - 0.4 + 0.01 * Double(t) : .nan
            }
        }
        for tf in [false, true] {
            _ = try gradCompare(net, seq, loss: .mse, teacherForcing: tf, "elman masks tf \(tf)")
        }
    }

    // MARK: - Finite differences through the engine

    /// Central differences of E = sum_t E(t) computed by the engine itself (setParameters,
    /// accumulate over the sequence, sum of the returned losses) against the engine's
    /// accumulated gradient, on every preset (every parameter; relu presets excluded: kinks)
    /// and on random smooth graphs (a seeded sample of parameters), with and without
    /// teacher forcing, for mse and cross_entropy.
    @Test func finiteDifferencesAgreeWithTheGradient() throws {
        let h = 1e-5
        let tolerance = 1e-6
        var worst = 0.0
        func check(_ net: Network, _ label: String, loss: LossFunction, tf: Bool, seed: UInt64, sample: Int?) throws {
            try gradConfigure(net, loss: loss, teacherForcing: tf)
            let seq = gradSequence(net, seed: seed, steps: 25, loss: loss)
            let g = try gradRunEngine(net, seq).gradient
            let theta = net.parameters()
            var indices = Array(theta.indices)
            if let sample, sample < indices.count {
                // A seeded sample, mostly of parameters the loss depends on (by the reference's
                // gradient, not the engine's), plus two it does not depend on.
                let bptt = try ReferenceNetwork(net).run(inputs: seq.inputs, targets: seq.targets, loss: loss,
                                                        teacherForcing: tf).gradient
                var rng = GradientTestRNG(seed: seed)
                let live = rng.shuffled(indices.filter { bptt[$0] != 0 })
                let dead = rng.shuffled(indices.filter { bptt[$0] == 0 })
                indices = Array(live.prefix(sample - min(2, dead.count))) + Array(dead.prefix(2))
            }
            var fd: [Double] = [], gi: [Double] = []
            for i in indices {
                var plus = theta, minus = theta
                plus[i] += h
                minus[i] -= h
                let ep = try gradEngineTotalLoss(net, plus, seq), em = try gradEngineTotalLoss(net, minus, seq)
                fd.append((ep - em) / (2 * h))
                gi.append(g[i])
            }
            try net.setParameters(theta)
            let err = gradRelativeError(gi, fd)
            worst = max(worst, err)
            #expect(gradInfNorm(fd) > 0, "\(label): zero gradient")
            #expect(err < tolerance, "\(label) (loss \(loss), teacher forcing \(tf)): FD vs gradient \(err)")
        }
        for (i, c) in gradMSEPresets.enumerated() where !c.description.contains("relu") {
            try check(try c.make(.f64), c.description, loss: .mse, tf: i % 2 == 1, seed: UInt64(600 + i), sample: nil)
        }
        for (i, c) in gradCrossEntropyPresets.enumerated() {
            try check(try c.make(.f64), c.description, loss: .crossEntropy, tf: i == 1, seed: UInt64(650 + i), sample: nil)
        }
        for seed in 0..<UInt64(16) {
            let ce = seed % 4 == 3
            let graph = try RandomGraphs.make(seed: 700 + seed, options: .init(allowRelu: false, softmaxOutput: ce))
            try check(try graph.build(), graph.description, loss: ce ? .crossEntropy : .mse, tf: seed % 3 == 1,
                      seed: seed, sample: 10)
        }
        print("finite differences (h = \(h)) vs engine gradient: worst relative error \(worst)")
    }

    // MARK: - Precision.f32

    /// The f32 engine's accumulated gradient against the f64 reference run with the f32
    /// network's own weights (inputs and targets exactly representable in Float), on small
    /// well-conditioned networks over 50 steps.
    @Test func float32RTRLMatchesBPTT() throws {
        let tolerance = 1e-4
        var worst = 0.0, worstOutput = 0.0
        var cases: [(String, Network, LossFunction)] = [
            ("fully_recurrent(2,3,2) f32", try Network.fullyRecurrent(inputs: 2, units: 3, outputs: 2, seed: 31, precision: .f32), .mse),
            ("elman(2,3,2) f32", try Network.elman(inputs: 2, hidden: 3, outputs: 2, seed: 32, precision: .f32), .mse),
            ("elman(2,3,3,logistic,softmax) f32", try Network.elman(inputs: 2, hidden: 3, outputs: 3, hiddenActivation: .logistic,
                                                                   outputActivation: .softmax, seed: 33, precision: .f32), .crossEntropy),
            ("jordan(2,3,2) f32", try Network.jordan(inputs: 2, hidden: 3, outputs: 2, mu: 0.5, seed: 34, precision: .f32), .mse),
        ]
        for seed in 0..<UInt64(8) {
            let graph = try RandomGraphs.make(seed: 800 + seed, options: .init(allowRelu: false))
            cases.append((graph.description + " f32", try graph.build(precision: .f32), .mse))
        }
        for (label, net, loss) in cases {
            #expect(net.precision == .f32)
            try gradConfigure(net, loss: loss, teacherForcing: false)
            let seq = gradSequence(net, seed: 90, steps: 50, loss: loss, float32Exact: true)
            let expected = try ReferenceNetwork(net).run(inputs: seq.inputs, targets: seq.targets, loss: loss)
            let got = try gradRunEngine(net, seq)
            for t in seq.inputs.indices {
                worstOutput = max(worstOutput, gradRelativeError(got.outputs[t], expected.outputs[t]))
            }
            let err = gradRelativeError(got.gradient, expected.gradient)
            worst = max(worst, err)
            #expect(err < tolerance, "\(label): f32 RTRL vs f64 BPTT relative error \(err)")
        }
        #expect(worstOutput < 1e-5, "f32 outputs vs f64 reference: \(worstOutput)")
        // And the network really computes in Float (f64 arithmetic would agree to ~1e-15).
        #expect(worst > 1e-10 && worstOutput > 1e-10, "f32 results agree with f64 to \(worst), \(worstOutput)")
        print("f32 RTRL vs f64 BPTT: worst gradient relative error \(worst), worst output relative error \(worstOutput)")
    }

    // MARK: - relu'(0)

    /// relu'(0) = 0: a relu unit whose z is exactly 0 passes no gradient back.
    @Test func reluDerivativeAtZeroIsZero() throws {
        var b = try NetworkBuilder(inputs: 2)
        try b.addLayer("h", size: 1, activation: .relu, bias: false)
        try b.addLayer("o", size: 1, activation: .identity, bias: true)
        try b.connect(from: "o", to: "h", delay: 1, kind: .dense, trainable: false)
        try b.connect(from: inputLayerName, to: "h")
        try b.connect(from: "h", to: "o")
        try b.setOutput(layer: "o")
        let net = try b.build(seed: 1)
        try net.setBlock(named: "input->h", [1, -1])
        try net.setBlock(named: "h->o", [2])
        try net.feed([0.5, 0.5])   // z_h = 0.5 - 0.5 = 0 exactly, so a_h = 0 and y = o.bias = 0
        #expect(try net.accumulate([1]) == 1)
        let g = net.gradient()
        func grad(_ name: String) throws -> [Double] {
            let info = try net.blockInfo(named: name)
            return Array(g[info.offset!..<info.offset! + info.count])
        }
        #expect(try grad("o.bias") == [-2])        // 2 (y - y*)
        #expect(try grad("h->o") == [0])           // times a_h = 0
        #expect(try grad("input->h") == [0, 0])    // times relu'(0) = 0 (would be [-2, -2] with relu'(0) = 1)
        let ref = try ReferenceNetwork(net).run(inputs: [[0.5, 0.5]], targets: [[1]])
        #expect(ref.gradient == g)
    }
}
