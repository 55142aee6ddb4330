import Testing
import RTRL

// The O(N) sensitivity paths: exact RTRL on diagonal graphs, SnAp-1 and UORO.

/// Elman-like with an element-wise (diagonal) recurrent hidden layer.
private func diagonalElman(inputs: Int = 2, hidden: Int = 4, outputs: Int = 2, seed: UInt64 = 3,
                           activation: Activation = .tanh) throws -> Network {
    var b = try NetworkBuilder(inputs: inputs)
    try b.addLayer("hidden", size: hidden, activation: activation)
    try b.addLayer("output", size: outputs, activation: .identity)
    try b.connect(from: "input", to: "hidden")
    try b.connect(from: "hidden", to: "hidden", delay: 1, kind: .diagonal, scale: 0.6)
    try b.connect(from: "hidden", to: "output")
    try b.setOutput(layer: "output")
    let net = try b.build(seed: seed)
    // Unequal recurrent coefficients, so that an index mix-up cannot hide.
    try net.setBlock(named: "hidden->hidden", (0..<hidden).map { 0.3 + 0.15 * Double($0) })
    return net
}

/// A deterministic sequence of inputs and targets (some NaN).
private func sequence(steps: Int, inputs: Int, outputs: Int, salt: Int = 0) -> (x: [[Double]], y: [[Double]]) {
    func v(_ k: Int) -> Double { Double((k * 7919 + salt * 104729) % 2001) / 1000 - 1 }
    let x = (0..<steps).map { t in (0..<inputs).map { v(t * 31 + $0) } }
    let y = (0..<steps).map { t in (0..<outputs).map { (t + $0) % 5 == 3 ? Double.nan : 0.5 * v(t * 17 + $0 + 3) } }
    return (x, y)
}

/// The gradient accumulated over a sequence (no updates).
private func accumulated(_ net: Network, _ s: (x: [[Double]], y: [[Double]])) throws -> [Double] {
    for (x, y) in zip(s.x, s.y) {
        try net.feed(x)
        try net.accumulate(y)
    }
    return net.gradient()
}

private func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    let scale = max(b.map(abs).max() ?? 0, 1e-300)
    return zip(a, b).map { abs($0 - $1) }.max()! / scale
}

@Suite struct ApproximateSensitivityTests {
    @Test func aDiagonalGraphTakesTheExactPerParameterPath() throws {
        let net = try diagonalElman()
        #expect(net.sensitivityPath == .exactDiagonal)
        #expect(try Network.elman(inputs: 1, hidden: 3, outputs: 1).sensitivityPath == .exact)
    }

    /// On a diagonal graph, exact RTRL at O(N) and SnAp-1 both equal BPTT.
    @Test(arguments: [Activation.tanh, .logistic, .relu, .identity])
    func diagonalRecurrenceIsExact(_ phi: Activation) throws {
        let s = sequence(steps: 60, inputs: 2, outputs: 2)
        for mode in [SensitivityMode.exact, .snap1] {
            let net = try diagonalElman(activation: phi)
            var c = TrainingConfiguration()
            c.sensitivity = mode
            try net.configure(c)
            let reference = try ReferenceNetwork(net).run(inputs: s.x, targets: s.y).gradient
            let g = try accumulated(net, s)
            #expect(relativeError(g, reference) < 1e-12, "\(phi) \(mode): \(relativeError(g, reference))")
        }
    }

    /// Without recurrence SnAp-1 is exact too.
    @Test func snap1WithoutRecurrenceIsExact() throws {
        var b = try NetworkBuilder(inputs: 3)
        try b.addLayer("a", size: 4, activation: .tanh)
        try b.addLayer("b", size: 2, activation: .identity)
        try b.connect(from: "input", to: "a")
        try b.connect(from: "a", to: "b")
        try b.connect(from: "input", to: "b", delay: 1)
        try b.setOutput(layer: "b")
        let net = try b.build(seed: 5)
        try net.configure(TrainingConfiguration(sensitivity: .snap1))
        let s = sequence(steps: 30, inputs: 3, outputs: 2, salt: 1)
        let reference = try ReferenceNetwork(net).run(inputs: s.x, targets: s.y).gradient
        #expect(relativeError(try accumulated(net, s), reference) < 1e-12)
    }

    /// On a dense recurrence SnAp-1 is an approximation: close, but not equal.
    @Test(arguments: ["fully_recurrent", "elman", "jordan"])
    func snap1ApproximatesADenseRecurrence(_ preset: String) throws {
        func make() throws -> Network {
            switch preset {
            case "fully_recurrent": try Network.fullyRecurrent(inputs: 2, units: 5, outputs: 2, seed: 4)
            case "elman": try Network.elman(inputs: 2, hidden: 5, outputs: 2, seed: 4)
            default: try Network.jordan(inputs: 2, hidden: 5, outputs: 2, seed: 4)
            }
        }
        let s = sequence(steps: 40, inputs: 2, outputs: 2, salt: 2)
        let exact = try accumulated(make(), s)
        let approx = try make()
        try approx.configure(TrainingConfiguration(sensitivity: .snap1))
        #expect(approx.sensitivityPath == .snap1)
        let g = try accumulated(approx, s)
        let err = relativeError(g, exact)
        #expect(err > 1e-6 && err < 1.0, "\(preset): SnAp-1 vs exact \(err)")
        // It keeps the direction of the gradient.
        let dot = zip(g, exact).map(*).reduce(0, +)
        #expect(dot > 0)
    }

    /// UORO's estimate u v^T is unbiased: the mean over many independent sign sequences
    /// approaches the exact gradient.
    @Test func uoroIsUnbiased() throws {
        let template = try Network.fullyRecurrent(inputs: 1, units: 3, outputs: 1, seed: 1)
        let weights = template.parameters()
        let s = sequence(steps: 12, inputs: 1, outputs: 1, salt: 3)
        let exact = try accumulated(try Network.fullyRecurrent(inputs: 1, units: 3, outputs: 1, seed: 1), s)
        let runs = 3000
        var mean = [Double](repeating: 0, count: weights.count)
        for k in 0..<runs {
            // Another seed gives other signs; the weights are set equal.
            let net = try Network.fullyRecurrent(inputs: 1, units: 3, outputs: 1, seed: UInt64(1000 + k))
            try net.setParameters(weights)
            try net.configure(TrainingConfiguration(sensitivity: .uoro))
            let g = try accumulated(net, s)
            for j in mean.indices { mean[j] += g[j] / Double(runs) }
        }
        let err = relativeError(mean, exact)
        // A single estimate is far off; the mean of 3000 is within a few percent.
        let single = try { () throws -> Double in
            let net = try Network.fullyRecurrent(inputs: 1, units: 3, outputs: 1, seed: 7)
            try net.setParameters(weights)
            try net.configure(TrainingConfiguration(sensitivity: .uoro))
            return relativeError(try accumulated(net, s), exact)
        }()
        #expect(err < 0.1, "mean of \(runs) UORO estimates vs exact: \(err) (one estimate: \(single))")
        #expect(single > err)
    }

    @Test func uoroIsReproducibleFromTheSeed() throws {
        func run(_ seed: UInt64) throws -> [Double] {
            let net = try Network.elman(inputs: 1, hidden: 4, outputs: 1, seed: seed)
            try net.configure(TrainingConfiguration(learningRate: 0.05, sensitivity: .uoro))
            var out: [Double] = []
            for t in 0..<50 { out += try net.step([Double(t % 7) / 7], target: [Double(t % 3) / 3]).output }
            return out
        }
        #expect(try run(3) == run(3))
        #expect(try run(3) != run(4))
    }

    @Test(arguments: ["snap1", "uoro", "diagonal"])
    func saveLoadContinuesBitForBit(_ mode: String) throws {
        let net = mode == "diagonal" ? try diagonalElman() : try Network.elman(inputs: 2, hidden: 5, outputs: 2, seed: 8)
        var c = TrainingConfiguration(optimizer: .adam, learningRate: 0.01)
        c.sensitivity = mode == "uoro" ? .uoro : mode == "snap1" ? .snap1 : .exact
        try net.configure(c)
        let s = sequence(steps: 250, inputs: 2, outputs: 2, salt: 4)
        func run(_ n: Network, _ range: Range<Int>) throws -> [Double] {
            var out: [Double] = []
            for t in range { out += try n.step(s.x[t], target: s.y[t]).output }
            return out + n.parameters()
        }
        _ = try run(net, 0..<50)
        let copy = try Network.deserialize(net.serialized())
        #expect(copy.sensitivityPath == net.sensitivityPath)
        #expect(try run(net, 50..<250) == run(copy, 50..<250))
    }

    /// Teacher forcing on the per-parameter path clears the forced units' sensitivities:
    /// on a diagonal graph it matches the forced-unroll BPTT.
    @Test func teacherForcingOnTheDiagonalPath() throws {
        var b = try NetworkBuilder(inputs: 1)
        try b.addLayer("units", size: 3, activation: .tanh)
        try b.connect(from: "input", to: "units")
        try b.connect(from: "units", to: "units", delay: 1, kind: .diagonal, scale: 0.5)
        try b.setOutput(layer: "units", units: [0, 2])
        let net = try b.build(seed: 2)
        #expect(net.sensitivityPath == .exactDiagonal)
        var c = TrainingConfiguration()
        c.teacherForcing = true
        try net.configure(c)
        let s = sequence(steps: 40, inputs: 1, outputs: 2, salt: 5)
        let reference = try ReferenceNetwork(net).run(inputs: s.x, targets: s.y, teacherForcing: true).gradient
        #expect(relativeError(try accumulated(net, s), reference) < 1e-12)
    }

    /// A network too large for exact RTRL builds, runs with SnAp-1 or UORO, and refuses
    /// the exact path with a clear error.
    @Test func exactIsRefusedWhenTooLargeButApproximationsRun() throws {
        let net = try Network.fullyRecurrent(inputs: 1, units: 1100, outputs: 1, precision: .f32)
        // 2 x 1100 x 1100 x 1102 sensitivities > 2^31.
        #expect { try net.feed([0.1]) } throws: { ($0 as? RTRLError)?.code == .outOfMemory }
        try net.configure(TrainingConfiguration(sensitivity: .snap1))
        _ = try net.step([0.1], target: [0.2])
        // Weights, gradient buffer and one sensitivity per parameter: 3 N, plus O(n).
        #expect(net.memoryBytes < 4 * 3 * net.numParams + 4 * 20 * 1100)
        var c = TrainingConfiguration()
        c.sensitivity = .exact
        #expect { try net.configure(c) } throws: {
            let e = $0 as? RTRLError
            return e?.code == .outOfMemory && e!.message.contains("snap1")
        }
        #expect(net.sensitivityPath == .snap1)
    }
}
