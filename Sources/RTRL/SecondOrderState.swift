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

    var groupCount: Int { groupStart.count - 1 }

    /// - Parameters:
    ///   - groups: the Kalman groups (flat parameter indices), empty for the RLS readout.
    ///   - readoutEdges: the output layer's dense trainable edges (RLS only).
    ///   - readoutSize: d, the RLS regressor's length (0 without an RLS readout).
    init(groups: [[Int]], numParams n: Int, numRows k: Int, readoutEdges: [Int], readoutSize d: Int, p0: Double) {
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
