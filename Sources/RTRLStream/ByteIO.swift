/// Little-endian loads from raw bytes at any alignment. The caller checks bounds.
@inline(__always)
func _loadU16(_ p: UnsafeRawBufferPointer, _ at: Int) -> UInt16 {
    UInt16(littleEndian: p.loadUnaligned(fromByteOffset: at, as: UInt16.self))
}

@inline(__always)
func _loadU32(_ p: UnsafeRawBufferPointer, _ at: Int) -> UInt32 {
    UInt32(littleEndian: p.loadUnaligned(fromByteOffset: at, as: UInt32.self))
}

@inline(__always)
func _loadU64(_ p: UnsafeRawBufferPointer, _ at: Int) -> UInt64 {
    UInt64(littleEndian: p.loadUnaligned(fromByteOffset: at, as: UInt64.self))
}

@inline(__always)
func _loadF64(_ p: UnsafeRawBufferPointer, _ at: Int) -> Double {
    Double(bitPattern: _loadU64(p, at))
}

@inline(__always)
func _loadF32(_ p: UnsafeRawBufferPointer, _ at: Int) -> Float {
    Float(bitPattern: _loadU32(p, at))
}

/// Little-endian stores into raw bytes at any alignment. The caller checks bounds.
@inline(__always)
func _storeU16(_ p: UnsafeMutableRawPointer, _ at: Int, _ v: UInt16) {
    p.storeBytes(of: v.littleEndian, toByteOffset: at, as: UInt16.self)
}

@inline(__always)
func _storeU32(_ p: UnsafeMutableRawPointer, _ at: Int, _ v: UInt32) {
    p.storeBytes(of: v.littleEndian, toByteOffset: at, as: UInt32.self)
}

@inline(__always)
func _storeU64(_ p: UnsafeMutableRawPointer, _ at: Int, _ v: UInt64) {
    p.storeBytes(of: v.littleEndian, toByteOffset: at, as: UInt64.self)
}

/// Appends little-endian values to a growing byte array (checkpoints, encoders).
struct _ByteAppender {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }
    mutating func f64(_ v: Double) { u64(v.bitPattern) }
    mutating func f32(_ v: Float) { u32(v.bitPattern) }
    mutating func raw<C: Collection>(_ c: C) where C.Element == UInt8 { bytes.append(contentsOf: c) }
}

/// Reads little-endian values with bounds checks; `nil` when the bytes run out.
struct _ByteCursor {
    let bytes: UnsafeRawBufferPointer
    var at = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var remaining: Int { bytes.count - at }

    mutating func u8() -> UInt8? {
        guard remaining >= 1 else { return nil }
        defer { at += 1 }
        return bytes[at]
    }
    mutating func u16() -> UInt16? {
        guard remaining >= 2 else { return nil }
        defer { at += 2 }
        return _loadU16(bytes, at)
    }
    mutating func u32() -> UInt32? {
        guard remaining >= 4 else { return nil }
        defer { at += 4 }
        return _loadU32(bytes, at)
    }
    mutating func u64() -> UInt64? {
        guard remaining >= 8 else { return nil }
        defer { at += 8 }
        return _loadU64(bytes, at)
    }
    mutating func f64() -> Double? { u64().map { Double(bitPattern: $0) } }
    mutating func take(_ n: Int) -> UnsafeRawBufferPointer? {
        guard n >= 0, remaining >= n else { return nil }
        defer { at += n }
        return UnsafeRawBufferPointer(rebasing: bytes[at ..< at + n])
    }
}
