/// Describes a network layer by layer and connection by connection, then builds it.
///
/// ```swift
/// var b = try NetworkBuilder(inputs: 1)
/// try b.addLayer("h", size: 8, activation: .tanh)
/// try b.connect(from: "input", to: "h")
/// try b.connect(from: "h", to: "h", delay: 1)
/// try b.setOutput(layer: "h", units: [0, 1])
/// let net = try b.build(seed: 0)
/// ```
///
/// Every method validates its arguments at once and throws `invalidArgument` naming
/// the problem; a call that throws leaves the builder unchanged. Delay-0 cycles are
/// rejected by ``build(seed:precision:)``.
public struct NetworkBuilder: Sendable {
    /// m, the size of x(t).
    public private(set) var inputs: Int
    public private(set) var layers: [LayerSpec] = []
    public private(set) var connections: [ConnectionSpec] = []
    /// The output layer and the units of it that form y(t), once set.
    public private(set) var output: (layer: String, units: [Int])?

    /// The largest layer size and input count accepted.
    public static let maxLayerSize = 1 << 20

    /// Starts a network with `inputs` input values per step (0 allowed).
    public init(inputs: Int) throws(RTRLError) {
        guard inputs >= 0 && inputs <= NetworkBuilder.maxLayerSize else {
            throw .invalid("builder: n_inputs must be in 0...\(NetworkBuilder.maxLayerSize), got \(inputs)")
        }
        self.inputs = inputs
    }

    /// Adds a layer evaluated once per step: a_L(t) = phi(z_L(t)).
    ///
    /// - Parameters:
    ///   - name: unique, 1–128 bytes, not `input`, without whitespace, `.`, `#` or `>`.
    ///   - size: n_L >= 1.
    ///   - activation: phi_L.
    ///   - bias: whether the layer has a trainable bias `NAME.bias`.
    public mutating func addLayer(
        _ name: String, size: Int, activation: Activation = .tanh, bias: Bool = true
    ) throws(RTRLError) {
        try Self.validateName(name)
        guard name != inputLayerName else {
            throw .invalid("add_layer: \"input\" is reserved for the input pseudo-layer")
        }
        guard !layers.contains(where: { $0.name == name }) else {
            throw .invalid("add_layer: a layer named \"\(name)\" already exists")
        }
        guard size >= 1 && size <= NetworkBuilder.maxLayerSize else {
            throw .invalid("add_layer: layer \"\(name)\" has size \(size); a layer needs 1...\(NetworkBuilder.maxLayerSize) units")
        }
        layers.append(LayerSpec(name: name, size: size, activation: activation, bias: bias))
    }

    /// Connects `from` (a layer or `input`) to `to` (a layer): z_to(t) += W a_from(t - delay).
    ///
    /// - Parameters:
    ///   - delay: 0 (same step; must keep the delay-0 graph acyclic) or 1 (previous step).
    ///   - kind: `dense` (matrix), `diagonal` (vector, equal sizes) or `identity` (fixed copy
    ///     times `scale`, equal sizes).
    ///   - trainable: `nil` means true for dense and diagonal, false for identity; an
    ///     identity connection cannot be trainable.
    ///   - scale: finite. Dense: initial weights are uniform in ±scale/sqrt(fan-in).
    ///     Diagonal: every entry starts at `scale`. Identity: the copy factor.
    public mutating func connect(
        from: String, to: String, delay: Int = 0, kind: ConnectionKind = .dense,
        trainable: Bool? = nil, scale: Double = 1.0
    ) throws(RTRLError) {
        let fromSize: Int
        if from == inputLayerName {
            fromSize = inputs
        } else if let l = layers.first(where: { $0.name == from }) {
            fromSize = l.size
        } else {
            throw .invalid("connect: unknown source layer \"\(from)\" (layers: \(layerList))")
        }
        guard to != inputLayerName else {
            throw .invalid("connect: \"input\" cannot be the target of a connection")
        }
        guard let target = layers.first(where: { $0.name == to }) else {
            throw .invalid("connect: unknown target layer \"\(to)\" (layers: \(layerList))")
        }
        guard delay == 0 || delay == 1 else {
            throw .invalid("connect \(from)->\(to): delay must be 0 or 1, got \(delay)")
        }
        guard scale.isFinite else {
            throw .invalid("connect \(from)->\(to): scale must be finite, got \(scale)")
        }
        if kind == .identity && trainable == true {
            throw .invalid("connect \(from)->\(to): an identity connection cannot be trainable")
        }
        if kind != .dense && fromSize != target.size {
            throw .invalid("connect \(from)->\(to): \(kind == .identity ? "an" : "a") \(kind.rawValue) connection needs equal sizes, got \(fromSize) -> \(target.size)")
        }
        connections.append(ConnectionSpec(
            from: from, to: to, delay: delay, kind: kind,
            trainable: trainable ?? (kind != .identity), scale: scale))
    }

    /// Chooses the output y(t): the units `units` of `layer` in that order, or the whole
    /// layer when `units` is `nil`.
    public mutating func setOutput(layer: String, units: [Int]? = nil) throws(RTRLError) {
        guard let l = layers.first(where: { $0.name == layer }) else {
            throw .invalid("set_output: unknown layer \"\(layer)\" (layers: \(layerList))")
        }
        let chosen = units ?? Array(0..<l.size)
        guard !chosen.isEmpty else {
            throw .invalid("set_output: the list of output units is empty")
        }
        guard chosen.count <= l.size else {
            throw .invalid("set_output: n_outputs = \(chosen.count) exceeds the size \(l.size) of layer \"\(layer)\"")
        }
        var seen = Set<Int>()
        for u in chosen {
            guard u >= 0 && u < l.size else {
                throw .invalid("set_output: unit \(u) is out of range for layer \"\(layer)\" of size \(l.size)")
            }
            guard seen.insert(u).inserted else {
                throw .invalid("set_output: unit \(u) is listed twice")
            }
        }
        output = (layer, chosen)
    }

    /// Builds the network: checks the delay-0 graph for cycles, lays out the parameters
    /// and initialises them from `seed`.
    ///
    /// - Parameters:
    ///   - seed: the seed of the SplitMix64 generator that draws the dense blocks; the same
    ///     seed gives the same weights on every machine.
    ///   - precision: the floating-point type the network computes in.
    public func build(seed: UInt64 = 0, precision: Precision = .f64) throws(RTRLError) -> Network {
        let topology = try _Topology(builder: self)
        return try Network(topology: topology, seed: seed, precision: precision)
    }

    private var layerList: String {
        layers.isEmpty ? "none yet" : layers.map(\.name).joined(separator: ", ")
    }

    static func validateName(_ name: String) throws(RTRLError) {
        let bytes = name.utf8.count
        guard bytes >= 1 && bytes <= 128 else {
            throw .invalid("add_layer: a layer name needs 1 to 128 bytes, got \(bytes)")
        }
        for ch in name.unicodeScalars {
            if ch.properties.isWhitespace || ch.value < 0x20 || ch.value == 0x7f
                || ch == "." || ch == "#" || ch == ">"
            {
                throw .invalid("add_layer: layer name \"\(name)\" may not contain whitespace, control characters, '.', '#' or '>'")
            }
        }
    }
}
