/// A network's architecture with every name resolved to an index: the layers in
/// evaluation order, each connection's source and target, and the layout of every
/// weight block. Built once, immutable.
struct _Topology: Sendable, Equatable {
    /// What a block holds.
    enum BlockKind: UInt8, Sendable { case dense, diagonal, bias }

    /// One named block of weights.
    struct Block: Sendable, Equatable {
        var name: String
        var kind: BlockKind
        var rows: Int
        var cols: Int
        var trainable: Bool
        /// The layer whose z the block feeds.
        var layer: Int
        /// The connection it belongs to (`nil` for a bias).
        var connection: Int?
        /// Offset in the flat parameter vector (trainable) or in the fixed-weight storage.
        var offset: Int
        var count: Int { rows * cols }
    }

    let inputs: Int
    let layers: [LayerSpec]
    let connections: [ConnectionSpec]
    let outputLayer: Int
    let outputUnits: [Int]

    /// Per connection: the source layer's index, or -1 for `input`.
    let source: [Int]
    /// Per connection: the target layer's index.
    let target: [Int]
    /// Layer indices in evaluation order (a topological order of the delay-0 graph).
    let order: [Int]
    /// Per layer: the connections into it, in creation order.
    let incoming: [[Int]]
    /// All blocks with a size > 0: per layer in creation order, its incoming connections in
    /// creation order, then its bias.
    let blocks: [Block]
    /// Per connection: its block's index (nil for identity connections and empty blocks).
    let connectionBlock: [Int?]
    /// Per layer: its bias block's index.
    let biasBlock: [Int?]
    /// N, the number of trainable parameters.
    let numParams: Int
    /// The number of fixed weights.
    let numFixed: Int
    /// Per layer: the range of the flat parameter vector holding the blocks that feed it.
    let layerParams: [Range<Int>]
    /// Per layer: the fan-in used to initialise its dense blocks.
    let fanIn: [Int]

    var numOutputs: Int { outputUnits.count }

    func size(ofSource s: Int) -> Int { s < 0 ? inputs : layers[s].size }

    init(builder b: NetworkBuilder) throws(RTRLError) {
        guard !b.layers.isEmpty else { throw .invalid("build: the network has no layers") }
        guard let out = b.output else {
            throw .invalid("build: no output set (call set_output with a layer and its units)")
        }
        inputs = b.inputs
        layers = b.layers
        connections = b.connections
        var index: [String: Int] = [:]
        for (i, l) in layers.enumerated() { index[l.name] = i }
        // The builder validated every name when it was added.
        guard let outIndex = index[out.layer] else { throw .invalid("build: unknown output layer \"\(out.layer)\"") }
        outputLayer = outIndex
        outputUnits = out.units
        source = connections.map { $0.from == inputLayerName ? -1 : index[$0.from] ?? -1 }
        target = connections.map { index[$0.to] ?? 0 }
        var inc = [[Int]](repeating: [], count: layers.count)
        for (c, t) in target.enumerated() { inc[t].append(c) }
        incoming = inc
        order = try _Topology.evaluationOrder(layers: layers, connections: connections, source: source, target: target)

        var fan = [Int](repeating: 0, count: layers.count)
        for (c, t) in target.enumerated() { fan[t] += source[c] < 0 ? b.inputs : layers[source[c]].size }
        for (l, spec) in layers.enumerated() where spec.bias { fan[l] += 1 }
        fanIn = fan

        // Block names: FROM->TO, FROM->TO#2, ... per (from, to) pair, identity excluded.
        var pairCount: [String: Int] = [:]
        var names = [String?](repeating: nil, count: connections.count)
        for (c, spec) in connections.enumerated() where spec.kind != .identity {
            let base = "\(spec.from)->\(spec.to)"
            let k = (pairCount[base] ?? 0) + 1
            pairCount[base] = k
            names[c] = k == 1 ? base : "\(base)#\(k)"
        }

        var blocks: [Block] = []
        var cb = [Int?](repeating: nil, count: connections.count)
        var bb = [Int?](repeating: nil, count: layers.count)
        var ranges: [Range<Int>] = []
        var nParams = 0, nFixed = 0
        for l in layers.indices {
            let start = nParams
            func add(_ block: Block) -> Int {
                var block = block
                if block.trainable {
                    block.offset = nParams
                    nParams += block.count
                } else {
                    block.offset = nFixed
                    nFixed += block.count
                }
                blocks.append(block)
                return blocks.count - 1
            }
            for c in inc[l] {
                let spec = connections[c]
                guard spec.kind != .identity, let name = names[c] else { continue }
                let n = layers[l].size
                let (rows, cols) = spec.kind == .dense ? (n, source[c] < 0 ? b.inputs : layers[source[c]].size) : (n, 1)
                if rows * cols == 0 { continue }
                cb[c] = add(Block(name: name, kind: spec.kind == .dense ? .dense : .diagonal,
                                  rows: rows, cols: cols, trainable: spec.trainable,
                                  layer: l, connection: c, offset: 0))
            }
            if layers[l].bias {
                bb[l] = add(Block(name: "\(layers[l].name).bias", kind: .bias, rows: layers[l].size,
                                  cols: 1, trainable: true, layer: l, connection: nil, offset: 0))
            }
            ranges.append(start..<nParams)
        }
        self.blocks = blocks
        connectionBlock = cb
        biasBlock = bb
        numParams = nParams
        numFixed = nFixed
        layerParams = ranges
    }

    /// A topological order of the delay-0 graph (Kahn's algorithm, lowest creation index
    /// first among the ready layers); throws naming a cycle if there is one.
    static func evaluationOrder(
        layers: [LayerSpec], connections: [ConnectionSpec], source: [Int], target: [Int]
    ) throws(RTRLError) -> [Int] {
        let n = layers.count
        var indegree = [Int](repeating: 0, count: n)
        var next = [[Int]](repeating: [], count: n)
        for c in connections.indices where connections[c].delay == 0 && source[c] >= 0 {
            indegree[target[c]] += 1
            next[source[c]].append(target[c])
        }
        var order: [Int] = []
        var ready = (0..<n).filter { indegree[$0] == 0 }
        while !ready.isEmpty {
            let l = ready.min()!
            ready.removeAll { $0 == l }
            order.append(l)
            for m in next[l] {
                indegree[m] -= 1
                if indegree[m] == 0 { ready.append(m) }
            }
        }
        if order.count == n { return order }
        // Name one cycle: every unsorted layer has an unsorted delay-0 predecessor, so
        // walking backwards inside the unsorted rest must come back to a layer seen before.
        let rest = Set((0..<n).filter { indegree[$0] > 0 })
        var prev = [[Int]](repeating: [], count: n)
        for l in 0..<n { for m in next[l] { prev[m].append(l) } }
        var path: [Int] = [rest.min()!]
        var seen: [Int: Int] = [path[0]: 0]
        while true {
            let pred = prev[path.last!].filter { rest.contains($0) }.min()!
            if let at = seen[pred] {
                let cycle = (Array(path[at...]) + [pred]).reversed()
                let text = cycle.map { layers[$0].name }.joined(separator: " -> ")
                throw .invalid("build: the delay-0 connections form a cycle (\(text)); give one of them delay 1")
            }
            seen[pred] = path.count
            path.append(pred)
        }
    }
}
