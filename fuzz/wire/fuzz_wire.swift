// fuzz_wire.swift — libFuzzer target: the stream wire decoder, binary and JSON.
//
// Input: one shape byte (n_x = bits 0-2, n_outputs = 1 + bits 3-4), then the payload as it
// would arrive in a message's second frame. A payload starting with `{` goes through the
// JSON parser and JSONSampleDecoder, anything else through the binary decoder.
//
// Checks: nothing crashes, no sanitizer report (x and target are exactly n_x and
// n_outputs long, so a write past them is caught); a decoded sample is valid (finite x,
// no infinite target); it round-trips: a binary payload re-encodes to exactly its own
// bytes (float32 payloads: to a payload that decodes to the same values), a JSON sample's
// re-encoding (SampleEncoder.json) decodes to the same values, bit for bit.
import Glibc
import RTRLStream

@inline(never)
func fail(_ message: String) -> Never {
    fputs("fuzz check failed: \(message)\n", stderr)
    abort()
}

func decodeChecked(_ payload: UnsafeRawBufferPointer, _ shape: SampleShape) -> Sample? {
    let x = UnsafeMutablePointer<Double>.allocate(capacity: max(shape.inputs, 1))
    let t = UnsafeMutablePointer<Double>.allocate(capacity: shape.outputs)
    defer {
        x.deallocate()
        t.deallocate()
    }
    let info: SampleInfo
    do {
        info = try SampleDecoder.decode(payload, shape: shape, x: x, target: t)
    } catch {
        if error.description.isEmpty { fail("a malformed sample without a description") }
        return nil
    }
    let xs = Array(UnsafeBufferPointer(start: x, count: shape.inputs))
    let ts = info.hasTarget ? Array(UnsafeBufferPointer(start: t, count: shape.outputs)) : nil
    if !xs.allSatisfy(\.isFinite) { fail("a decoded x is not finite: \(xs)") }
    if let ts, ts.contains(where: \.isInfinite) { fail("a decoded target is infinite: \(ts)") }
    return Sample(x: xs, target: ts, seq: info.seq, timestamp: info.timestamp, reset: info.reset)
}

func decodeChecked(_ payload: [UInt8], _ shape: SampleShape) -> Sample? {
    payload.withUnsafeBytes { decodeChecked($0, shape) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWire(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size >= 1 else { return 0 }
    let shape = SampleShape(inputs: Int(data[0] & 7), outputs: 1 + Int((data[0] >> 3) & 3))
    // An exact-size copy, so that ASan sees any read past the payload.
    let payload = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    guard let sample = decodeChecked(payload, shape) else { return 0 }
    if payload.first == UInt8(ascii: "{") {
        let again = SampleEncoder.json(sample)
        guard let back = decodeChecked(again, shape) else {
            fail("the JSON re-encoding \(String(decoding: again, as: UTF8.self)) does not decode")
        }
        if back != sample { fail("JSON round trip: \(sample) -> \(back)") }
    } else {
        let float32 = payload[2] & 2 != 0
        let again = SampleEncoder.binary(sample, float32: float32)
        if !float32 && again != payload { fail("a float64 payload re-encodes to other bytes") }
        guard let back = decodeChecked(again, shape) else { fail("the binary re-encoding does not decode") }
        if back != sample { fail("binary round trip: \(sample) -> \(back)") }
    }
    return 0
}
