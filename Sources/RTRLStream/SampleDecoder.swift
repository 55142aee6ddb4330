/// Decodes input payloads (binary or JSON) and checks them against a stream's shape.
///
/// A payload is malformed — and nothing is written that the caller may use — when it is
/// empty, truncated or longer than its header says, has an unknown version, kind or flag,
/// a non-zero reserved field, a has-target flag that disagrees with n_y, n_x other than the
/// network's inputs, n_y other than 0 or the network's outputs, a NaN or infinite input,
/// an infinite target, or (JSON) bad syntax or fields.
public enum SampleDecoder {
    /// Decodes `payload`, writing x(t) into `x` (room for `shape.inputs` values) and the
    /// target, if any, into `target` (room for `shape.outputs`).
    ///
    /// - Complexity: O(payload size); the binary path allocates nothing.
    @inline(__always)
    public static func decode(
        _ payload: UnsafeRawBufferPointer, shape: SampleShape,
        x: UnsafeMutablePointer<Double>, target: UnsafeMutablePointer<Double>
    ) throws(MalformedSample) -> SampleInfo {
        guard payload.count > 0 else { throw MalformedSample(.emptyPayload, "the payload is empty") }
        if payload[0] == UInt8(ascii: "{") {
            return try JSONSampleDecoder.decode(payload, shape: shape, x: x, target: target)
        }
        return try decodeBinary(payload, shape: shape, x: x, target: target)
    }

    /// Decodes a binary payload (see ``decode(_:shape:x:target:)``).
    public static func decodeBinary(
        _ p: UnsafeRawBufferPointer, shape: SampleShape,
        x: UnsafeMutablePointer<Double>, target: UnsafeMutablePointer<Double>
    ) throws(MalformedSample) -> SampleInfo {
        let header = WireFormat.sampleHeaderSize
        guard p.count >= header else {
            throw MalformedSample(.truncated, "\(p.count) bytes, a sample header has \(header)")
        }
        guard p[0] == WireFormat.version else { throw MalformedSample(.unknownVersion, "version \(p[0])") }
        guard p[1] == WireFormat.sampleKind else { throw MalformedSample(.unknownKind, "kind \(p[1])") }
        let flags = WireFormat.SampleFlags(rawValue: _loadU16(p, 2))
        guard flags.isSubset(of: .known) else {
            throw MalformedSample(.unknownFlags, "flags 0x\(String(flags.rawValue, radix: 16))")
        }
        let nx = Int(_loadU32(p, 4))
        let ny = Int(_loadU32(p, 8))
        guard _loadU32(p, 12) == 0 else { throw MalformedSample(.reservedNotZero, "reserved = \(_loadU32(p, 12))") }
        let hasTarget = flags.contains(.hasTarget)
        guard hasTarget == (ny > 0) else {
            throw MalformedSample(.targetFlagMismatch, hasTarget ? "has-target flag with n_y = 0" : "n_y = \(ny) without the has-target flag")
        }
        let size = flags.contains(.float32) ? 4 : 8
        let expected = header + (nx + ny) * size  // n_x, n_y < 2^32: no overflow in Int
        guard p.count == expected else {
            throw MalformedSample(p.count < expected ? .truncated : .wrongSize,
                                  "\(p.count) bytes, the header (n_x = \(nx), n_y = \(ny)) needs \(expected)")
        }
        guard nx == shape.inputs else {
            throw MalformedSample(.inputCountMismatch, "n_x = \(nx), the network has \(shape.inputs) inputs")
        }
        guard ny == 0 || ny == shape.outputs else {
            throw MalformedSample(.targetCountMismatch, "n_y = \(ny), the network has \(shape.outputs) outputs")
        }
        var at = header
        if size == 8 {
            for i in 0..<nx { x[i] = _loadF64(p, at + 8 * i) }
            at += 8 * nx
            for i in 0..<ny { target[i] = _loadF64(p, at + 8 * i) }
        } else {
            for i in 0..<nx { x[i] = Double(_loadF32(p, at + 4 * i)) }
            at += 4 * nx
            for i in 0..<ny { target[i] = Double(_loadF32(p, at + 4 * i)) }
        }
        for i in 0..<nx where !x[i].isFinite {
            throw MalformedSample(.nonFiniteInput, "x[\(i)] = \(x[i])")
        }
        for i in 0..<ny where target[i].isInfinite {
            throw MalformedSample(.infiniteTarget, "target[\(i)] = \(target[i])")
        }
        return SampleInfo(hasTarget: hasTarget, seq: _loadU64(p, 16), timestamp: Int64(bitPattern: _loadU64(p, 24)),
                          reset: flags.contains(.reset))
    }

    /// Decodes a payload into a ``Sample`` (allocating; for tools and tests).
    public static func decode(_ payload: [UInt8], shape: SampleShape) throws(MalformedSample) -> Sample {
        var x = [Double](repeating: 0, count: max(shape.inputs, 1))
        var t = [Double](repeating: 0, count: max(shape.outputs, 1))
        let r = payload.withUnsafeBytes { p in
            x.withUnsafeMutableBufferPointer { xb in
                t.withUnsafeMutableBufferPointer { tb in
                    Result { () throws(MalformedSample) -> SampleInfo in
                        try decode(p, shape: shape, x: xb.baseAddress!, target: tb.baseAddress!)
                    }
                }
            }
        }
        let info = try r.get()
        return Sample(x: Array(x.prefix(shape.inputs)), target: info.hasTarget ? Array(t.prefix(shape.outputs)) : nil,
                      seq: info.seq, timestamp: info.timestamp, reset: info.reset)
    }
}
