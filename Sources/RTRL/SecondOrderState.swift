/// The covariances and scratch of the second-order learners — the EKF, the decoupled
/// EKF and the RLS readout — allocated by `configure` when one of them is chosen.
///
/// - Complexity: memory O(N^2) for the EKF, O(sum of the group sizes squared) for the
///   DEKF, O(d^2) for an RLS readout with d inputs (including the bias).
final class _SecondOrderState<S: _Scalar> {
    /// Every covariance block, concatenated (saved with the learner).
    let covariance: UnsafeMutableBufferPointer<S>
    /// Kalman groups: the parameters of group g are `order[groupStart[g] ..< groupStart[g+1]]`;
    /// its covariance block starts at `blockStart[g]`.
    let order: UnsafeMutableBufferPointer<Int>
    let groupStart: UnsafeMutableBufferPointer<Int>
    let blockStart: UnsafeMutableBufferPointer<Int>
    /// True when there is one group holding every parameter in flat order (the global EKF).
    let identityOrder: Bool
    /// Scratch for the Kalman update: H, H in group order, M^T = H P, K^T (k x N each),
    /// the k x k innovation covariance and its inverse, the parameter change.
    let h, hGrouped, mt, kt: UnsafeMutablePointer<S>
    let innovation, inverse, cholesky: UnsafeMutablePointer<S>
    let change: UnsafeMutablePointer<S>
    let errors: UnsafeMutablePointer<S>
    /// RLS readout: the regressor u, P u and the gain (d each); the blocks it trains.
    let regressor, projected, gain: UnsafeMutablePointer<S>
    let readoutEdges: UnsafeMutableBufferPointer<Int>
    let readoutSize: Int
    private let scratchStorage: UnsafeMutablePointer<S>
    /// The number of scratch scalars.
    let scratchCount: Int

    var groupCount: Int { groupStart.count - 1 }
    let numParams: Int
    let numRows: Int

    /// An independent copy (covariances included).
    func clone() -> _SecondOrderState<S> {
        let groups = (0..<groupCount).map { g in Array(order[groupStart[g] ..< groupStart[g + 1]]) }
        let c = _SecondOrderState(groups: groups, numParams: numParams, numRows: numRows,
                                  readoutEdges: Array(readoutEdges), readoutSize: readoutSize, p0: 1)
        c.covariance.baseAddress!.update(from: covariance.baseAddress!, count: covariance.count)
        return c
    }

    /// - Parameters:
    ///   - groups: the Kalman groups (flat parameter indices), empty for the RLS readout.
    ///   - readoutEdges: the output layer's dense trainable edges (RLS only).
    ///   - readoutSize: d, the RLS regressor's length (0 without an RLS readout).
    init(groups: [[Int]], numParams n: Int, numRows k: Int, readoutEdges: [Int], readoutSize d: Int, p0: Double) {
        numParams = n
        numRows = k
        var order: [Int] = [], starts: [Int] = [0], blocks: [Int] = [0]
        for g in groups {
            order.append(contentsOf: g)
            starts.append(order.count)
            blocks.append(blocks.last! + g.count * g.count)
        }
        identityOrder = groups.count == 1 && order == Array(0..<n)
        let covCount = blocks.last! + d * d
        let cov = UnsafeMutableBufferPointer<S>.allocate(capacity: max(covCount, 1))
        cov.initialize(repeating: 0)
        covariance = UnsafeMutableBufferPointer(rebasing: cov[0..<covCount])
        func buffer(_ a: [Int]) -> UnsafeMutableBufferPointer<Int> {
            let p = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(a.count, 1))
            _ = p.initialize(from: a)
            return UnsafeMutableBufferPointer(rebasing: p[0..<a.count])
        }
        self.order = buffer(order)
        groupStart = buffer(starts)
        blockStart = buffer(blocks)
        self.readoutEdges = buffer(readoutEdges)
        readoutSize = d
        let kalman = groups.isEmpty ? 0 : 1
        let sizes = [k * n * kalman, k * n * kalman, k * n * kalman, k * n * kalman,
                     k * k, k * k, k * k, n * kalman, k, d, d, d]
        scratchCount = sizes.reduce(0, +)
        let storage = UnsafeMutablePointer<S>.allocate(capacity: max(sizes.reduce(0, +), 1))
        storage.initialize(repeating: 0, count: max(sizes.reduce(0, +), 1))
        scratchStorage = storage
        var at = 0
        func take(_ c: Int) -> UnsafeMutablePointer<S> { defer { at += c }; return storage + at }
        h = take(sizes[0]); hGrouped = take(sizes[1]); mt = take(sizes[2]); kt = take(sizes[3])
        innovation = take(sizes[4]); inverse = take(sizes[5]); cholesky = take(sizes[6])
        change = take(sizes[7]); errors = take(sizes[8])
        regressor = take(sizes[9]); projected = take(sizes[10]); gain = take(sizes[11])
        reset(p0: p0)
    }

    deinit {
        covariance.baseAddress?.deallocate()
        order.baseAddress?.deallocate()
        groupStart.baseAddress?.deallocate()
        blockStart.baseAddress?.deallocate()
        readoutEdges.baseAddress?.deallocate()
        scratchStorage.deallocate()
    }

    /// Every covariance block back to I / p0.
    func reset(p0: Double) {
        covariance.update(repeating: 0)
        let diag = S(1 / p0)
        for g in 0..<groupCount {
            let m = groupStart[g + 1] - groupStart[g]
            let b = covariance.baseAddress! + blockStart[g]
            for i in 0..<m { b[i * m + i] = diag }
        }
        let d = readoutSize
        if d > 0 {
            let b = covariance.baseAddress! + blockStart[groupCount]
            for i in 0..<d { b[i * d + i] = diag }
        }
    }

    /// Kalman group g's covariance block back to I / p0.
    func reset(group g: Int, p0: Double) {
        let m = groupStart[g + 1] - groupStart[g]
        let b = covariance.baseAddress! + blockStart[g]
        b.update(repeating: 0, count: m * m)
        for i in 0..<m { b[i * m + i] = S(1 / p0) }
    }

    /// The number of covariance entries a configuration needs, before allocating it.
    static func entries(groups: [[Int]], readoutSize d: Int) -> Int {
        var total = d.multipliedReportingOverflow(by: d).overflow ? Int.max : d * d
        for g in groups {
            let (sq, o1) = g.count.multipliedReportingOverflow(by: g.count)
            let (sum, o2) = total.addingReportingOverflow(sq)
            total = o1 || o2 ? Int.max : sum
        }
        return total
    }
}

extension _Engine {
    /// The Kalman groups and RLS readout a configuration needs (nil when it needs none),
    /// checked against the output layer and `maxCovarianceEntries`.
    func _secondOrderPlan(_ c: TrainingConfiguration) throws(RTRLError) -> (groups: [[Int]], readoutEdges: [Int], readoutSize: Int)? {
        var groups: [[Int]] = []
        var readout: [Int] = []
        var d = 0
        switch c.optimizer {
        case .ekf:
            groups = numParams > 0 ? [Array(0..<numParams)] : []
        case .dekf:
            groups = _unitGroups()
        default:
            break
        }
        if c.readout == .rls {
            let out = program.steps[program.outputStep]
            let name = topo.layers[out.layer].name
            guard out.activation == .identity else {
                throw .invalid("configure: readout rls needs an identity output layer; \"\(name)\" is \(out.activation.rawValue)")
            }
            for k in out.edges {
                let e = program.edges[k]
                guard e.paramOffset >= 0 else { continue }
                guard e.kind == .dense else {
                    throw .invalid("configure: readout rls supports dense blocks and a bias into the output layer; \"\(name)\" has a trainable diagonal block")
                }
                readout.append(k)
                d += e.sourceSize
            }
            if out.biasOffset >= 0 { d += 1 }
            guard d > 0 else { throw .invalid("configure: readout rls: the output layer \"\(name)\" has no trainable blocks") }
        }
        if groups.isEmpty && d == 0 { return nil }
        let entries = _SecondOrderState<S>.entries(groups: groups, readoutSize: d)
        guard entries <= c.maxCovarianceEntries else {
            throw RTRLError(.outOfMemory, "configure: \(c.optimizer.isKalman ? c.optimizer.rawValue : "the rls readout") needs \(entries) covariance entries, more than max_covariance_entries = \(c.maxCovarianceEntries) (use dekf, a smaller network, or raise the bound)")
        }
        return (groups, readout, d)
    }

    /// The decoupled EKF's groups: for each layer and each of its units, the unit's
    /// incoming trainable weights (its row of every dense block, its entry of every
    /// diagonal block, its bias).
    func _unitGroups() -> [[Int]] {
        var groups: [[Int]] = []
        for l in topo.layers.indices {
            let step = program.steps[program.stepOfLayer[l]]
            for i in 0..<step.size {
                var g: [Int] = []
                for k in step.edges {
                    let e = program.edges[k]
                    guard e.paramOffset >= 0 else { continue }
                    if e.kind == .dense {
                        g.append(contentsOf: (e.paramOffset + i * e.sourceSize)..<(e.paramOffset + (i + 1) * e.sourceSize))
                    } else {
                        g.append(e.paramOffset + i)
                    }
                }
                if step.biasOffset >= 0 { g.append(step.biasOffset + i) }
                if !g.isEmpty { groups.append(g) }
            }
        }
        return groups
    }
}
