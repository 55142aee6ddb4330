#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RTRL

/// An independent implementation of the model of CONTRACT.md §1, used as the oracle of
/// the gradient tests: an unrolled forward pass that stores every z(t) and a(t), and the
/// exact gradient of E = sum_t E(t) by backpropagation through time.
///
/// It reads only the public architecture of a ``Network`` (its layers, connections, output
/// layer and units, input count) and its weights (by block name), computes its own
/// evaluation order and its own flat-vector layout (the trainable blocks concatenated in
/// `paramBlocks` order), and shares no code with the engine.
///
/// Teacher forcing is the forced unroll: after the loss at step t, every output unit with
/// a target has its activation replaced by the target (a constant) for what step t+1
/// reads through delay-1 connections; the delay-0 consumers at step t saw the unforced
/// value.
///
/// - Complexity: O(T x sum over connections of their weight count) time and
///   O(T x sum of layer sizes) memory for a run of T steps.
struct ReferenceNetwork {
    /// A layer: its size, activation and (if it has one) its bias.
    struct Layer {
        let name: String
        let size: Int
        let activation: Activation
        /// The bias b_L, or `nil` for a layer without one.
        var bias: [Double]?
        /// Where the bias starts in the flat parameter vector.
        let biasOffset: Int?
    }

    /// A connection: z_target(t) += W a_source(t - delay).
    struct Edge {
        /// The source layer's index, or `nil` for the input pseudo-layer.
        let source: Int?
        let sourceSize: Int
        let target: Int
        let delay: Int
        let kind: ConnectionKind
        /// Dense: n_target x n_source row-major; diagonal: n_target; identity: empty.
        var weights: [Double]
        /// The copy factor of an identity connection.
        let scale: Double
        /// Where the block starts in the flat parameter vector (`nil` when fixed or empty).
        let offset: Int?
    }

    /// Everything one unrolled run produces.
    struct Run {
        /// y(t) as the forward pass computed it (before any forcing), per step.
        var outputs: [[Double]]
        /// E(t) per step (0 for a step without a target).
        var losses: [Double]
        /// dE/dtheta, E = sum_t E(t), in flat-vector order.
        var gradient: [Double]
        /// The largest |a| seen anywhere in the run (a conditioning diagnostic).
        var largestActivation: Double
        var totalLoss: Double { losses.reduce(0, +) }
    }

    /// A failure to read a network's architecture (an engine/contract mismatch).
    struct ReadError: Error, CustomStringConvertible {
        let description: String
    }

    let numInputs: Int
    private(set) var layers: [Layer]
    private(set) var edges: [Edge]
    /// The layers in an order where every delay-0 source precedes its target.
    let order: [Int]
    let outputLayer: Int
    let outputUnits: [Int]
    let numParams: Int
    /// incoming[l]: the indices of the edges into layer l.
    private let incoming: [[Int]]

    /// Reads the architecture and current weights of `net`.
    ///
    /// Block names follow the contract: `FROM->TO`, `FROM->TO#k` for the k-th non-identity
    /// connection between the same pair (creation order), `LAYER.bias`; an empty block is
    /// not listed. The flat layout is the trainable blocks concatenated in `paramBlocks`
    /// order (the engine's own offsets are not consulted).
    init(_ net: Network) throws {
        numInputs = net.numInputs
        let specs = net.layers
        var index: [String: Int] = [:]
        for (i, s) in specs.enumerated() { index[s.name] = i }

        var offsets: [String: Int] = [:]
        var n = 0
        for b in net.paramBlocks {
            offsets[b.name] = n
            n += b.rows * b.cols
        }
        numParams = n

        var layers: [Layer] = []
        for s in specs {
            if s.bias {
                let name = s.name + ".bias"
                guard let off = offsets[name] else {
                    throw ReadError(description: "bias \(name) is not in paramBlocks")
                }
                layers.append(Layer(name: s.name, size: s.size, activation: s.activation,
                                    bias: try net.block(named: name), biasOffset: off))
            } else {
                layers.append(Layer(name: s.name, size: s.size, activation: s.activation,
                                    bias: nil, biasOffset: nil))
            }
        }

        var edges: [Edge] = []
        var pairCount: [String: Int] = [:]
        for c in net.connections {
            let source: Int? = c.from == inputLayerName ? nil : index[c.from]
            guard source != nil || c.from == inputLayerName, let target = index[c.to] else {
                throw ReadError(description: "connection \(c.from)->\(c.to) names an unknown layer")
            }
            let sourceSize = source.map { specs[$0].size } ?? net.numInputs
            let targetSize = specs[target].size
            var weights: [Double] = []
            var offset: Int? = nil
            if c.kind != .identity {
                let pair = "\(c.from)->\(c.to)"
                let k = pairCount[pair, default: 0] + 1
                pairCount[pair] = k
                let name = k == 1 ? pair : "\(pair)#\(k)"
                let count = c.kind == .dense ? targetSize * sourceSize : targetSize
                if count > 0 {
                    weights = try net.block(named: name)
                    guard weights.count == count else {
                        throw ReadError(description: "block \(name) has \(weights.count) values, expected \(count)")
                    }
                    if c.trainable {
                        guard let off = offsets[name] else {
                            throw ReadError(description: "trainable block \(name) is not in paramBlocks")
                        }
                        offset = off
                    }
                }
            }
            edges.append(Edge(source: source, sourceSize: sourceSize, target: target,
                              delay: c.delay, kind: c.kind, weights: weights,
                              scale: c.scale, offset: offset))
        }
        self.layers = layers
        self.edges = edges
        guard let out = index[net.outputLayer] else {
            throw ReadError(description: "unknown output layer \(net.outputLayer)")
        }
        outputLayer = out
        outputUnits = net.outputUnits
        var incoming = [[Int]](repeating: [], count: layers.count)
        for (i, e) in edges.enumerated() { incoming[e.target].append(i) }
        self.incoming = incoming
        order = try Self.delayZeroOrder(layerCount: layers.count, edges: edges)
    }

    /// Kahn's algorithm over the delay-0 layer-to-layer connections.
    private static func delayZeroOrder(layerCount: Int, edges: [Edge]) throws -> [Int] {
        var indegree = [Int](repeating: 0, count: layerCount)
        var successors = [[Int]](repeating: [], count: layerCount)
        for e in edges where e.delay == 0 {
            guard let s = e.source else { continue }
            indegree[e.target] += 1
            successors[s].append(e.target)
        }
        var ready = (0..<layerCount).filter { indegree[$0] == 0 }
        var order: [Int] = []
        while let l = ready.popLast() {
            order.append(l)
            for t in successors[l] {
                indegree[t] -= 1
                if indegree[t] == 0 { ready.append(t) }
            }
        }
        guard order.count == layerCount else {
            throw ReadError(description: "the delay-0 connections form a cycle")
        }
        return order
    }

    /// The same network with the trainable blocks replaced by the flat vector `theta`.
    func withParameters(_ theta: [Double]) -> ReferenceNetwork {
        precondition(theta.count == numParams)
        var copy = self
        for l in copy.layers.indices {
            if let off = copy.layers[l].biasOffset {
                copy.layers[l].bias = Array(theta[off..<off + copy.layers[l].size])
            }
        }
        for e in copy.edges.indices {
            if let off = copy.edges[e].offset {
                copy.edges[e].weights = Array(theta[off..<off + copy.edges[e].weights.count])
            }
        }
        return copy
    }

    /// The trainable parameters as a flat vector.
    var parameters: [Double] {
        var theta = [Double](repeating: .nan, count: numParams)
        for l in layers {
            if let off = l.biasOffset, let b = l.bias { theta.replaceSubrange(off..<off + b.count, with: b) }
        }
        for e in edges {
            if let off = e.offset { theta.replaceSubrange(off..<off + e.weights.count, with: e.weights) }
        }
        return theta
    }

    // MARK: - The unrolled run

    /// Runs the network from the zero state over `inputs` (one x(t) per step).
    ///
    /// - Parameters:
    ///   - targets: per step, the target (NaN = no target for that unit), or `nil` for a
    ///     step that is only fed (no loss, no forcing).
    ///   - loss: `.mse`, E(t) = sum (y* - y)^2, or `.crossEntropy`,
    ///     E(t) = -sum y* log max(y, leastNormalMagnitude).
    ///   - teacherForcing: the forced unroll (see the type's documentation).
    func run(inputs: [[Double]], targets: [[Double]?], loss: LossFunction = .mse,
             teacherForcing: Bool = false) -> Run {
        precondition(inputs.count == targets.count)
        let steps = inputs.count
        let zeroInput = [Double](repeating: 0, count: numInputs)
        let zeroState = layers.map { [Double](repeating: 0, count: $0.size) }
        let outL = outputLayer

        // Forward: z(t), a(t) (what delay-0 consumers and the loss see) and fed(t) (what
        // step t+1 reads: a(t) with the forced units replaced by their targets).
        var z: [[[Double]]] = []
        var a: [[[Double]]] = []
        var fed: [[[Double]]] = []
        var outputs: [[Double]] = []
        var losses = [Double](repeating: 0, count: steps)
        var lossGradient: [[Double]] = []   // dE(t)/da_out(t)
        var forced: [[Bool]] = []
        var largest = 0.0

        func sourceValue(_ e: Edge, _ t: Int, _ aNow: [[Double]]) -> [Double] {
            if let s = e.source {
                if e.delay == 0 { return aNow[s] }
                return t > 0 ? fed[t - 1][s] : zeroState[s]
            }
            if e.delay == 0 { return inputs[t] }
            return t > 0 ? inputs[t - 1] : zeroInput
        }

        for t in 0..<steps {
            var zt = zeroState
            var at = zeroState
            for l in order {
                var zl = layers[l].bias ?? zeroState[l]
                for ei in incoming[l] {
                    let e = edges[ei]
                    let src = sourceValue(e, t, at)
                    switch e.kind {
                    case .dense:
                        for i in 0..<layers[l].size {
                            var s = 0.0
                            for j in 0..<e.sourceSize { s += e.weights[i * e.sourceSize + j] * src[j] }
                            zl[i] += s
                        }
                    case .diagonal:
                        for i in 0..<layers[l].size { zl[i] += e.weights[i] * src[i] }
                    case .identity:
                        for i in 0..<layers[l].size { zl[i] += e.scale * src[i] }
                    }
                }
                zt[l] = zl
                at[l] = Self.activate(layers[l].activation, zl)
                for v in at[l] { largest = max(largest, abs(v)) }
            }
            z.append(zt)
            a.append(at)
            outputs.append(outputUnits.map { at[outL][$0] })

            var ft = at
            var g = [Double](repeating: 0, count: layers[outL].size)
            var f = [Bool](repeating: false, count: layers[outL].size)
            if let target = targets[t] {
                precondition(target.count == outputUnits.count)
                for (k, u) in outputUnits.enumerated() where !target[k].isNaN {
                    let y = at[outL][u], ystar = target[k]
                    switch loss {
                    case .mse:
                        losses[t] += (ystar - y) * (ystar - y)
                        g[u] += 2 * (y - ystar)
                    case .crossEntropy:
                        let tiny = Double.leastNormalMagnitude
                        losses[t] += -ystar * log(max(y, tiny))
                        g[u] += y >= tiny ? -ystar / y : 0
                    }
                    if teacherForcing {
                        ft[outL][u] = ystar
                        f[u] = true
                    }
                }
            }
            fed.append(ft)
            lossGradient.append(g)
            forced.append(f)
        }

        // Reverse pass over the unrolled graph. carry[l] = dE/dfed_l(t), collected from
        // the delay-1 readers at step t+1.
        var gradient = [Double](repeating: 0, count: numParams)
        var carry = zeroState
        for t in stride(from: steps - 1, through: 0, by: -1) {
            var gA = carry   // dE/da_l(t)
            for u in 0..<layers[outL].size where forced[t][u] { gA[outL][u] = 0 }
            for u in 0..<layers[outL].size { gA[outL][u] += lossGradient[t][u] }
            var nextCarry = zeroState
            for l in order.reversed() {
                let gz = Self.backActivate(layers[l].activation, z[t][l], a[t][l], gA[l])
                if let off = layers[l].biasOffset {
                    for i in 0..<layers[l].size { gradient[off + i] += gz[i] }
                }
                for ei in incoming[l] {
                    let e = edges[ei]
                    let src = sourceValue(e, t, a[t])
                    var gSrc = [Double](repeating: 0, count: e.sourceSize)
                    switch e.kind {
                    case .dense:
                        for i in 0..<layers[l].size {
                            for j in 0..<e.sourceSize {
                                if let off = e.offset { gradient[off + i * e.sourceSize + j] += gz[i] * src[j] }
                                gSrc[j] += e.weights[i * e.sourceSize + j] * gz[i]
                            }
                        }
                    case .diagonal:
                        for i in 0..<layers[l].size {
                            if let off = e.offset { gradient[off + i] += gz[i] * src[i] }
                            gSrc[i] += e.weights[i] * gz[i]
                        }
                    case .identity:
                        for i in 0..<layers[l].size { gSrc[i] += e.scale * gz[i] }
                    }
                    guard let s = e.source else { continue }
                    if e.delay == 0 {
                        for j in 0..<e.sourceSize { gA[s][j] += gSrc[j] }
                    } else if t > 0 {
                        for j in 0..<e.sourceSize { nextCarry[s][j] += gSrc[j] }
                    }
                }
            }
            carry = nextCarry
        }
        return Run(outputs: outputs, losses: losses, gradient: gradient, largestActivation: largest)
    }

    // MARK: - Activations

    /// phi(z) for a whole layer.
    static func activate(_ phi: Activation, _ z: [Double]) -> [Double] {
        switch phi {
        case .identity: return z
        case .logistic: return z.map { 1 / (1 + exp(-$0)) }
        case .tanh: return z.map { tanh($0) }
        case .relu: return z.map { $0 > 0 ? $0 : 0 }
        case .softmax:
            let top = z.max() ?? 0
            let e = z.map { exp($0 - top) }
            let sum = e.reduce(0, +)
            return e.map { $0 / sum }
        }
    }

    /// dE/dz = J^T dE/da with J = d phi / dz at z (a = phi(z)); relu'(0) = 0, the full
    /// Jacobian diag(a) - a a^T for softmax.
    static func backActivate(_ phi: Activation, _ z: [Double], _ a: [Double], _ g: [Double]) -> [Double] {
        switch phi {
        case .identity: return g
        case .logistic: return (0..<z.count).map { a[$0] * (1 - a[$0]) * g[$0] }
        case .tanh: return (0..<z.count).map { (1 - a[$0] * a[$0]) * g[$0] }
        case .relu: return (0..<z.count).map { z[$0] > 0 ? g[$0] : 0 }
        case .softmax:
            var dot = 0.0
            for i in 0..<a.count { dot += a[i] * g[i] }
            return (0..<a.count).map { a[$0] * (g[$0] - dot) }
        }
    }
}
