import Testing
import RTRL

/// Total loss over a fixed sequence, with weights p (no learning).
private func totalLoss(_ make: () throws -> Network, _ p: [Double], _ xs: [[Double]], _ ys: [[Double]]) throws -> Double {
    let net = try make()
    try net.setParameters(p)
    var e = 0.0
    for (x, y) in zip(xs, ys) {
        try net.feed(x)
        e += try net.accumulate(y)
    }
    return e
}

@Test(arguments: ["fr", "elman", "jordan"])
func smokeFiniteDifference(_ which: String) throws {
    let make: () throws -> Network = {
        switch which {
        case "fr": try Network.fullyRecurrent(inputs: 2, units: 4, outputs: 2, seed: 3)
        case "elman": try Network.elman(inputs: 2, hidden: 3, outputs: 2, seed: 3)
        default: try Network.jordan(inputs: 2, hidden: 3, outputs: 2, mu: 0.5, seed: 3)
        }
    }
    let xs = (0..<12).map { t in [sin(Double(t)), cos(0.7 * Double(t))] }
    let ys = (0..<12).map { t in [0.3 * sin(Double(t + 1)), t % 3 == 0 ? Double.nan : 0.1] }
    let net = try make()
    for (x, y) in zip(xs, ys) { try net.feed(x); try net.accumulate(y) }
    let g = net.gradient()
    let p0 = net.parameters()
    var worst = 0.0
    for i in 0..<p0.count {
        var pp = p0, pm = p0
        pp[i] += 1e-6
        pm[i] -= 1e-6
        let fd = (try totalLoss(make, pp, xs, ys) - totalLoss(make, pm, xs, ys)) / 2e-6
        worst = max(worst, abs(fd - g[i]) / max(1e-6, abs(fd) + abs(g[i])))
    }
    #expect(worst < 1e-5, "worst relative error \(worst)")
}

private func sin(_ x: Double) -> Double {
    // Taylor-free: use the recurrence-free Foundation-less sine via Double's built-ins.
    var r = x.truncatingRemainder(dividingBy: 2 * .pi)
    if r > .pi { r -= 2 * .pi }
    var term = r, sum = r
    for k in 1..<20 { term *= -r * r / Double((2 * k) * (2 * k + 1)); sum += term }
    return sum
}
private func cos(_ x: Double) -> Double { sin(x + .pi / 2) }
