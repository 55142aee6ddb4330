#if canImport(Glibc)
import Glibc
#endif
import Testing
import RTRL

/// Forged saved networks: files whose framing (magic, version, length, CRC-32C) is valid
/// but whose fields are not. Each must be refused as `corrupt` — never a trap, never a
/// large allocation. The first is the reproducer of a fuzzing find (fuzz/corpus/net_load/
/// regress-zero-layers): zero layers made the reader index an empty layer list.
@Suite struct SavedFormatForgeryTests {
    static let magic: [UInt8] = [0x89, 0x52, 0x54, 0x52, 0x4C, 0x0D, 0x0A, 0x1A]

    /// Magic, version 1, f64, the payload length, the payload and its CRC-32C.
    static func sealed(_ payload: [UInt8]) -> [UInt8] {
        var b = magic
        b += le32(1) + le32(0) + le64(UInt64(payload.count)) + payload
        return b + le32(forgeryCRC32C(b[...]))
    }

    static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    static func le64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }

    func expectCorrupt(_ bytes: [UInt8], _ comment: Comment) {
        do {
            _ = try Network.deserialize(bytes)
            Issue.record("accepted: \(comment)")
        } catch {
            #expect(error.code == .corrupt, comment)
            #expect(error.message.hasPrefix("load: "), comment)
        }
    }

    @Test func zeroLayersAreCorrupt() {
        // n_inputs 0, 0 layers, 0 connections, output layer 0, 0 output units.
        let bytes = Self.sealed(Array(repeating: 0, count: 20))
        #expect(bytes.count == 48)
        expectCorrupt(bytes, "zero layers")
    }

    @Test func anOutputLayerPastTheLastIsCorrupt() throws {
        // One layer "h" (size 2, identity, no bias), no connections, output layer 1.
        let payload = Self.le32(1) + Self.le32(1) + Self.le32(1) + Array("h".utf8) + Self.le32(2) + [0, 0]
            + Self.le32(0) + Self.le32(1) + Self.le32(0)
        expectCorrupt(Self.sealed(payload), "output layer 1 of 1")
    }

    /// A real network whose hidden size is forged to a million units (checksum and
    /// length fixed up): refused before anything of that size is allocated.
    @Test func aForgedHugeLayerIsRefusedBeforeAllocating() throws {
        let net = try Network.elman(inputs: 1, hidden: 3, outputs: 1, seed: 1)
        var bytes = net.serialized()
        // Payload: u32 inputs, u32 layer count, u32 name length, "hidden", u32 size.
        let sizeAt = 24 + 4 + 4 + 4 + 6
        #expect(Array(bytes[(sizeAt - 6) ..< sizeAt]) == Array("hidden".utf8))
        for (k, b) in Self.le32(1_000_000).enumerated() { bytes[sizeAt + k] = b }
        let crc = forgeryCRC32C(bytes[0 ..< bytes.count - 4])
        for (k, b) in Self.le32(crc).enumerated() { bytes[bytes.count - 4 + k] = b }
        var t0 = timespec(), t1 = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t0)
        expectCorrupt(bytes, "a million hidden units with the data of three")
        clock_gettime(CLOCK_MONOTONIC, &t1)
        let seconds = Double(t1.tv_sec - t0.tv_sec) + Double(t1.tv_nsec - t0.tv_nsec) * 1e-9
        #expect(seconds < 0.5, "took \(seconds) s: something of the forged size was built")
    }

    /// The same forgery with every u32 of the architecture section set to 0xFFFFFFFF in
    /// turn: corrupt each time.
    @Test func maximalFieldsInTheArchitectureAreCorrupt() throws {
        let net = try Network.fullyRecurrent(inputs: 1, units: 2, outputs: 1, seed: 2)
        let bytes = net.serialized()
        for at in stride(from: 24, to: 24 + 120, by: 1) where at + 4 <= bytes.count - 4 {
            var b = bytes
            for k in 0..<4 { b[at + k] = 0xFF }
            let crc = forgeryCRC32C(b[0 ..< b.count - 4])
            for (k, v) in Self.le32(crc).enumerated() { b[b.count - 4 + k] = v }
            if b == bytes { continue }
            do {
                _ = try Network.deserialize(b)  // a value that happens to be valid is fine
            } catch {
                #expect(error.code == .corrupt, "0xFFFFFFFF at byte \(at): \(error.code)")
            }
        }
    }
}

/// CRC-32C (Castagnoli), bytewise, to forge valid trailers.
func forgeryCRC32C(_ bytes: ArraySlice<UInt8>) -> UInt32 {
    var c: UInt32 = ~0
    for b in bytes {
        c ^= UInt32(b)
        for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
    }
    return ~c
}
