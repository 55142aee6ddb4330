import Testing
@testable import RTRLStream

private let shape = SampleShape(inputs: 2, outputs: 1)

private func decode(_ bytes: [UInt8], _ s: SampleShape = shape) throws(MalformedSample) -> Sample {
    try SampleDecoder.decode(bytes, shape: s)
}

private func reason(_ bytes: [UInt8], _ s: SampleShape = shape) -> MalformedReason? {
    do {
        _ = try decode(bytes, s)
        return nil
    } catch {
        return error.reason
    }
}

/// A binary sample with the given header fields and float64 values.
private func binary(version: UInt8 = 1, kind: UInt8 = 1, flags: UInt16 = 1, nx: UInt32 = 2, ny: UInt32 = 1,
                    reserved: UInt32 = 0, seq: UInt64 = 7, values: [Double] = [0.5, -1, 0.25]) -> [UInt8] {
    var w = _ByteAppender()
    w.u8(version); w.u8(kind); w.u16(flags); w.u32(nx); w.u32(ny); w.u32(reserved); w.u64(seq); w.i64(99)
    for v in values { w.f64(v) }
    return w.bytes
}

private func json(_ s: String) -> [UInt8] { Array(s.utf8) }

@Suite struct SampleCodecTests {
    @Test func binaryRoundTripsInFloat64() throws {
        let s = Sample(x: [0.1, -3e300], target: [.nan], seq: 42, timestamp: -5, reset: true)
        let bytes = SampleEncoder.binary(s)
        #expect(bytes.count == 32 + 3 * 8)
        #expect(try decode(bytes) == s)
    }

    @Test func binaryRoundTripsInFloat32() throws {
        let s = Sample(x: [0.1, 2], target: nil, seq: 1, timestamp: 0, reset: false)
        let bytes = SampleEncoder.binary(s, float32: true)
        #expect(bytes.count == 32 + 2 * 4)
        #expect(bytes[2] == 2)  // flags: float32 only
        let d = try decode(bytes)
        #expect(d.x == [Double(Float(0.1)), 2])
        #expect(d.target == nil)
    }

    @Test func binaryHeaderLayout() {
        // The worked example of docs/wire-format.md: topic "s1", x = [0.5], y* = [0.25], seq 3.
        let bytes = SampleEncoder.binary(Sample(x: [0.5], target: [0.25], seq: 3, timestamp: 1_733_000_000_000_000_000))
        let hex = bytes.map { String($0, radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }.joined(separator: " ")
        #expect(hex == "01 01 01 00 01 00 00 00 01 00 00 00 00 00 00 00 03 00 00 00 00 00 00 00 00 80 c0 73 51 da 0c 18 00 00 00 00 00 00 e0 3f 00 00 00 00 00 00 d0 3f")
    }

    @Test func binaryMalformedCases() {
        #expect(reason([]) == .emptyPayload)
        #expect(reason(Array(binary().prefix(31))) == .truncated)
        #expect(reason(Array(binary().dropLast())) == .truncated)
        #expect(reason(binary() + [0]) == .wrongSize)
        #expect(reason(binary(version: 2)) == .unknownVersion)
        #expect(reason(binary(version: 0)) == .unknownVersion)
        #expect(reason(binary(kind: 2)) == .unknownKind)
        #expect(reason(binary(flags: 1 | 8)) == .unknownFlags)
        #expect(reason(binary(flags: 1 | 0x8000)) == .unknownFlags)
        #expect(reason(binary(reserved: 1)) == .reservedNotZero)
        #expect(reason(binary(flags: 0)) == .targetFlagMismatch)                    // n_y = 1 without the flag
        #expect(reason(binary(ny: 0, values: [0.5, -1])) == .targetFlagMismatch)    // the flag with n_y = 0
        #expect(reason(binary(nx: 3, values: [1, 2, 3, 4])) == .inputCountMismatch)
        #expect(reason(binary(nx: 1, values: [1, 2])) == .inputCountMismatch)
        #expect(reason(binary(ny: 2, values: [1, 2, 3, 4])) == .targetCountMismatch)
        #expect(reason(binary(values: [.nan, 0, 0])) == .nonFiniteInput)
        #expect(reason(binary(values: [0, .infinity, 0])) == .nonFiniteInput)
        #expect(reason(binary(values: [0, 0, .infinity])) == .infiniteTarget)
        #expect(reason(binary(values: [0, 0, -.infinity])) == .infiniteTarget)
        #expect(reason(binary(values: [0, 0, .nan])) == nil)  // NaN target: no target for that unit
        #expect(reason(binary(nx: 0x4000_0000, values: [1, 2, 3])) == .truncated)  // a huge n_x, no overflow
        #expect(reason(binary(nx: UInt32.max, ny: UInt32.max, values: [])) == .truncated)
    }

    @Test func float32InfinityIsCaughtAfterConversion() {
        var w = _ByteAppender()
        w.u8(1); w.u8(1); w.u16(1 | 2); w.u32(2); w.u32(1); w.u32(0); w.u64(0); w.i64(0)
        w.f32(1); w.f32(2); w.f32(.infinity)
        #expect(reason(w.bytes) == .infiniteTarget)
    }

    @Test func jsonSampleWithEveryField() throws {
        let s = try decode(json(#"{"x": [1.5, -2], "y": [null], "seq": 18446744073709551615, "t": -1, "reset": true}"#))
        #expect(s.x == [1.5, -2])
        #expect(s.target.map { $0.map(\.isNaN) } == [true])
        #expect(s.seq == UInt64.max)
        #expect(s.timestamp == -1)
        #expect(s.reset)
    }

    @Test func jsonSampleWithOnlyX() throws {
        let s = try decode(json(#"{"x":[0,1e-3]}"#))
        #expect(s == Sample(x: [0, 0.001], target: nil, seq: nil, timestamp: 0, reset: false))
        #expect(try decode(json(#"{"x":[0,1],"y":null}"#)).target == nil)
        #expect(try decode(json(#"{"x":[0,1],"y":[]}"#)).target == nil)
    }

    @Test func jsonNumbersAreExact() throws {
        let s = try decode(json(#"{"x":[0.1, 0.30000000000000004], "y":[2.2250738585072014e-308]}"#))
        #expect(s.x[0].bitPattern == 0.1.bitPattern && s.x[1].bitPattern == 0.30000000000000004.bitPattern)
        #expect(s.target![0].bitPattern == 2.2250738585072014e-308.bitPattern)
    }

    @Test func jsonMalformedCases() {
        #expect(reason(json(#"{"x":[1,2]"#)) == .badJSON)
        #expect(reason(json(#"{"x":[NaN,2]}"#)) == .badJSON)
        #expect(reason(json(#"{"x":[Infinity,2]}"#)) == .badJSON)
        #expect(reason(json(#"{"x":[1,2],}"#)) == .badJSON)
        #expect(reason(json(#"{"x":[1,2],"x":[1,2]}"#)) == .badJSON)
        #expect(reason(json(#"{}"#)) == .invalidJSONSample)
        #expect(reason(json(#"{"x":1}"#)) == .invalidJSONSample)
        #expect(reason(json(#"{"x":[1,"2"]}"#)) == .invalidJSONSample)
        #expect(reason(json(#"{"x":[1,null]}"#)) == .invalidJSONSample)
        #expect(reason(json(#"{"x":[1,2],"z":0}"#)) == .invalidJSONSample)
        #expect(reason(json(#"{"x":[1,2],"y":1}"#)) == .invalidJSONSample)
        #expect(reason(json(#"{"x":[1,2],"y":["a"]}"#)) == .invalidJSONSample)
        #expect(reason(json(#"{"x":[1,2],"seq":-1}"#)) == .invalidJSONSample)
        #expect(reason(json(#"{"x":[1,2],"seq":1.5}"#)) == .invalidJSONSample)
        #expect(reason(json(#"{"x":[1,2],"seq":18446744073709551616}"#)) == .invalidJSONSample)
        #expect(reason(json(#"{"x":[1,2],"t":9223372036854775808}"#)) == .invalidJSONSample)
        #expect(reason(json(#"{"x":[1,2],"reset":1}"#)) == .invalidJSONSample)
        #expect(reason(json(#"{"x":[1]}"#)) == .inputCountMismatch)
        #expect(reason(json(#"{"x":[1,2,3]}"#)) == .inputCountMismatch)
        #expect(reason(json(#"{"x":[1,2],"y":[1,2]}"#)) == .targetCountMismatch)
        #expect(reason(json(#"{"x":[1e999,2]}"#)) == .nonFiniteInput)
        #expect(reason(json(#"{"x":[1,2],"y":[-1e999]}"#)) == .infiniteTarget)
    }

    @Test func jsonWithoutXInAZeroInputNetwork() throws {
        let s = try decode(json(#"{"x":[]}"#), SampleShape(inputs: 0, outputs: 1))
        #expect(s.x.isEmpty)
    }

    @Test func jsonEncoderRoundTrips() throws {
        let s = Sample(x: [0.1, -7], target: [.nan], seq: 3, timestamp: 12, reset: true)
        #expect(try decode(SampleEncoder.json(s)) == s)
    }

    @Test func predictionLayoutAndRoundTrip() {
        // The worked example of docs/wire-format.md.
        let p = Prediction(seq: 3, step: 4, loss: 0.0625, y: [0.5])
        let bytes = PredictionCodec.encode(p)
        #expect(bytes.count == 40)
        #expect(Array(bytes[0..<8]) == [1, 2, 1, 0, 1, 0, 0, 0])
        #expect(Array(bytes[8..<16]) == [3, 0, 0, 0, 0, 0, 0, 0])
        #expect(Array(bytes[16..<24]) == [4, 0, 0, 0, 0, 0, 0, 0])
        #expect(Array(bytes[24..<32]) == [0, 0, 0, 0, 0, 0, 0xB0, 0x3F])
        #expect(Array(bytes[32..<40]) == [0, 0, 0, 0, 0, 0, 0xE0, 0x3F])
        #expect(PredictionCodec.decode(bytes) == p)
        let noLoss = PredictionCodec.encode(Prediction(seq: 0, step: 1, loss: .nan, y: [1, 2]))
        #expect(noLoss[2] == 0)
        #expect(PredictionCodec.decode(noLoss)?.loss.isNaN == true)
        #expect(PredictionCodec.decode(Array(noLoss.dropLast())) == nil)
        #expect(PredictionCodec.decode(SampleEncoder.binary(Sample(x: [1]))) == nil)
    }
}
