import Testing
import RTRL
#if canImport(Glibc)
import Glibc
#endif

// SnAp-1 keeps s_j only for the units that can get an error. These tests hold the kept
// set to the math: an independent SnAp-1 of the fully recurrent network (where only the
// output units are kept) must learn the same weights, and the memory must show that the
// other rows are gone.

/// SnAp-1 for Williams and Zipser's network, written out: units a = tanh(W_in x + W a(t-1)
/// + b), outputs the first k units, E = sum (y* - y)^2, SGD every step.
private struct ReferenceSnAp1 {
    let n: Int, m: Int, k: Int
    var wIn: [Double], w: [Double], b: [Double]
    var sIn: [Double], s: [Double], sB: [Double]
    var a: [Double]

    init(_ p: [Double], inputs m: Int, units n: Int, outputs k: Int) {
        self.n = n; self.m = m; self.k = k
        wIn = Array(p[0..<(n * m)])
        w = Array(p[(n * m)..<(n * m + n * n)])
        b = Array(p[(n * m + n * n)...])
        sIn = [Double](repeating: 0, count: n * m)
        s = [Double](repeating: 0, count: n * n)
        sB = [Double](repeating: 0, count: n)
        a = [Double](repeating: 0, count: n)
    }

    mutating func step(_ x: [Double], _ target: [Double], lr: Double) {
        var z = b
        for i in 0..<n {
            for j in 0..<m { z[i] += wIn[i * m + j] * x[j] }
            for j in 0..<n { z[i] += w[i * n + j] * a[j] }
        }
        let aNew = z.map { tanh($0) }
        for i in 0..<n {
            let d = 1 - aNew[i] * aNew[i], c = w[i * n + i]
            for j in 0..<m { sIn[i * m + j] = d * (c * sIn[i * m + j] + x[j]) }
            for j in 0..<n { s[i * n + j] = d * (c * s[i * n + j] + a[j]) }
            sB[i] = d * (c * sB[i] + 1)
        }
        a = aNew
        for i in 0..<k where !target[i].isNaN {
            let e = 2 * (a[i] - target[i])
            for j in 0..<m { wIn[i * m + j] -= lr * e * sIn[i * m + j] }
            for j in 0..<n { w[i * n + j] -= lr * e * s[i * n + j] }
            b[i] -= lr * e * sB[i]
        }
    }

    var parameters: [Double] { wIn + w + b }
}

@Suite struct PerParameterLayoutTests {
    @Test func aFullyRecurrentNetworkLearnsAsWrittenOut() throws {
        let (m, n, k) = (2, 6, 2)
        let net = try Network.fullyRecurrent(inputs: m, units: n, outputs: k, seed: 11)
        var c = TrainingConfiguration(optimizer: .sgd, learningRate: 0.05)
        c.sensitivity = .snap1
        try net.configure(c)
        var reference = ReferenceSnAp1(net.parameters(), inputs: m, units: n, outputs: k)
        for t in 0..<150 {
            let x = [sin(0.3 * Double(t)), cos(0.7 * Double(t))]
            let y = [0.5 * sin(0.3 * Double(t + 1)), t % 4 == 0 ? .nan : 0.4 * cos(0.2 * Double(t))]
            _ = try net.step(x, target: y)
            reference.step(x, y, lr: 0.05)
        }
        let p = net.parameters(), q = reference.parameters
        let scale = q.map(abs).max()!
        let worst = zip(p, q).map { abs($0 - $1) }.max()!
        #expect(worst / scale < 1e-12, "max |rtrl - reference| = \(worst)")
        #expect(p != (try Network.fullyRecurrent(inputs: m, units: n, outputs: k, seed: 11)).parameters())
    }

    /// Only the output units' rows are kept in a fully recurrent network: its memory is
    /// about two N-vectors (weights, gradient) instead of three; Elman's is three.
    @Test func aFullyRecurrentNetworkKeepsOnlyTheOutputRows() throws {
        let n = 64
        let fr = try Network.fullyRecurrent(inputs: 1, units: n, outputs: 1, seed: 1)
        let elman = try Network.elman(inputs: 1, hidden: n, outputs: 1, seed: 1)
        var c = TrainingConfiguration()
        c.sensitivity = .snap1
        try fr.configure(c)
        try elman.configure(c)
        let ratioFR = Double(fr.memoryBytes) / Double(8 * fr.numParams)
        let ratioElman = Double(elman.memoryBytes) / Double(8 * elman.numParams)
        #expect(ratioFR > 2.0 && ratioFR < 2.3, "fully recurrent: \(ratioFR)")
        #expect(ratioElman > 3.0 && ratioElman < 3.3, "elman: \(ratioElman)")
    }
}
