/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) of checkpoint files.
enum _CRC32C {
    static let table: [UInt32] = (0..<256).map { i -> UInt32 in
        var c = UInt32(i)
        for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
        return c
    }

    /// The CRC-32C of `bytes`.
    ///
    /// - Complexity: O(n), bytewise.
    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var c: UInt32 = ~0
        table.withUnsafeBufferPointer { t in
            for b in bytes { c = (c >> 8) ^ t[Int((c ^ UInt32(b)) & 0xFF)] }
        }
        return ~c
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }
}

/// 64-bit FNV-1a, used to spread topics over hash buckets and to shorten long topics in
/// checkpoint file names (never as a security boundary: collisions are detected).
@inline(__always)
func _fnv1a64(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0xCBF2_9CE4_8422_2325) -> UInt64 {
    var h = seed
    for b in bytes {
        h ^= UInt64(b)
        h = h &* 0x0000_0100_0000_01B3
    }
    return h
}
