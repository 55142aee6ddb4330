// serialized() -> Network.deserialize -> bit-identical continuation, copy(), and damaged
// bytes, against shared/CONTRACT.md §2 (rtrl_net_save / load: "a loaded net continues
// bit-for-bit as the saved one would have"; "a corrupt file ... returns an error").
//
// The damage tests use the saved format's header as Serialization.swift documents it
// (8 magic bytes, u32 version at offset 8, u32 precision, u64 payload length, payload,
// CRC-32C trailer) so that they can forge a newer version or a valid checksum.

import Testing
import RTRL

/// A learner in a given situation: architecture, configuration, precision and a run of
/// warm-up steps, so that every part of the state (optimizer moments, pending
/// update_every count, forced activations, sensitivities) is non-trivial when saved.
enum BehavSavedScenario: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case fullyRecurrentSGD, elmanMomentum, jordanAdam, graphMixedClipped, graphSoftmaxCrossEntropy
    case noInputsTeacherForcing, elmanTeacherForcing, pendingUpdateEvery, elmanF32Adam, jordanF32Momentum

    var testDescription: String { rawValue }

    /// Steps run before saving.
    static let warmUp = 37

    func make() throws -> Network {
        switch self {
        case .fullyRecurrentSGD, .pendingUpdateEvery:
            return try Network.fullyRecurrent(inputs: 2, units: 4, outputs: 2, seed: 31)
        case .elmanMomentum, .elmanTeacherForcing:
            return try Network.elman(inputs: 2, hidden: 4, outputs: 2, seed: 32)
        case .jordanAdam:
            return try Network.jordan(inputs: 2, hidden: 4, outputs: 2, mu: 0.7, seed: 33)
        case .graphMixedClipped:
            var b = try NetworkBuilder(inputs: 2)
            try b.addLayer("c", size: 3, activation: .relu, bias: true)       // declared before its source
            try b.addLayer("a", size: 2, activation: .tanh, bias: true)
            try b.addLayer("out", size: 2, activation: .identity, bias: false)
            try b.connect(from: "a", to: "c")
            try b.connect(from: "a", to: "c", delay: 1)                       // c gets a->c#2
            try b.connect(from: "input", to: "a", delay: 1)
            try b.connect(from: "input", to: "a", kind: .diagonal)
            try b.connect(from: "a", to: "a", delay: 1, kind: .diagonal, trainable: false, scale: 0.3)
            try b.connect(from: "c", to: "out")
            try b.connect(from: "a", to: "out", kind: .identity, scale: 0.5)
            try b.connect(from: "out", to: "a", delay: 1, trainable: false)
            try b.setOutput(layer: "out", units: [1])
            return try b.build(seed: 34)
        case .graphSoftmaxCrossEntropy:
            var b = try NetworkBuilder(inputs: 2)
            try b.addLayer("h", size: 3, activation: .logistic, bias: true)
            try b.addLayer("p", size: 4, activation: .softmax, bias: true)
            try b.connect(from: "input", to: "h")
            try b.connect(from: "h", to: "h", delay: 1)
            try b.connect(from: "h", to: "p")
            try b.connect(from: "p", to: "h", delay: 1)
            try b.setOutput(layer: "p", units: [3, 0, 1])
            return try b.build(seed: 35)
        case .noInputsTeacherForcing:
            return try Network.fullyRecurrent(inputs: 0, units: 5, outputs: 1, seed: 36)
        case .elmanF32Adam:
            return try Network.elman(inputs: 2, hidden: 4, outputs: 2, seed: 37, precision: .f32)
        case .jordanF32Momentum:
            return try Network.jordan(inputs: 2, hidden: 3, outputs: 2, mu: 0.5, seed: 38, precision: .f32)
        }
    }

    var configuration: TrainingConfiguration {
        switch self {
        case .fullyRecurrentSGD: TrainingConfiguration(optimizer: .sgd, learningRate: 0.05)
        case .elmanMomentum: TrainingConfiguration(optimizer: .momentum, learningRate: 0.02, momentum: 0.8)
        case .jordanAdam: TrainingConfiguration(optimizer: .adam, learningRate: 0.01)
        case .graphMixedClipped: TrainingConfiguration(optimizer: .momentum, learningRate: 0.03, clipNorm: 0.2)
        case .graphSoftmaxCrossEntropy: TrainingConfiguration(optimizer: .adam, learningRate: 0.01, loss: .crossEntropy, updateEvery: 3)
        case .noInputsTeacherForcing: TrainingConfiguration(optimizer: .sgd, learningRate: 0.05, teacherForcing: true)
        case .elmanTeacherForcing: TrainingConfiguration(optimizer: .adam, learningRate: 0.01, teacherForcing: true)
        case .pendingUpdateEvery: TrainingConfiguration(optimizer: .momentum, learningRate: 0.05, updateEvery: 5)
        case .elmanF32Adam: TrainingConfiguration(optimizer: .adam, learningRate: 0.01, clipNorm: 1)
        case .jordanF32Momentum: TrainingConfiguration(optimizer: .momentum, learningRate: 0.02, updateEvery: 2)
        }
    }

    /// The target of step t (nil on some steps: feed only).
    func target(_ t: Int, _ n: Int) -> [Double]? {
        if t % 11 == 5 { return nil }
        if self == .graphSoftmaxCrossEntropy {
            var d = behavDistribution(t, n)
            if t % 4 == 1 { d[t % n] = .nan }
            return d
        }
        return behavTarget(t, n, masking: true)
    }

    /// A learner after the warm-up.
    func warmedUp() throws -> Network {
        let net = try make()
        try net.configure(configuration)
        for t in 0..<Self.warmUp { try run(net, t) }
        return net
    }

    /// One step t of the scenario's stream (with a reset at t = 120 and an explicit
    /// apply at t = 150).
    @discardableResult
    func run(_ net: Network, _ t: Int) throws -> (output: [Double], loss: Double?) {
        if t == 120 { net.resetState() }
        let r = try net.step(behavInput(t, net.numInputs), target: target(t, net.numOutputs))
        if t == 150 { try net.apply() }
        return r
    }
}

/// CRC-32C (Castagnoli, reflected 0x82F63B78), written here to forge valid checksums.
fileprivate let crcTable: [UInt32] = (0..<256).map { (n: Int) -> UInt32 in
    var c = UInt32(n)
    for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
    return c
}

fileprivate func crc32c(_ bytes: ArraySlice<UInt8>) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for b in bytes { crc = crcTable[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
    return ~crc
}

/// `bytes` with the CRC-32C trailer recomputed over everything before it.
fileprivate func withValidChecksum(_ bytes: [UInt8]) -> [UInt8] {
    var b = bytes
    let crc = crc32c(b[0 ..< b.count - 4])
    for k in 0..<4 { b[b.count - 4 + k] = UInt8(truncatingIfNeeded: crc >> (8 * k)) }
    return b
}

/// Writes a little-endian u32 at `offset`.
fileprivate func putU32(_ bytes: inout [UInt8], _ offset: Int, _ v: UInt32) {
    for k in 0..<4 { bytes[offset + k] = UInt8(truncatingIfNeeded: v >> (8 * k)) }
}

/// The code `Network.deserialize` throws for `bytes`, or nil if it returns a network.
fileprivate func loadError(_ bytes: [UInt8]) -> RTRLError.Code? {
    do {
        _ = try Network.deserialize(bytes)
        return nil
    } catch {
        return error.code
    }
}

/// The code the format prescribes for damaged bytes: a version field above 1 reads as a
/// newer format; everything else is corrupt.
fileprivate func expectedDamageCode(_ bytes: [UInt8]) -> RTRLError.Code {
    guard bytes.count >= 28, Array(bytes[0..<8]) == [0x89, 0x52, 0x54, 0x52, 0x4C, 0x0D, 0x0A, 0x1A] else { return .corrupt }
    let version = (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[8 + $1]) << (8 * $1) }
    return version > 1 ? .unsupportedVersion : .corrupt
}

@Suite("Save and restore: bit-identical continuation")
struct SerializationContinuationTests {
    /// serialized() -> deserialize and copy() both continue exactly as the original over
    /// 200 more steps (predictions, losses, and at the end the whole saved form).
    @Test(arguments: BehavSavedScenario.allCases)
    func restoredAndCopiedContinueBitForBit(_ scenario: BehavSavedScenario) throws {
        let net = try scenario.warmedUp()
        let bytes = net.serialized()
        let restored = try Network.deserialize(bytes)
        let copied = net.copy()
        #expect(behavByteDifference(restored.serialized(), bytes) == nil, "restoring and saving again gives the same bytes")
        #expect(behavByteDifference(copied.serialized(), bytes) == nil)
        #expect(restored.precision == net.precision)
        #expect(restored.configuration == scenario.configuration)
        #expect(restored.stepCount == UInt64(BehavSavedScenario.warmUp))
        #expect(restored.pendingLearnCalls == net.pendingLearnCalls)
        #expect(restored.layers == net.layers)
        #expect(restored.connections == net.connections)
        #expect(restored.blocks == net.blocks)
        #expect(restored.outputUnits == net.outputUnits)
        #expect(behavBits(restored.gradient()) == behavBits(net.gradient()))
        #expect(behavBits(restored.output()) == behavBits(net.output()))
        var mismatches = 0
        for t in BehavSavedScenario.warmUp ..< BehavSavedScenario.warmUp + 200 {
            let a = try scenario.run(net, t), b = try scenario.run(restored, t), c = try scenario.run(copied, t)
            if behavBits(a.output) != behavBits(b.output) || a.loss?.bitPattern != b.loss?.bitPattern
                || behavBits(a.output) != behavBits(c.output) || a.loss?.bitPattern != c.loss?.bitPattern
            {
                mismatches += 1
            }
        }
        #expect(mismatches == 0, "\(mismatches) of 200 steps differ")
        let final = net.serialized()
        #expect(behavByteDifference(restored.serialized(), final) == nil)
        #expect(behavByteDifference(copied.serialized(), final) == nil)
        let saved = try Network.deserialize(bytes)
        #expect(net.parameters() != saved.parameters(), "the 200 steps learned something")
    }

    /// The scenarios reach the states they are meant to test.
    @Test func scenariosCoverTheirStates() throws {
        // 37 warm-up steps, 3 of them without a target: 34 learn calls, 34 mod 5 = 4 pending.
        #expect(try BehavSavedScenario.pendingUpdateEvery.warmedUp().pendingLearnCalls == 4)
        #expect(try BehavSavedScenario.graphSoftmaxCrossEntropy.warmedUp().pendingLearnCalls > 0)
        #expect(try BehavSavedScenario.elmanF32Adam.warmedUp().precision == .f32)
        #expect(try BehavSavedScenario.noInputsTeacherForcing.warmedUp().numInputs == 0)
    }

    /// The copy is independent: stepping it leaves the original untouched.
    @Test func copyIsIndependent() throws {
        let net = try BehavSavedScenario.jordanAdam.warmedUp()
        let before = net.serialized()
        let copied = net.copy()
        for t in 0..<10 { try copied.step(behavInput(t, 2), target: behavTarget(t, 2)) }
        try copied.setParameters([Double](repeating: 0.5, count: copied.numParams))
        #expect(behavByteDifference(net.serialized(), before) == nil)
    }

    /// The raw-buffer entry point reads the same bytes.
    @Test func deserializeFromRawBuffer() throws {
        let net = try BehavSavedScenario.elmanMomentum.warmedUp()
        let bytes = net.serialized()
        let restored = try bytes.withUnsafeBytes { raw throws(RTRLError) in try Network.deserialize(raw) }
        #expect(behavByteDifference(restored.serialized(), bytes) == nil)
    }
}

@Suite("Save and restore: damaged bytes")
struct SerializationDamageTests {
    /// A small learner mid-run with every kind of field set (two layers, delay-1 input,
    /// fixed diagonal, identity, trainable and fixed dense blocks, an output subset, Adam
    /// with clipping, teacher forcing, a pending update_every count): small so that every
    /// byte can be damaged in turn in a debug build.
    static func savedBytes() throws -> [UInt8] {
        var b = try NetworkBuilder(inputs: 1)
        try b.addLayer("a", size: 2, activation: .tanh, bias: true)
        try b.addLayer("o", size: 2, activation: .logistic, bias: false)
        try b.connect(from: "input", to: "a", delay: 1)
        try b.connect(from: "a", to: "a", delay: 1, kind: .diagonal, trainable: false, scale: 0.5)
        try b.connect(from: "o", to: "a", delay: 1, kind: .identity, scale: 0.25)
        try b.connect(from: "a", to: "o")
        try b.connect(from: "o", to: "o", delay: 1, trainable: false)
        try b.setOutput(layer: "o", units: [1])
        let net = try b.build(seed: 40)
        try net.configure(TrainingConfiguration(optimizer: .adam, learningRate: 0.01, clipNorm: 0.5,
                                                teacherForcing: true, updateEvery: 2))
        for t in 0..<7 { try net.step(behavInput(t, 1), target: behavTarget(t, 1)) }
        #expect(net.pendingLearnCalls == 1)
        return net.serialized()
    }

    /// The trailer is the CRC-32C of everything before it (the damage tests rely on it).
    @Test func trailerIsCRC32C() throws {
        let bytes = try Self.savedBytes()
        #expect(behavByteDifference(withValidChecksum(bytes), bytes) == nil)
        #expect(crc32c(Array("123456789".utf8)[...]) == 0xE306_9283, "the CRC-32C check value")
    }

    /// Every byte inverted in turn: corrupt (unsupportedVersion where the version field
    /// becomes larger than 1), never a crash, never a network.
    @Test func everyInvertedByteIsRejected() throws {
        let bytes = try Self.savedBytes()
        var wrong: [String] = []
        for i in bytes.indices {
            var damaged = bytes
            damaged[i] ^= 0xFF
            let code = loadError(damaged)
            if code != expectedDamageCode(damaged) { wrong.append("byte \(i): \(String(describing: code))") }
        }
        #expect(wrong.isEmpty, "\(wrong.count) of \(bytes.count): \(wrong.prefix(10))")
    }

    /// Single bits flipped at many positions (including version 1 -> 0).
    @Test func singleBitFlipsAreRejected() throws {
        let bytes = try Self.savedBytes()
        var wrong: [String] = []
        for i in bytes.indices {
            for bit in [i % 8, (i + 3) % 8] {
                var damaged = bytes
                damaged[i] ^= UInt8(1 << bit)
                let code = loadError(damaged)
                if code != expectedDamageCode(damaged) { wrong.append("byte \(i) bit \(bit): \(String(describing: code))") }
            }
        }
        #expect(wrong.isEmpty, "\(wrong.count): \(wrong.prefix(10))")
        var zeroVersion = bytes
        zeroVersion[8] ^= 1
        #expect(loadError(zeroVersion) == .corrupt)
    }

    /// Damage behind a valid checksum reaches the field checks: each payload byte
    /// inverted (and, in the first 300 bytes, where the architecture, configuration,
    /// counters and first length live, also set to 0x00 and 0xFF), with the CRC
    /// recomputed. Either the bytes are rejected as corrupt or they describe a valid
    /// network, which must then step without trouble.
    @Test func damageBehindAValidChecksumNeverCrashes() throws {
        let bytes = try Self.savedBytes()
        var rejected = 0, accepted = 0
        var wrong: [String] = []
        for i in 24 ..< bytes.count - 4 {
            let replacements: [UInt8] = i < 324 ? [~bytes[i], 0x00, 0xFF] : [~bytes[i]]
            for value in replacements where value != bytes[i] {
                var damaged = bytes
                damaged[i] = value
                damaged = withValidChecksum(damaged)
                do {
                    let net = try Network.deserialize(damaged)
                    accepted += 1
                    for t in 0..<3 {
                        _ = try? net.step(behavInput(t, net.numInputs), target: behavTarget(t, net.numOutputs))
                    }
                    _ = net.serialized()
                } catch {
                    rejected += 1
                    if error.code != .corrupt { wrong.append("byte \(i): \(error.code) \(error.message)") }
                }
            }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(10))")
        #expect(rejected > 100 && accepted > 100, "rejected \(rejected), accepted \(accepted)")
    }

    /// Every truncation, down to nothing, is corrupt.
    @Test func everyTruncationIsCorrupt() throws {
        let bytes = try Self.savedBytes()
        var wrong: [Int] = []
        for n in 0..<bytes.count where loadError(Array(bytes[0..<n])) != .corrupt { wrong.append(n) }
        #expect(wrong.isEmpty, "lengths \(wrong.prefix(10))")
    }

    /// Extra bytes after the end are corrupt, whether appended or hidden inside a payload
    /// whose length and checksum were made to match.
    @Test func extraBytesAreCorrupt() throws {
        let bytes = try Self.savedBytes()
        for extra in [1, 4, 8, 100] {
            #expect(loadError(bytes + [UInt8](repeating: 0, count: extra)) == .corrupt, "\(extra) appended")
            var padded = Array(bytes[0 ..< bytes.count - 4]) + [UInt8](repeating: 0, count: extra) + [0, 0, 0, 0]
            let payload = UInt64(padded.count - 28)
            for k in 0..<8 { padded[16 + k] = UInt8(truncatingIfNeeded: payload >> (8 * k)) }
            #expect(loadError(withValidChecksum(padded)) == .corrupt, "\(extra) inside the payload")
        }
    }

    @Test func wrongMagicIsCorrupt() throws {
        let bytes = try Self.savedBytes()
        for i in 0..<8 {
            var damaged = bytes
            damaged[i] = damaged[i] &+ 1
            #expect(loadError(damaged) == .corrupt, "magic byte \(i)")
            #expect(loadError(withValidChecksum(damaged)) == .corrupt, "magic byte \(i), valid checksum")
        }
        #expect(loadError([]) == .corrupt)
        #expect(loadError(Array("not a network at all, just some text".utf8)) == .corrupt)
    }

    /// A newer format version is unsupportedVersion (with or without a valid checksum);
    /// version 0 is corrupt.
    @Test func newerVersionIsUnsupported() throws {
        let bytes = try Self.savedBytes()
        for version: UInt32 in [2, 3, 0x100, 0xFFFF_FFFF] {
            var newer = bytes
            putU32(&newer, 8, version)
            #expect(loadError(newer) == .unsupportedVersion, "version \(version)")
            #expect(loadError(withValidChecksum(newer)) == .unsupportedVersion, "version \(version), valid checksum")
        }
        var zero = bytes
        putU32(&zero, 8, 0)
        #expect(loadError(withValidChecksum(zero)) == .corrupt)
        behavExpectError(.unsupportedVersion, "version 2") {
            var newer = bytes
            putU32(&newer, 8, 2)
            _ = try Network.deserialize(newer)
        }
    }

    /// The precision field must match the values that follow.
    @Test func wrongPrecisionIsCorrupt() throws {
        let f64 = try Self.savedBytes()
        let f32 = try BehavSavedScenario.elmanF32Adam.warmedUp().serialized()
        var asF32 = f64, asF64 = f32, unknown = f64
        putU32(&asF32, 12, 1)
        putU32(&asF64, 12, 0)
        putU32(&unknown, 12, 2)
        #expect(loadError(withValidChecksum(asF32)) == .corrupt)
        #expect(loadError(withValidChecksum(asF64)) == .corrupt)
        #expect(loadError(withValidChecksum(unknown)) == .corrupt)
    }
}
