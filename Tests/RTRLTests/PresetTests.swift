// The presets and the builder's naming and initialisation, against shared/CONTRACT.md §1
// ("Presets", "Blocks", "Initialisation").

import Testing
import RTRL

/// A block as text, "name rows x cols @offset" (`fixed` for a fixed block), so that
/// whole layouts compare in one readable expectation.
fileprivate func describe(_ b: BlockInfo) -> String {
    "\(b.name) \(b.rows)x\(b.cols) \(b.trainable ? "@\(b.offset.map(String.init) ?? "?")" : "fixed\(b.offset == nil ? "" : "?")")"
}

fileprivate func describe(_ blocks: [BlockInfo]) -> [String] { blocks.map(describe) }

/// Checks that `blocks` tile the flat vector: offsets contiguous from 0, summing to N.
fileprivate func expectContiguous(_ net: Network, sourceLocation: SourceLocation = #_sourceLocation) {
    var next = 0
    for b in net.paramBlocks {
        #expect(b.offset == next, "block \(b.name)", sourceLocation: sourceLocation)
        next += b.count
    }
    #expect(next == net.numParams, sourceLocation: sourceLocation)
}

@Suite("Presets: layers, blocks, order, offsets, shapes")
struct PresetLayoutTests {
    @Test func fullyRecurrentLayout() throws {
        let net = try Network.fullyRecurrent(inputs: 2, units: 3, outputs: 2, seed: 1)
        #expect(net.layers == [LayerSpec(name: "units", size: 3, activation: .tanh, bias: true)])
        #expect(describe(net.paramBlocks) == ["input->units 3x2 @0", "units->units 3x3 @6", "units.bias 3x1 @15"])
        #expect(net.blocks == net.paramBlocks)
        #expect(net.numParams == 18)
        #expect(net.numInputs == 2)
        #expect(net.numOutputs == 2)
        #expect(net.outputLayer == "units")
        #expect(net.outputUnits == [0, 1])
        #expect(net.connections == [
            ConnectionSpec(from: "input", to: "units", delay: 0, kind: .dense, trainable: true, scale: 1),
            ConnectionSpec(from: "units", to: "units", delay: 1, kind: .dense, trainable: true, scale: 1),
        ])
        expectContiguous(net)
    }

    @Test func fullyRecurrentTakesItsActivation() throws {
        let net = try Network.fullyRecurrent(inputs: 1, units: 4, outputs: 4, activation: .logistic)
        #expect(net.layers.map(\.activation) == [.logistic])
        #expect(net.outputUnits == [0, 1, 2, 3])
    }

    @Test func elmanLayout() throws {
        let net = try Network.elman(inputs: 2, hidden: 3, outputs: 4, seed: 1)
        #expect(net.layers == [
            LayerSpec(name: "hidden", size: 3, activation: .tanh, bias: true),
            LayerSpec(name: "output", size: 4, activation: .identity, bias: true),
        ])
        #expect(describe(net.paramBlocks) == [
            "input->hidden 3x2 @0", "hidden->hidden 3x3 @6", "hidden.bias 3x1 @15",
            "hidden->output 4x3 @18", "output.bias 4x1 @30",
        ])
        #expect(net.blocks == net.paramBlocks)
        #expect(net.numParams == 34)
        #expect(net.outputLayer == "output")
        #expect(net.outputUnits == [0, 1, 2, 3])
        #expect(net.evaluationOrder == ["hidden", "output"])
        #expect(net.connections.map(\.delay) == net.connections.map { $0.from == "hidden" && $0.to == "hidden" ? 1 : 0 })
        expectContiguous(net)
    }

    @Test func elmanTakesItsActivations() throws {
        let net = try Network.elman(inputs: 1, hidden: 2, outputs: 1,
                                    hiddenActivation: .relu, outputActivation: .logistic)
        #expect(net.layers.map(\.activation) == [.relu, .logistic])
    }

    @Test func jordanLayout() throws {
        let net = try Network.jordan(inputs: 2, hidden: 3, outputs: 2, mu: 0.3, seed: 1)
        #expect(net.layers == [
            LayerSpec(name: "state", size: 2, activation: .identity, bias: false),
            LayerSpec(name: "hidden", size: 3, activation: .tanh, bias: true),
            LayerSpec(name: "output", size: 2, activation: .identity, bias: true),
        ])
        #expect(describe(net.paramBlocks) == [
            "input->hidden 3x2 @0", "state->hidden 3x2 @6", "hidden.bias 3x1 @12",
            "hidden->output 2x3 @15", "output.bias 2x1 @21",
        ])
        #expect(net.numParams == 23)
        // Fixed: state->state (diagonal, mu). The identity output->state has no block.
        #expect(Set(net.blocks.map(\.name)) == Set(net.paramBlocks.map(\.name) + ["state->state"]))
        #expect(try describe(net.blockInfo(named: "state->state")) == "state->state 2x1 fixed")
        #expect(try net.block(named: "state->state") == [0.3, 0.3])
        behavExpectError(.invalidArgument, "unknown block") { _ = try net.blockInfo(named: "output->state") }
        #expect(net.connections.contains(
            ConnectionSpec(from: "state", to: "state", delay: 1, kind: .diagonal, trainable: false, scale: 0.3)))
        #expect(net.connections.contains(
            ConnectionSpec(from: "output", to: "state", delay: 1, kind: .identity, trainable: false, scale: 1.0)))
        #expect(net.connections.filter { $0.delay == 1 }.count == 2)
        #expect(net.outputLayer == "output")
        #expect(net.outputUnits == [0, 1])
        expectContiguous(net)
    }

    @Test func jordanTakesItsActivations() throws {
        let net = try Network.jordan(inputs: 1, hidden: 2, outputs: 1, mu: 0.5,
                                     hiddenActivation: .logistic, outputActivation: .tanh)
        #expect(net.layers.map(\.activation) == [.identity, .logistic, .tanh])
    }

    /// s(t) = mu s(t-1) + y(t-1): with identity hidden and output layers and unit
    /// weights, y(t) = x(t) + s(t), computed here step by step.
    @Test func jordanStateIsDecayedSumOfPastOutputs() throws {
        let mu = 0.5
        let net = try Network.jordan(inputs: 1, hidden: 1, outputs: 1, mu: mu,
                                     hiddenActivation: .identity, outputActivation: .identity)
        try net.setBlock(named: "input->hidden", [1])
        try net.setBlock(named: "state->hidden", [1])
        try net.setBlock(named: "hidden->output", [1])
        let xs = [1.0, 0.0, 0.0, 2.0, -1.0, 0.0]
        var s = 0.0, yPrevious = 0.0
        for x in xs {
            s = mu * s + yPrevious
            let expected = x + s
            try net.feed([x])
            #expect(net.output() == [expected])
            yPrevious = expected
        }
        // Worked by hand: y = 1, 1, 1.5, 4.25, 4.375, 7.0625.
        #expect(net.output() == [7.0625])
    }

    /// A fixed block can be written by name and the new value is used.
    @Test func jordanFixedDecayCanBeChanged() throws {
        let net = try Network.jordan(inputs: 1, hidden: 1, outputs: 1, mu: 0.5,
                                     hiddenActivation: .identity, outputActivation: .identity)
        try net.setBlock(named: "input->hidden", [1])
        try net.setBlock(named: "state->hidden", [1])
        try net.setBlock(named: "hidden->output", [1])
        try net.setBlock(named: "state->state", [0.25])
        #expect(try net.block(named: "state->state") == [0.25])
        #expect(net.numParams == 5)
        for x in [1.0, 0.0, 0.0] { try net.feed([x]) }
        // y1 = 1; s2 = 1, y2 = 1; s3 = 0.25 + 1 = 1.25, y3 = 1.25.
        #expect(net.output() == [1.25])
    }

    @Test func sizeZeroInputBlocksAreNotListed() throws {
        let fr = try Network.fullyRecurrent(inputs: 0, units: 3, outputs: 1)
        #expect(describe(fr.paramBlocks) == ["units->units 3x3 @0", "units.bias 3x1 @9"])
        #expect(fr.numParams == 12)
        behavExpectError(.invalidArgument, "unknown block") { _ = try fr.block(named: "input->units") }
        try fr.feed([])
        #expect(fr.output().count == 1)

        let elman = try Network.elman(inputs: 0, hidden: 2, outputs: 1)
        #expect(elman.paramBlocks.map(\.name) == ["hidden->hidden", "hidden.bias", "hidden->output", "output.bias"])
        expectContiguous(elman)

        let jordan = try Network.jordan(inputs: 0, hidden: 2, outputs: 1, mu: 0.5)
        #expect(jordan.paramBlocks.map(\.name) == ["state->hidden", "hidden.bias", "hidden->output", "output.bias"])
        expectContiguous(jordan)
    }
}

@Suite("Builder: block naming")
struct BuilderNamingTests {
    /// Second and third connections between one pair are `#2`, `#3` in creation order;
    /// an identity connection has no block and takes no number; fixed blocks are named
    /// like trainable ones but stay out of the flat vector.
    @Test func repeatedPairsAreNumbered() throws {
        var b = try NetworkBuilder(inputs: 2)
        try b.addLayer("h", size: 2, activation: .tanh, bias: true)
        try b.connect(from: "input", to: "h")
        try b.connect(from: "input", to: "h", kind: .identity, scale: 0.5)
        try b.connect(from: "input", to: "h", delay: 1, kind: .diagonal)
        try b.connect(from: "input", to: "h", kind: .dense, trainable: false)
        try b.connect(from: "h", to: "h", delay: 1)
        try b.connect(from: "h", to: "h", delay: 1, kind: .diagonal, trainable: false, scale: 0.7)
        try b.setOutput(layer: "h")
        let net = try b.build(seed: 3)
        #expect(Set(net.blocks.map(\.name)) == ["input->h", "input->h#2", "input->h#3", "h->h", "h->h#2", "h.bias"])
        let first = try net.blockInfo(named: "input->h")
        #expect(first.rows == 2 && first.cols == 2 && first.trainable && first.offset != nil)
        #expect(try net.blockInfo(named: "input->h#2").rows == 2)
        #expect(try net.blockInfo(named: "input->h#2").cols == 1)
        #expect(try net.blockInfo(named: "input->h#2").trainable)
        #expect(try describe(net.blockInfo(named: "input->h#3")) == "input->h#3 2x2 fixed")
        #expect(try describe(net.blockInfo(named: "h->h#2")) == "h->h#2 2x1 fixed")
        #expect(Set(net.paramBlocks.map(\.name)) == ["input->h", "input->h#2", "h->h", "h.bias"])
        #expect(net.numParams == 4 + 2 + 4 + 2)
        expectContiguous(net)
        behavExpectError(.invalidArgument, "unknown block") { _ = try net.blockInfo(named: "input->h#4") }
    }

    /// Block names use the layer names given; a layer without bias has no `.bias` block.
    @Test func biasBlocksFollowTheLayers() throws {
        var b = try NetworkBuilder(inputs: 1)
        try b.addLayer("first", size: 2, activation: .relu, bias: false)
        try b.addLayer("second", size: 3, activation: .logistic, bias: true)
        try b.connect(from: "input", to: "first")
        try b.connect(from: "first", to: "second")
        try b.setOutput(layer: "second", units: [2, 0])
        let net = try b.build()
        #expect(Set(net.paramBlocks.map(\.name)) == ["input->first", "first->second", "second.bias"])
        #expect(try net.blockInfo(named: "first->second").rows == 3)
        #expect(try net.blockInfo(named: "first->second").cols == 2)
        #expect(net.outputUnits == [2, 0])
        #expect(net.numOutputs == 2)
        expectContiguous(net)
    }

    /// The flat order is fixed for a network: a copy and a restored network report the
    /// same blocks.
    @Test func blockOrderSurvivesCopyAndRestore() throws {
        let net = try Network.jordan(inputs: 1, hidden: 2, outputs: 1, mu: 0.5)
        #expect(net.copy().paramBlocks == net.paramBlocks)
        #expect(try Network.deserialize(net.serialized()).blocks == net.blocks)
    }
}

@Suite("Initialisation")
struct InitialisationTests {
    /// Checks that `values` lie in [-bound, bound], come close to both ends and look
    /// uniform (mean near 0, root mean square near bound/sqrt(3)).
    fileprivate static func expectUniform(
        _ values: [Double], bound: Double, _ what: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let largest = values.map(abs).max() ?? 0
        #expect(largest <= bound, "\(what): |w| up to \(largest) > bound \(bound)", sourceLocation: sourceLocation)
        #expect(largest > 0.95 * bound, "\(what): |w| only up to \(largest), bound \(bound)", sourceLocation: sourceLocation)
        #expect(values.contains { $0 > 0.9 * bound } && values.contains { $0 < -0.9 * bound },
                "\(what): both signs should reach near the bound", sourceLocation: sourceLocation)
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        let rms = (values.map { $0 * $0 }.reduce(0, +) / n).squareRoot()
        #expect(abs(mean) < 0.1 * bound, "\(what): mean \(mean)", sourceLocation: sourceLocation)
        #expect(abs(rms / bound - 1 / 3.0.squareRoot()) < 0.05, "\(what): rms/bound \(rms / bound)",
                sourceLocation: sourceLocation)
    }

    /// fully_recurrent(10, 20): fan-in 10 + 20 + 1 (bias) for both dense blocks.
    @Test func fullyRecurrentDenseBlocksAreScaledByFanIn() throws {
        let net = try Network.fullyRecurrent(inputs: 10, units: 20, outputs: 1, seed: 11)
        let bound = 1 / 31.0.squareRoot()
        Self.expectUniform(try net.block(named: "input->units") + net.block(named: "units->units"),
                           bound: bound, "fully_recurrent")
        #expect(try net.block(named: "units.bias") == [Double](repeating: 0, count: 20))
    }

    /// The bias counts 1 in the fan-in: one input and a bias give ±1/sqrt(2), not ±1.
    @Test func biasCountsInFanIn() throws {
        var b = try NetworkBuilder(inputs: 1)
        try b.addLayer("k", size: 600, activation: .tanh, bias: true)
        try b.connect(from: "input", to: "k")
        try b.setOutput(layer: "k", units: [0])
        let net = try b.build(seed: 5)
        Self.expectUniform(try net.block(named: "input->k"), bound: 1 / 2.0.squareRoot(), "with bias")

        var nb = try NetworkBuilder(inputs: 1)
        try nb.addLayer("k", size: 600, activation: .tanh, bias: false)
        try nb.connect(from: "input", to: "k")
        try nb.setOutput(layer: "k", units: [0])
        Self.expectUniform(try nb.build(seed: 5).block(named: "input->k"), bound: 1, "without bias")
    }

    /// The fan-in counts every connection into the layer (delay 0 or 1, any kind, the
    /// identity one included); `scale` multiplies the bound; a fixed dense block is drawn
    /// like a trainable one; diagonal blocks start at `scale`; biases at 0.
    @Test func fanInCountsEveryConnectionAndScale() throws {
        var b = try NetworkBuilder(inputs: 3)
        try b.addLayer("h", size: 50, activation: .tanh, bias: true)
        try b.addLayer("g", size: 50, activation: .tanh, bias: false)
        try b.connect(from: "input", to: "h", scale: 2)          // h: fan-in 3 + 50 + 50 + 1 = 104
        try b.connect(from: "g", to: "h", delay: 1, kind: .identity, scale: 0.5)
        try b.connect(from: "h", to: "h", delay: 1, kind: .diagonal, scale: 0.75)
        try b.connect(from: "h", to: "g", trainable: false, scale: 3)   // g: fan-in 50 + 50 = 100
        try b.connect(from: "g", to: "g", delay: 1, kind: .diagonal, trainable: false, scale: -0.5)
        try b.setOutput(layer: "g")
        let net = try b.build(seed: 9)
        Self.expectUniform(try net.block(named: "input->h"), bound: 2 / 104.0.squareRoot(), "input->h (scale 2)")
        Self.expectUniform(try net.block(named: "h->g"), bound: 3 / 100.0.squareRoot(), "fixed h->g (scale 3)")
        #expect(try net.block(named: "h->h") == [Double](repeating: 0.75, count: 50))
        #expect(try net.block(named: "g->g") == [Double](repeating: -0.5, count: 50))
        #expect(try net.block(named: "h.bias") == [Double](repeating: 0, count: 50))
        #expect(try !net.blockInfo(named: "h->g").trainable)
    }

    @Test func sameSeedSameWeightsDifferentSeedDifferent() throws {
        func make(_ seed: UInt64) throws -> Network {
            var b = try NetworkBuilder(inputs: 2)
            try b.addLayer("h", size: 4)
            try b.connect(from: "input", to: "h")
            try b.connect(from: "h", to: "h", delay: 1, trainable: false)
            try b.setOutput(layer: "h")
            return try b.build(seed: seed)
        }
        let a = try make(42), again = try make(42), other = try make(43)
        #expect(behavBits(a.parameters()) == behavBits(again.parameters()))
        #expect(behavBits(try a.block(named: "h->h")) == behavBits(try again.block(named: "h->h")))
        #expect(a.parameters() != other.parameters())
        #expect(try a.block(named: "h->h") != other.block(named: "h->h"))
        for preset in [
            { (s: UInt64) throws in try Network.fullyRecurrent(inputs: 2, units: 3, outputs: 1, seed: s) },
            { (s: UInt64) throws in try Network.elman(inputs: 2, hidden: 3, outputs: 1, seed: s) },
            { (s: UInt64) throws in try Network.jordan(inputs: 2, hidden: 3, outputs: 1, mu: 0.5, seed: s) },
        ] {
            #expect(behavBits(try preset(7).parameters()) == behavBits(try preset(7).parameters()))
            #expect(try preset(7).parameters() != preset(8).parameters())
        }
    }

    /// The same seed gives the same weights on every machine: the dense blocks are
    /// SplitMix64 draws u (53 bits) mapped to (2u - 1) * bound, in connection creation
    /// order, row-major — recomputed here with the test's own SplitMix64.
    /// (This pins the engine's documented generator, not only the contract.)
    @Test func weightsArePortableSplitMix64Draws() throws {
        let net = try Network.fullyRecurrent(inputs: 2, units: 3, outputs: 1, seed: 2024)
        var rng = BehavRandom(seed: 2024)
        let bound = 1 / 6.0.squareRoot()
        let expected = (0..<15).map { _ in (2 * rng.unit() - 1) * bound } + [0, 0, 0]
        #expect(behavBits(net.parameters()) == behavBits(expected))
    }
}
