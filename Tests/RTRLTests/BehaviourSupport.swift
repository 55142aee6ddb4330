// Helpers shared by the behaviour suites (PresetTests, OptimizerTests, StateTests,
// SerializationTests, ErrorTests, LearningTests). Every name starts with `Behav`/`behav`
// so that it cannot clash with the gradient suites' helpers in the same target.

import Testing
import RTRL

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SplitMix64 for test data (inputs, targets, bit streams): deterministic on every
/// machine, independent of the engine's own generator instance.
struct BehavRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1), 53 random bits.
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform in [lo, hi).
    mutating func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * unit() }

    /// `count` values uniform in [lo, hi).
    mutating func vector(_ count: Int, _ lo: Double = -1, _ hi: Double = 1) -> [Double] {
        (0..<count).map { _ in uniform(lo, hi) }
    }

    /// 0 or 1 with equal probability.
    mutating func bit() -> Int { Int(next() >> 63) }
}

/// sin from the C library (tests only; the engine does not use it).
func behavSin(_ x: Double) -> Double { sin(x) }

/// The bit patterns of `values`: equal arrays mean bit-identical values (NaN included).
func behavBits(_ values: [Double]) -> [UInt64] { values.map(\.bitPattern) }

/// Where two saved forms differ ("lengths 1200 vs 1243", "first difference at byte 211"),
/// or nil when they are identical: a short failure message instead of two byte dumps.
func behavByteDifference(_ a: [UInt8], _ b: [UInt8]) -> String? {
    for i in 0 ..< min(a.count, b.count) where a[i] != b[i] {
        return "first difference at byte \(i) of \(a.count) / \(b.count)"
    }
    return a.count == b.count ? nil : "lengths \(a.count) vs \(b.count)"
}

/// The largest |a_i - b_i| / max(|a_i|, |b_i|) (0 where both are 0).
func behavMaxRelativeError(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "test bug: comparing vectors of different lengths")
    var worst = 0.0
    for (x, y) in zip(a, b) where x != y {
        worst = max(worst, abs(x - y) / max(abs(x), abs(y)))
    }
    return worst
}

/// max_i |a_i - b_i| / max_i max(|a_i|, |b_i|): the difference measured against the
/// size of the vector, so that a component passing near 0 does not inflate it.
func behavNormwiseError(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "test bug: comparing vectors of different lengths")
    let scale = zip(a, b).reduce(0.0) { max($0, abs($1.0), abs($1.1)) }
    let difference = zip(a, b).reduce(0.0) { max($0, abs($1.0 - $1.1)) }
    return scale == 0 ? 0 : difference / scale
}

/// Runs `body`, which must throw an `RTRLError` with `code` whose message contains
/// `fragment`; records an issue otherwise.
func behavExpectError(
    _ code: RTRLError.Code, _ fragment: String,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record("expected RTRLError \(code) containing \"\(fragment)\", nothing was thrown",
                     sourceLocation: sourceLocation)
    } catch let error as RTRLError {
        #expect(error.code == code, "message: \(error.message)", sourceLocation: sourceLocation)
        #expect(error.message.contains(fragment),
                "message \"\(error.message)\" does not contain \"\(fragment)\"",
                sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected RTRLError \(code), got \(error)", sourceLocation: sourceLocation)
    }
}

/// A deterministic input x(t) of length `count` for step `t`: smooth, different per unit.
func behavInput(_ t: Int, _ count: Int) -> [Double] {
    (0..<count).map { i in behavSin(0.37 * Double(t) + 1.3 * Double(i)) }
}

/// A deterministic target of length `count` for step `t`, in (-0.8, 0.8); with
/// `masking`, some components are NaN ("no target").
func behavTarget(_ t: Int, _ count: Int, masking: Bool = false) -> [Double] {
    (0..<count).map { k in
        if masking && (t + 2 * k) % 5 == 3 { return .nan }
        return 0.8 * behavSin(0.23 * Double(t) - 0.9 * Double(k) + 0.4)
    }
}

/// A deterministic probability vector (sums to 1) of length `count` for step `t`, for
/// cross-entropy targets.
func behavDistribution(_ t: Int, _ count: Int) -> [Double] {
    let raw = (0..<count).map { k in 1.2 + behavSin(0.5 * Double(t) + 2.1 * Double(k)) }
    let total = raw.reduce(0, +)
    return raw.map { $0 / total }
}
