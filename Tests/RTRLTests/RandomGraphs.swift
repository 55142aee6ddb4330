import RTRL

/// SplitMix64, the seeded generator of the gradient tests' random graphs and sequences
/// (deterministic on every machine; independent of the engine's own generator).
struct GradientTestRNG {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform in [lo, hi).
    mutating func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * unit() }

    /// Uniform in the closed range.
    mutating func int(_ r: ClosedRange<Int>) -> Int {
        r.lowerBound + Int(next() % UInt64(r.upperBound - r.lowerBound + 1))
    }

    mutating func chance(_ p: Double) -> Bool { unit() < p }

    mutating func pick<T>(_ xs: [T]) -> T { xs[int(0...xs.count - 1)] }

    mutating func shuffled<T>(_ xs: [T]) -> [T] {
        var r = xs
        if r.count < 2 { return r }
        for i in stride(from: r.count - 1, to: 0, by: -1) { r.swapAt(i, int(0...i)) }
        return r
    }
}

/// A seeded generator of random valid network graphs for the gradient tests.
///
/// Every graph it makes: layers created in one order but evaluated in another (delay-0
/// chains declared out of creation order), each layer reached from the first evaluated
/// one by a delay-0 chain; delay-1 connections in any direction, self-loops included;
/// dense (trainable or fixed), diagonal (trainable or fixed) and identity (with a scale)
/// connections; delay-0 and delay-1 input connections; sometimes two or three connections
/// between one pair (`FROM->TO#2`, `#3`); every activation (softmax only on layers of at
/// least 2 units); layers with and without bias; sometimes `n_inputs = 0`; an output
/// layer anywhere in the graph, with a subset of its units in any order.
///
/// Scales are kept moderate so that 50–60 steps stay well conditioned.
enum RandomGraphs {
    /// What the generated graphs may contain.
    struct Options: Sendable {
        /// Allow relu layers (not for finite differences: kinks).
        var allowRelu = true
        /// Make the output layer a softmax layer (for cross_entropy).
        var softmaxOutput = false
    }

    /// A generated graph: the builder, the block values to start from and a one-line
    /// description for failure messages.
    struct Graph: CustomStringConvertible {
        let seed: UInt64
        let builder: NetworkBuilder
        /// Starting values by block name, set after the build: non-zero biases (a relu
        /// layer's positive, so that it starts alive; zero biases would leave many small
        /// graphs dead), and diagonal blocks with unequal entries (the build gives every
        /// entry the same `scale`, which would hide index mix-ups).
        let presets: [(name: String, values: [Double])]
        let description: String

        /// Builds the network (dense blocks drawn from a seed derived from `seed`) and
        /// sets the preset blocks.
        func build(precision: Precision = .f64) throws -> Network {
            let net = try builder.build(seed: seed &+ 1, precision: precision)
            for b in presets { try net.setBlock(named: b.name, b.values) }
            return net
        }
    }

    private static let allActivations: [Activation] = [.identity, .logistic, .tanh, .relu, .softmax]

    /// The graph number `seed`.
    static func make(seed: UInt64, options: Options = Options()) throws -> Graph {
        var rng = GradientTestRNG(seed: seed &* 0x2545_F491_4F6C_DD1D &+ 17)
        let layerCount = rng.int(1...4)
        let common = rng.int(2...3)
        let inputs = rng.chance(0.15) ? 0 : (rng.chance(0.35) ? common : rng.int(1...3))

        // Sizes, activations and biases, in creation order.
        var sizes = (0..<layerCount).map { _ in rng.chance(0.6) ? common : rng.int(1...4) }
        let outputLayer = rng.int(0...layerCount - 1)
        if options.softmaxOutput { sizes[outputLayer] = max(sizes[outputLayer], 2) }
        var activations: [Activation] = []
        for l in 0..<layerCount {
            if options.softmaxOutput && l == outputLayer {
                activations.append(.softmax)
                continue
            }
            var phi = rng.pick(allActivations)
            while (phi == .relu && !options.allowRelu) || (phi == .softmax && sizes[l] < 2) {
                phi = rng.pick(allActivations)
            }
            activations.append(phi)
        }
        // The evaluation order: a random permutation of the creation order.
        let order = rng.shuffled(Array(0..<layerCount))
        var biases = (0..<layerCount).map { _ in rng.chance(0.65) }
        if inputs == 0 { biases[order[0]] = true }   // something must drive the network
        if activations[outputLayer] == .relu { biases[outputLayer] = true }   // alive output
        let names = (0..<layerCount).map { "h\($0)" }

        struct Link { var from: Int?; var to: Int; var delay: Int; var kind: ConnectionKind; var trainable: Bool; var scale: Double }
        var links: [Link] = []
        func size(_ l: Int?) -> Int { l.map { sizes[$0] } ?? inputs }
        func randomLink(from: Int?, to: Int, delay: Int, forceTrainableDense: Bool = false) -> Link {
            if forceTrainableDense {
                return Link(from: from, to: to, delay: delay, kind: .dense, trainable: true, scale: rng.uniform(0.6, 1.2))
            }
            let square = size(from) == sizes[to]
            let r = rng.unit()
            if square && r < 0.25 {
                return Link(from: from, to: to, delay: delay, kind: .diagonal, trainable: rng.chance(0.6),
                            scale: (rng.chance(0.5) ? 1 : -1) * rng.uniform(0.2, 0.6))
            }
            if square && r < 0.45 {
                return Link(from: from, to: to, delay: delay, kind: .identity, trainable: false,
                            scale: (rng.chance(0.5) ? 1 : -1) * rng.uniform(0.3, 0.7))
            }
            return Link(from: from, to: to, delay: delay, kind: .dense, trainable: rng.chance(0.8),
                        scale: rng.uniform(0.6, 1.2))
        }

        // The input feeds the first evaluated layer through a trainable dense block.
        if inputs > 0 { links.append(randomLink(from: nil, to: order[0], delay: 0, forceTrainableDense: true)) }
        // A delay-0 chain: every later layer reads an earlier one.
        for k in 1..<max(layerCount, 1) {
            links.append(randomLink(from: order[rng.int(0...k - 1)], to: order[k], delay: 0))
        }
        // More input connections, delay 0 or 1.
        if inputs > 0 {
            for l in 0..<layerCount where rng.chance(0.35) {
                links.append(randomLink(from: nil, to: l, delay: rng.chance(0.5) ? 1 : 0))
            }
        }
        // Extra forward delay-0 connections.
        for _ in 0..<rng.int(0...2) where layerCount >= 2 {
            let j = rng.int(0...layerCount - 2), k = rng.int(j + 1...layerCount - 1)
            links.append(randomLink(from: order[j], to: order[k], delay: 0))
        }
        // Delay-1 self-loops and cycles in any direction.
        for l in 0..<layerCount where rng.chance(0.45) {
            links.append(randomLink(from: l, to: l, delay: 1))
        }
        for _ in 0..<rng.int(0...2) {
            links.append(randomLink(from: rng.int(0...layerCount - 1), to: rng.int(0...layerCount - 1), delay: 1))
        }
        // Two or three connections between one pair.
        let candidates = links.filter { $0.kind != .identity }
        if !candidates.isEmpty && rng.chance(0.45) {
            let base = rng.pick(candidates)
            for _ in 0..<rng.int(1...2) {
                let forward = base.from.map { f in order.firstIndex(of: f)! < order.firstIndex(of: base.to)! } ?? true
                var extra = randomLink(from: base.from, to: base.to, delay: forward && rng.chance(0.5) ? 0 : 1)
                if extra.kind == .identity { extra.kind = .dense; extra.trainable = true; extra.scale = 1 }
                links.append(extra)
            }
        }
        // Creation order of the connections: shuffled (it fixes #k numbering and block order).
        links = rng.shuffled(links)

        var b = try NetworkBuilder(inputs: inputs)
        for l in 0..<layerCount {
            try b.addLayer(names[l], size: sizes[l], activation: activations[l], bias: biases[l])
        }
        for c in links {
            try b.connect(from: c.from.map { names[$0] } ?? inputLayerName, to: names[c.to], delay: c.delay,
                          kind: c.kind, trainable: c.trainable, scale: c.scale)
        }
        let outSize = sizes[outputLayer]
        let units = Array(rng.shuffled(Array(0..<outSize)).prefix(rng.chance(0.5) ? outSize : rng.int(1...outSize)))
        try b.setOutput(layer: names[outputLayer], units: units)

        var presets: [(name: String, values: [Double])] = []
        for l in 0..<layerCount where biases[l] {
            let values = (0..<sizes[l]).map { _ in
                activations[l] == .relu ? rng.uniform(0.2, 0.7) : rng.uniform(-0.5, 0.5)
            }
            presets.append((names[l] + ".bias", values))
        }
        var pairCount: [String: Int] = [:]
        for c in links where c.kind != .identity {
            let pair = "\(c.from.map { names[$0] } ?? inputLayerName)->\(names[c.to])"
            let k = pairCount[pair, default: 0] + 1
            pairCount[pair] = k
            guard c.kind == .diagonal else { continue }
            let sign: Double = c.scale < 0 ? -1 : 1
            presets.append((k == 1 ? pair : "\(pair)#\(k)", (0..<sizes[c.to]).map { _ in sign * rng.uniform(0.15, 0.65) }))
        }

        var text = "graph \(seed): m=\(inputs); layers "
        text += (0..<layerCount).map { "\(names[$0])[\(sizes[$0]) \(activations[$0].rawValue)\(biases[$0] ? " +b" : "")]" }
            .joined(separator: " ")
        text += "; order " + order.map { names[$0] }.joined(separator: ",") + "; "
        text += links.map { c in
            "\(c.from.map { names[$0] } ?? "input")->\(names[c.to])(d\(c.delay) \(c.kind.rawValue)\(c.trainable ? "" : " fixed") \(c.scale))"
        }.joined(separator: " ")
        text += "; output \(names[outputLayer])\(units)"
        return Graph(seed: seed, builder: b, presets: presets, description: text)
    }
}

/// A random sequence for a network: inputs x(t) and targets y*(t) per step.
struct RandomSequence {
    var inputs: [[Double]]
    /// `nil` for a step that is only fed; NaN components mean "no target".
    var targets: [[Double]?]

    /// `steps` steps of x uniform in [-1, 1) and targets uniform in `targetRange`, each
    /// component NaN with probability `nanChance` (so Theta(t) changes from step to step),
    /// and a step without any `accumulate` call with probability `unfedChance`.
    /// With `float32Exact`, every value is representable in Float.
    init(seed: UInt64, steps: Int, inputs m: Int, outputs n: Int,
         targetRange: ClosedRange<Double> = -1...1, nanChance: Double = 0.25,
         unfedChance: Double = 0.05, float32Exact: Bool = false) {
        var rng = GradientTestRNG(seed: seed ^ 0xA5A5_5A5A_0F0F_F0F0)
        func value(_ lo: Double, _ hi: Double) -> Double {
            let v = rng.uniform(lo, hi)
            return float32Exact ? Double(Float(v)) : v
        }
        inputs = (0..<steps).map { _ in (0..<m).map { _ in value(-1, 1) } }
        targets = (0..<steps).map { _ in
            if rng.chance(unfedChance) { return nil }
            return (0..<n).map { _ in
                rng.chance(nanChance) ? .nan : value(targetRange.lowerBound, targetRange.upperBound)
            }
        }
    }
}
