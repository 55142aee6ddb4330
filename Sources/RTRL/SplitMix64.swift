/// SplitMix64 (Steele, Lea & Flood 2014): the generator behind every seeded draw, so
/// that the same seed gives the same weights on every machine and every build.
struct _SplitMix64: Sendable, Equatable {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform draw from [0, 1) with 53 random bits.
    mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform draw from [-bound, +bound).
    mutating func nextSymmetric(_ bound: Double) -> Double {
        (2 * nextUnit() - 1) * bound
    }
}
