/// Which sensitivity matrices a network keeps and how each is computed: the schedule of
/// the RTRL recurrence, fixed at build time.
///
/// A layer L keeps P_L(t) = d a_L(t) / d theta only for the parameters that can reach it
/// (the blocks of every layer M with a path M -> ... -> L over connections of any delay),
/// in the flat order; those are its *columns*. A layer keeps no P at all when no later
/// step and no other layer's P reads it — it is not the source of a delay-1 connection
/// and every delay-0 consumer also keeps none (the set `pFree`): the loss gradient then
/// reaches it as a vector–Jacobian product within the step, on its sources' P.
struct _SensitivityPlan: Sendable, Equatable {
    /// A run of columns: `count` columns at `global` in the flat vector, at `local` in P_L.
    struct Segment: Sendable, Equatable {
        var global: Int
        var local: Int
        var count: Int
    }

    /// Part of one source's contribution W_c P_S(t - d): source columns `src ..< src+count`
    /// land in target columns `dst ..< dst+count`, added to what is there (`accumulate`)
    /// or written over it (the first contribution to those columns).
    struct Piece: Sendable, Equatable {
        var src: Int
        var dst: Int
        var count: Int
        var accumulate: Bool
    }

    struct Layer: Sendable, Equatable {
        /// True when the layer keeps a sensitivity matrix.
        var hasP = false
        /// The layer is the source of a delay-1 connection: its P(t-1) is read at step t.
        /// (Every P is kept in two buffers, P(t) and P(t-1), so that a refused step can be
        /// undone by swapping them back.)
        var delay1Source = false
        /// No P kept: the gradient through this layer is a vector–Jacobian product.
        var pFree = false
        /// The number of columns of P_L.
        var cols = 0
        var segments: [Segment] = []
        /// For each incoming connection whose source keeps a P: the pieces of its product.
        var products: [(connection: Int, pieces: [Piece])] = []
        /// Column runs no product writes: set to zero before the immediate term.
        var zeroRuns: [Range<Int>] = []

        static func == (a: Layer, b: Layer) -> Bool {
            // (products compared by their parts: tuples are not Equatable)
            a.hasP == b.hasP && a.delay1Source == b.delay1Source && a.pFree == b.pFree
                && a.cols == b.cols && a.segments == b.segments && a.zeroRuns == b.zeroRuns
                && a.products.map(\.connection) == b.products.map(\.connection)
                && a.products.map(\.pieces) == b.products.map(\.pieces)
        }
    }

    let layers: [Layer]

    /// The number of sensitivity entries kept (both buffers of every P counted).
    let sensitivityEntries: Int

    /// Exact RTRL needs no more than one sensitivity per parameter: every layer that keeps
    /// a P is element-wise (not softmax) and its only inputs from layers are delay-1
    /// diagonal or identity connections from itself. Then P_L[i, j] is non-zero only for
    /// the unit i that parameter j writes to, and the per-parameter recurrence of SnAp-1
    /// is exact (O(N) per step).
    let diagonalExact: Bool

    /// A layer without P reads a layer with P through a delay-1 connection, so the
    /// gradient needs the sensitivities of step t-1 as well as t.
    let previousSensitivityRead: Bool

    init(_ topo: _Topology) {
        let n = topo.layers.count
        var isDelay1Source = [Bool](repeating: false, count: n)
        var consumers0 = [[Int]](repeating: [], count: n)
        var successors = [[Int]](repeating: [], count: n)
        for c in topo.connections.indices where topo.source[c] >= 0 {
            let s = topo.source[c], t = topo.target[c]
            if topo.connections[c].delay == 1 { isDelay1Source[s] = true } else { consumers0[s].append(t) }
            successors[s].append(t)
        }

        var plans = [Layer](repeating: Layer(), count: n)
        for l in topo.order.reversed() {
            plans[l].pFree = !isDelay1Source[l] && consumers0[l].allSatisfy { plans[$0].pFree }
        }

        // reach[l][m]: the parameters of layer m can reach layer l.
        var reach = [[Bool]](repeating: [Bool](repeating: false, count: n), count: n)
        for m in 0..<n {
            var stack = [m]
            reach[m][m] = true
            while let cur = stack.popLast() {
                for s in successors[cur] where !reach[s][m] {
                    reach[s][m] = true
                    stack.append(s)
                }
            }
        }

        for l in 0..<n where !plans[l].pFree {
            var segments: [Segment] = []
            var local = 0
            for m in 0..<n where reach[l][m] && !topo.layerParams[m].isEmpty {
                let r = topo.layerParams[m]
                if var last = segments.last, last.global + last.count == r.lowerBound {
                    last.count += r.count
                    segments[segments.count - 1] = last
                } else {
                    segments.append(Segment(global: r.lowerBound, local: local, count: r.count))
                }
                local += r.count
            }
            plans[l].segments = segments
            plans[l].cols = local
            plans[l].hasP = local > 0
            plans[l].delay1Source = local > 0 && isDelay1Source[l]
        }

        for l in 0..<n where plans[l].hasP {
            var covered = [Bool](repeating: false, count: plans[l].cols)
            for c in topo.incoming[l] {
                let s = topo.source[c]
                guard s >= 0, plans[s].hasP else { continue }
                var pieces: [Piece] = []
                for seg in plans[s].segments {
                    // reach(S) is inside reach(L), so a source segment lies in one target segment.
                    let dst = _SensitivityPlan.local(of: seg.global, in: plans[l].segments)
                    var k = 0
                    while k < seg.count {
                        let acc = covered[dst + k]
                        var e = k
                        while e < seg.count && covered[dst + e] == acc { e += 1 }
                        pieces.append(Piece(src: seg.local + k, dst: dst + k, count: e - k, accumulate: acc))
                        for j in k..<e { covered[dst + j] = true }
                        k = e
                    }
                }
                plans[l].products.append((c, pieces))
            }
            var runs: [Range<Int>] = []
            var k = 0
            while k < covered.count {
                if covered[k] { k += 1; continue }
                var e = k
                while e < covered.count && !covered[e] { e += 1 }
                runs.append(k..<e)
                k = e
            }
            plans[l].zeroRuns = runs
        }
        layers = plans
        var entries = 0
        for (spec, p) in zip(topo.layers, plans) where p.hasP {
            let (one, o1) = spec.size.multipliedReportingOverflow(by: p.cols)
            let (both, o2) = one.multipliedReportingOverflow(by: 2)
            let (sum, o3) = entries.addingReportingOverflow(both)
            entries = (o1 || o2 || o3) ? Int.max : sum
        }
        sensitivityEntries = entries

        var diagonal = true, previous = false
        for c in topo.connections.indices where topo.source[c] >= 0 {
            let s = topo.source[c], t = topo.target[c], spec = topo.connections[c]
            if !plans[t].pFree {
                if topo.layers[t].activation == .softmax { diagonal = false }
                if !(s == t && spec.delay == 1 && spec.kind != .dense) { diagonal = false }
            } else if !plans[s].pFree && spec.delay == 1 {
                previous = true
            }
        }
        for (l, p) in plans.enumerated() where !p.pFree && topo.layers[l].activation == .softmax {
            diagonal = false
        }
        diagonalExact = diagonal
        previousSensitivityRead = previous
    }

    /// The column of P_L holding flat parameter `global` (which must reach L).
    static func local(of global: Int, in segments: [Segment]) -> Int {
        for s in segments where global >= s.global && global < s.global + s.count {
            return s.local + (global - s.global)
        }
        return -1
    }

    func local(layer l: Int, global: Int) -> Int {
        _SensitivityPlan.local(of: global, in: layers[l].segments)
    }
}
