/// The inputs and targets of a parity run: SplitMix64 draws, so that the C test
/// (Tests/c/scenario.c) produces the very same numbers without any libm call.
/// Per step: n_inputs draws x_i = 2u - 1, then n_outputs draws y*_k = u, where
/// u = (next() >> 11) * 2^-53; then y*_k = NaN when gap > 0 and (t + k) % gap == 0.
struct ScenarioData {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    private mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// x(t) and y*(t) of step t (1-based).
    mutating func sample(step t: Int, inputs: Int, outputs: Int, gap: Int) -> (x: [Double], target: [Double]) {
        let x = (0..<inputs).map { _ in 2 * unit() - 1 }
        var y = (0..<outputs).map { _ in unit() }
        if gap > 0 { for k in 0..<outputs where (t + k) % gap == 0 { y[k] = .nan } }
        return (x, y)
    }
}
