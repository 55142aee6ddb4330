import Testing
import RTRL
#if canImport(Glibc)
import Glibc
#endif

// On the per-parameter paths (SnAp-1, exact diagonal) SGD and the clearing of the
// gradient buffer visit only the rows that may be non-zero. These tests hold that shortcut
// to the full pass bit for bit: the same network, configured so that the update takes the
// full pass (a clip norm no gradient reaches: scale exactly 1), must end with the same
// parameters and gradient buffer after the same calls.

private func input(_ t: Int) -> [Double] { [sin(0.3 * Double(t)), cos(0.17 * Double(t))] }
private func target(_ t: Int) -> [Double] {
    [t % 7 == 3 ? .nan : 0.6 * sin(0.3 * Double(t) + 1), t % 5 == 1 ? .nan : 0.4 * cos(0.11 * Double(t))]
}

private func bits(_ xs: [Double]) -> [UInt64] { xs.map(\.bitPattern) }

/// A mix of every call that touches the gradient buffer: learn at update_every 1 and 3,
/// accumulate + apply, zero_grad, a copy and a save/load in the middle.
private func exercise(_ net: Network, _ config: TrainingConfiguration) throws -> (params: [UInt64], grad: [UInt64]) {
    var c = config
    try net.configure(c)
    var n = net
    for t in 0..<240 {
        try n.feed(input(t))
        switch t % 40 {
        case 20..<26, 27..<31: _ = try n.accumulate(target(t))
        case 26: try n.apply()
        case 31: n.zeroGrad()
        default: _ = try n.learn(target(t))
        }
        // Whatever the path, a buffer just applied or cleared is all +0.
        if t % 40 == 26 || t % 40 == 31 || (c.updateEvery == 1 && (t % 40 < 20 || t % 40 > 31)) {
            #expect(n.gradient().allSatisfy { $0.bitPattern == 0 }, "t = \(t)")
        }
        if t == 100 { n = n.copy() }
        if t == 150 { n = try Network.deserialize(n.serialized()) }
        if t == 170 {
            c.updateEvery = 3
            try n.configure(c)
        }
    }
    _ = try n.accumulate(target(240))  // leaves a gradient in the buffer
    return (bits(n.parameters()), bits(n.gradient()))
}

@Suite struct GradientSupportTests {
    @Test(arguments: ["fully_recurrent", "elman", "jordan", "stacked", "delayed_readout", "diagonal"],
          [Precision.f64, .f32])
    func sgdOnTheSupportEqualsTheFullPass(_ name: String, _ precision: Precision) throws {
        var c = TrainingConfiguration(optimizer: .sgd, learningRate: 0.05)
        c.sensitivity = name == "diagonal" ? .exact : .snap1
        var full = c
        full.clipNorm = 1e300  // forces the full pass; never scales
        let a = try exercise(try perParameterGraph(name, precision), c)
        let b = try exercise(try perParameterGraph(name, precision), full)
        #expect(a.params == b.params)
        #expect(a.grad == b.grad)
        // And learning happened: the parameters moved from their initial values.
        #expect(a.params != bits(try perParameterGraph(name, precision).parameters()))
    }

    /// In a fully recurrent SnAp-1 network only the output units' rows of W get a gradient
    /// (the error of the other units is 0: SnAp-1 keeps no path from them to the loss);
    /// after an update the whole buffer is 0 again.
    @Test func onlyTheOutputRowsOfAFullyRecurrentNetworkGetAGradient() throws {
        let units = 6
        let net = try Network.fullyRecurrent(inputs: 2, units: units, outputs: 2, seed: 3)
        var c = TrainingConfiguration(optimizer: .sgd, learningRate: 0.05)
        c.sensitivity = .snap1
        try net.configure(c)
        for t in 0..<5 {
            try net.feed(input(t))
            _ = try net.accumulate([0.5, -0.5])
        }
        let g = net.gradient()
        let outputs = Set(net.outputUnits)
        #expect(outputs.count == 2)
        let recurrent = try #require(try net.blockInfo(named: "units->units").offset)
        var nonZeroRows = Set<Int>()
        for i in 0..<units where (0..<units).contains(where: { g[recurrent + i * units + $0] != 0 }) {
            nonZeroRows.insert(i)
        }
        #expect(nonZeroRows == outputs)
        try net.apply()
        #expect(net.gradient().allSatisfy { $0.bitPattern == 0 })
    }

    /// A refused update on the support leaves every parameter and clears the buffer.
    @Test(arguments: [Precision.f64, .f32])
    func aRefusedUpdateOnTheSupportChangesNothing(_ precision: Precision) throws {
        let net = try Network.fullyRecurrent(inputs: 1, units: 5, outputs: 1, seed: 2, precision: precision)
        var c = TrainingConfiguration(optimizer: .sgd, learningRate: 1e30)
        c.sensitivity = .snap1
        try net.configure(c)
        try net.feed([0.5])
        let before = bits(net.parameters())
        #expect(throws: RTRLError.self) { _ = try net.learn([1e200]) }
        #expect(net.refusedUpdates == 1)
        #expect(bits(net.parameters()) == before)
        #expect(net.gradient().allSatisfy { $0.bitPattern == 0 })
    }
}
