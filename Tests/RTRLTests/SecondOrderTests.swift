import Testing
import RTRL

// The second-order learners: the EKF with RTRL Jacobians, the decoupled EKF, the RLS
// readout. Each is checked against an independent computation in the test.

/// A linear network y = W x + b (identity layer, no recurrence): H is known exactly.
private func linearNet(inputs: Int, outputs: Int, seed: UInt64 = 1) throws -> Network {
    var b = try NetworkBuilder(inputs: inputs)
    try b.addLayer("out", size: outputs, activation: .identity, bias: true)
    try b.connect(from: "input", to: "out")
    try b.setOutput(layer: "out")
    return try b.build(seed: seed)
}

/// Deterministic pseudo-random values in [-1, 1).
private struct Draws {
    var state: UInt64
    mutating func next() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) * 0x1.0p-53 * 2 - 1
    }
}

/// Recursive least squares (lambda = 1) for one output: w += k e, P -= k u^T P.
private struct ReferenceRLS {
    var w: [Double]
    var p: [[Double]]
    init(w: [Double], p0: Double) {
        self.w = w
        p = (0..<w.count).map { i in (0..<w.count).map { $0 == i ? 1 / p0 : 0 } }
    }
    mutating func update(u: [Double], target: Double, r: Double) {
        let n = w.count
        let pu = (0..<n).map { i in (0..<n).reduce(0.0) { $0 + p[i][$1] * u[$1] } }
        let denom = r + (0..<n).reduce(0.0) { $0 + u[$1] * pu[$1] }
        let k = pu.map { $0 / denom }
        let e = target - (0..<n).reduce(0.0) { $0 + w[$1] * u[$1] }
        for i in 0..<n { w[i] += k[i] * e }
        for i in 0..<n { for j in 0..<n { p[i][j] -= k[i] * pu[j] } }
    }
}

@Suite struct SecondOrderTests {
    /// On a linear network with q = 0 and r = 1, the EKF is recursive least squares.
    @Test func ekfOnALinearNetworkIsRecursiveLeastSquares() throws {
        let net = try linearNet(inputs: 3, outputs: 1)
        var c = TrainingConfiguration()
        c.optimizer = .ekf
        c.ekfR = 1
        c.ekfQ = 0
        c.p0 = 0.1
        try net.configure(c)
        // Flat order: input->out (1 x 3), then out.bias: the regressor is (x, 1).
        var rls = ReferenceRLS(w: net.parameters(), p0: 0.1)
        var draw = Draws(state: 7)
        var worst = 0.0
        for _ in 0..<200 {
            let x = [draw.next(), draw.next(), draw.next()]
            let target = 0.7 * x[0] - 0.2 * x[1] + 0.4 * x[2] + 0.1 + 0.05 * draw.next()
            try net.feed(x)
            try net.learn([target])
            rls.update(u: x + [1], target: target, r: 1)
            let p = net.parameters()
            for i in 0..<p.count { worst = max(worst, abs(p[i] - rls.w[i]) / max(1, abs(rls.w[i]))) }
        }
        #expect(worst < 1e-12, "EKF vs RLS: worst relative difference \(worst)")
        #expect(abs(rls.w[0] - 0.7) < 0.05 && abs(rls.w[3] - 0.1) < 0.05)
    }

    /// One EKF step with two parameters, written out by hand.
    @Test func oneEkfStepByHand() throws {
        let net = try linearNet(inputs: 1, outputs: 1)
        try net.setParameters([0.5, -0.25])  // w, b
        var c = TrainingConfiguration()
        c.optimizer = .ekf
        c.ekfR = 0.5
        c.ekfQ = 0.01
        c.p0 = 0.5  // P = 2 I
        try net.configure(c)
        try net.feed([2.0])
        // y = 0.5 * 2 - 0.25 = 0.75; target 1.75 -> e = 1.
        // H = [2, 1]; P H^T = [4, 2]; A = H P H^T + r = 8 + 2 + 0.5 = 10.5
        // K = [4, 2] / 10.5; theta += K e -> [0.5 + 4/10.5, -0.25 + 2/10.5]
        let loss = try net.learn([1.75])
        #expect(loss == 1.0)
        let p = net.parameters()
        #expect(abs(p[0] - (0.5 + 4 / 10.5)) < 1e-15)
        #expect(abs(p[1] - (-0.25 + 2 / 10.5)) < 1e-15)
        // P = P - K H P + q I = [[2 - 16/10.5 + 0.01, -8/10.5], [-8/10.5, 2 - 4/10.5 + 0.01]].
        // Check it through a second step: x = 1, target = y + 1.
        try net.feed([1.0])
        let y = net.output()[0]
        let p11 = 2 - 16 / 10.5 + 0.01, p12 = -8 / 10.5, p22 = 2 - 4 / 10.5 + 0.01
        // H = [1, 1]: P H^T = [p11 + p12, p12 + p22]; A = sum + r.
        let ph = [p11 + p12, p12 + p22]
        let a = ph[0] + ph[1] + 0.5
        try net.learn([y + 1])
        let p2 = net.parameters()
        #expect(abs(p2[0] - (p[0] + ph[0] / a)) < 1e-14)
        #expect(abs(p2[1] - (p[1] + ph[1] / a)) < 1e-14)
    }

    /// Several outputs: the k x k innovation covariance, against a full-matrix EKF.
    @Test func ekfWithThreeOutputsAndMaskedTargets() throws {
        let net = try linearNet(inputs: 2, outputs: 3)
        var c = TrainingConfiguration()
        c.optimizer = .ekf
        c.ekfR = 0.3
        c.ekfQ = 1e-4
        c.p0 = 0.2
        try net.configure(c)
        let n = net.numParams  // 3 x 2 weights, then 3 biases
        var theta = net.parameters()
        var p = (0..<n).map { i in (0..<n).map { $0 == i ? 5.0 : 0 } }
        var draw = Draws(state: 3)
        var worst = 0.0
        for step in 0..<60 {
            let x = [draw.next(), draw.next()]
            var t = [draw.next(), draw.next(), draw.next()]
            if step % 3 == 1 { t[1] = .nan }
            try net.feed(x)
            let y = net.output()
            try net.learn(t)
            // Reference: rows of H for the units with a target.
            let rows = (0..<3).filter { !t[$0].isNaN }
            let h: [[Double]] = rows.map { r in
                var row = [Double](repeating: 0, count: n)
                row[r * 2] = x[0]; row[r * 2 + 1] = x[1]; row[6 + r] = 1
                return row
            }
            let e = rows.map { t[$0] - y[$0] }
            let k = rows.count
            let mt = h.map { hr in (0..<n).map { j in (0..<n).reduce(0.0) { $0 + hr[$1] * p[$1][j] } } }
            var a = (0..<k).map { i in (0..<k).map { j in (0..<n).reduce(0.0) { $0 + mt[i][$1] * h[j][$1] } + (i == j ? 0.3 : 0) } }
            let ainv = invert(&a)
            let kt = (0..<k).map { i in (0..<n).map { j in (0..<k).reduce(0.0) { $0 + ainv[i][$1] * mt[$1][j] } } }
            for j in 0..<n { theta[j] += (0..<k).reduce(0.0) { $0 + kt[$1][j] * e[$1] } }
            for i in 0..<n { for j in 0..<n { p[i][j] -= (0..<k).reduce(0.0) { $0 + kt[$1][i] * mt[$1][j] } } }
            for i in 0..<n { p[i][i] += 1e-4 }
            let got = net.parameters()
            for j in 0..<n { worst = max(worst, abs(got[j] - theta[j])) }
        }
        #expect(worst < 1e-11, "worst difference \(worst)")
    }

    /// The decoupled EKF with a single group is the global EKF, bit for bit.
    @Test func dekfWithOneGroupIsEkf() throws {
        var runs: [[Double]] = []
        for opt in [OptimizerKind.ekf, .dekf] {
            // A recurrent unit: one layer of size 1, so the DEKF has a single group.
            var b = try NetworkBuilder(inputs: 2)
            try b.addLayer("u", size: 1, activation: .tanh)
            try b.connect(from: "input", to: "u")
            try b.connect(from: "u", to: "u", delay: 1)
            try b.setOutput(layer: "u")
            let net = try b.build(seed: 4)
            var c = TrainingConfiguration()
            c.optimizer = opt
            try net.configure(c)
            var draw = Draws(state: 11)
            var trace: [Double] = []
            for _ in 0..<100 {
                let x = [draw.next(), draw.next()]
                let (y, _) = try net.step(x, target: [0.5 * x[0]])
                trace += y + net.parameters()
            }
            runs.append(trace)
        }
        #expect(runs[0] == runs[1])
    }

    /// The DEKF's groups: with several units it differs from the EKF but learns.
    @Test func dekfLearnsAnElmanNetwork() throws {
        let net = try Network.elman(inputs: 1, hidden: 6, outputs: 1, seed: 2)
        var c = TrainingConfiguration()
        c.optimizer = .dekf
        c.ekfQ = 1e-5
        try net.configure(c)
        var errs: [Double] = []
        for t in 0..<1500 {
            let x = 0.8 * sinApprox(0.3 * Double(t))
            let target = 0.8 * sinApprox(0.3 * Double(t + 1))
            let (_, loss) = try net.step([x], target: [target])
            if t >= 1300 { errs.append(loss!) }
        }
        let mse = errs.reduce(0, +) / Double(errs.count)
        #expect(mse < 1e-3, "DEKF on a sine, last 200 steps: mse \(mse)")
    }

    /// EKF with RTRL Jacobians on recurrent nets: the update equals a full-matrix EKF whose
    /// H is read from the exact gradient (g = -2 e H for one output).
    @Test(arguments: ["fully_recurrent", "elman", "jordan"])
    func ekfUsesTheExactRecurrentJacobian(_ preset: String) throws {
        func make() throws -> Network {
            switch preset {
            case "fully_recurrent": return try Network.fullyRecurrent(inputs: 1, units: 3, outputs: 1, seed: 5)
            case "elman": return try Network.elman(inputs: 1, hidden: 3, outputs: 1, seed: 5)
            default: return try Network.jordan(inputs: 1, hidden: 3, outputs: 1, seed: 5)
            }
        }
        let net = try make()
        let probe = try make()  // same weights; accumulate only, to read the gradient
        var c = TrainingConfiguration()
        c.optimizer = .ekf
        c.ekfR = 0.7
        c.ekfQ = 1e-5
        c.p0 = 0.1
        try net.configure(c)
        let n = net.numParams
        var p = (0..<n).map { i in (0..<n).map { $0 == i ? 10.0 : 0 } }
        var worst = 0.0
        for t in 0..<40 {
            let x = [sinApprox(0.5 * Double(t))]
            let target = 0.5 * sinApprox(0.5 * Double(t + 1))
            try probe.setParameters(net.parameters())
            try probe.feed(x)
            probe.zeroGrad()
            try probe.accumulate([target])
            try net.feed(x)
            let y = net.output()[0]
            let before = net.parameters()
            try net.learn([target])
            let e = target - y
            guard abs(e) > 1e-6 else { continue }
            let h = probe.gradient().map { $0 / (-2 * e) }
            let ph = (0..<n).map { i in (0..<n).reduce(0.0) { $0 + p[i][$1] * h[$1] } }
            let a = (0..<n).reduce(0.0) { $0 + h[$1] * ph[$1] } + 0.7
            let k = ph.map { $0 / a }
            let expected = (0..<n).map { before[$0] + k[$0] * e }
            let got = net.parameters()
            for j in 0..<n { worst = max(worst, abs(got[j] - expected[j]) / max(1, abs(expected[j]))) }
            for i in 0..<n { for j in 0..<n { p[i][j] -= k[i] * ph[j] } }
            for i in 0..<n { p[i][i] += 1e-5 }
        }
        #expect(worst < 1e-9, "\(preset): worst relative difference \(worst)")
    }

    /// The RLS readout on an Elman network whose recurrent part does not learn (lr 0) is
    /// recursive least squares on the hidden activations.
    @Test func rlsReadoutIsRecursiveLeastSquaresOnTheHiddenState() throws {
        let net = try Network.elman(inputs: 1, hidden: 4, outputs: 1, seed: 3)
        var c = TrainingConfiguration()
        c.learningRate = 0
        c.readout = .rls
        c.rlsLambda = 1
        c.p0 = 0.1
        try net.configure(c)
        let wIn = try net.block(named: "input->hidden"), wHH = try net.block(named: "hidden->hidden")
        let bH = try net.block(named: "hidden.bias")
        let wOut = net.paramBlocks.first { $0.name == "hidden->output" }!.offset!
        let bOut = net.paramBlocks.first { $0.name == "output.bias" }!.offset!
        let p0 = net.parameters()
        var rls = ReferenceRLS(w: Array(p0[wOut ..< wOut + 4]) + [p0[bOut]], p0: 0.1)
        var h = [Double](repeating: 0, count: 4)
        var worst = 0.0
        for t in 0..<150 {
            let x = sinApprox(0.4 * Double(t))
            let target = 0.3 * sinApprox(0.4 * Double(t) + 0.6)
            // The hidden state, recomputed in the test from the fixed hidden weights.
            h = (0..<4).map { i in
                var z = wIn[i] * x + bH[i]
                for j in 0..<4 { z += wHH[i * 4 + j] * h[j] }
                return tanhApprox(z)
            }
            try net.feed([x])
            try net.learn([target])
            rls.update(u: h + [1], target: target, r: 1)
            let got = net.parameters()
            let w = Array(got[wOut ..< wOut + 4]) + [got[bOut]]
            for i in 0..<5 { worst = max(worst, abs(w[i] - rls.w[i]) / max(1, abs(rls.w[i]))) }
            // The hidden weights never move (lr 0, readout excluded from the gradient).
            #expect(Array(got[0 ..< wOut]) == Array(p0[0 ..< wOut]))
        }
        #expect(worst < 1e-9, "RLS readout vs reference: worst \(worst)")
    }

    /// Save and load with each second-order learner: the continuation is bit-identical.
    @Test(arguments: ["ekf", "dekf", "rls"])
    func saveLoadContinuesBitForBit(_ which: String) throws {
        let net = try Network.elman(inputs: 1, hidden: 5, outputs: 1, seed: 9)
        var c = TrainingConfiguration()
        switch which {
        case "ekf": c.optimizer = .ekf
        case "dekf": c.optimizer = .dekf
        default: c.readout = .rls; c.optimizer = .adam; c.learningRate = 0.001
        }
        try net.configure(c)
        func run(_ n: Network, _ range: Range<Int>) throws -> [Double] {
            var out: [Double] = []
            for t in range {
                let (y, _) = try n.step([sinApprox(0.2 * Double(t))], target: [sinApprox(0.2 * Double(t + 1))])
                out += y
            }
            return out + n.parameters()
        }
        _ = try run(net, 0..<50)
        let copy = try Network.deserialize(net.serialized())
        #expect(copy.configuration == net.configuration)
        #expect(try run(net, 50..<250) == run(copy, 50..<250))
    }

    @Test func kalmanOptimizersNeedUpdateEveryOneAndMse() throws {
        let net = try Network.elman(inputs: 1, hidden: 3, outputs: 1)
        var c = TrainingConfiguration()
        c.optimizer = .ekf
        c.updateEvery = 2
        #expect(throws: RTRLError.self) { try net.configure(c) }
        c.updateEvery = 1
        try net.configure(c)
        try net.feed([0.1])
        #expect { try net.apply() } throws: { ($0 as? RTRLError)?.code == .invalidArgument }
    }

    @Test func covarianceBoundIsEnforced() throws {
        let net = try Network.fullyRecurrent(inputs: 1, units: 8, outputs: 1)
        var c = TrainingConfiguration()
        c.optimizer = .ekf
        c.maxCovarianceEntries = net.numParams * net.numParams - 1
        #expect { try net.configure(c) } throws: {
            let e = $0 as? RTRLError
            return e?.code == .outOfMemory && e!.message.contains("max_covariance_entries")
        }
        c.maxCovarianceEntries = net.numParams * net.numParams
        try net.configure(c)
    }

    @Test func rlsReadoutNeedsAnIdentityOutput() throws {
        let net = try Network.elman(inputs: 1, hidden: 3, outputs: 1, outputActivation: .tanh)
        var c = TrainingConfiguration()
        c.readout = .rls
        #expect { try net.configure(c) } throws: { ($0 as? RTRLError)?.message.contains("identity output") == true }
    }
}

/// tanh from exp, accurate to a few ulps (the test's own, independent of libm's tanh).
private func tanhApprox(_ z: Double) -> Double {
    let e = expApprox(-2 * abs(z))
    let t = (1 - e) / (1 + e)
    return z < 0 ? -t : t
}

private func expApprox(_ x: Double) -> Double {
    // exp(x) = 2^k exp(r), |r| <= ln2/2, Taylor to 25 terms.
    let k = (x / 0.6931471805599453).rounded()
    let r = x - k * 0.6931471805599453
    var term = 1.0, sum = 1.0
    for i in 1..<25 { term *= r / Double(i); sum += term }
    return sum * Double(sign: .plus, exponent: Int(k), significand: 1)
}

private func invert(_ a: inout [[Double]]) -> [[Double]] {
    let n = a.count
    var inv = (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0 } }
    for c in 0..<n {
        let piv = a[c][c]
        for j in 0..<n { a[c][j] /= piv; inv[c][j] /= piv }
        for r in 0..<n where r != c {
            let f = a[r][c]
            for j in 0..<n { a[r][j] -= f * a[c][j]; inv[r][j] -= f * inv[c][j] }
        }
    }
    return inv
}

private func sinApprox(_ x: Double) -> Double {
    var r = x.truncatingRemainder(dividingBy: 2 * .pi)
    if r > .pi { r -= 2 * .pi }
    if r < -.pi { r += 2 * .pi }
    var term = r, sum = r
    for k in 1..<20 { term *= -r * r / Double((2 * k) * (2 * k + 1)); sum += term }
    return sum
}
