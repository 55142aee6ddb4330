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
