/// Encodes samples as input payloads (for publishers, tools and tests).
public enum SampleEncoder {
    /// The binary payload of `sample`: header, x, then the target if any. Values are
    /// float64, or float32 (rounded) with `float32`. A JSON-style sample without `seq`
    /// is written with seq 0.
    public static func binary(_ sample: Sample, float32: Bool = false) -> [UInt8] {
        var flags: WireFormat.SampleFlags = []
        if sample.target != nil { flags.insert(.hasTarget) }
        if float32 { flags.insert(.float32) }
        if sample.reset { flags.insert(.reset) }
        let target = sample.target ?? []
        var w = _ByteAppender()
        w.bytes.reserveCapacity(WireFormat.sampleHeaderSize + (sample.x.count + target.count) * (float32 ? 4 : 8))
        w.u8(WireFormat.version)
        w.u8(WireFormat.sampleKind)
        w.u16(flags.rawValue)
        w.u32(UInt32(sample.x.count))
        w.u32(UInt32(target.count))
        w.u32(0)
        w.u64(sample.seq ?? 0)
        w.i64(sample.timestamp)
        for v in sample.x + target {
            if float32 { w.f32(Float(v)) } else { w.f64(v) }
        }
        return w.bytes
    }

    /// The JSON payload of `sample`. Numbers are written so that they read back to the
    /// same doubles; NaN targets become `null`. Non-finite inputs cannot be written in
    /// JSON and become `null` (which makes the payload malformed, as it should be).
    public static func json(_ sample: Sample) -> [UInt8] {
        var j = _JSONWriter()
        j.beginObject()
        j.key("x")
        j.array(sample.x)
        if let t = sample.target {
            j.key("y")
            j.array(t)
        }
        if let s = sample.seq {
            j.key("seq")
            j.raw(String(s))
        }
        if sample.timestamp != 0 {
            j.key("t")
            j.raw(String(sample.timestamp))
        }
        if sample.reset {
            j.key("reset")
            j.raw("true")
        }
        j.endObject()
        return Array(j.text.utf8)
    }
}
