/// One output payload: the prediction y(t) a stream's network made before learning from
/// the sample with sequence number `seq`.
public struct Prediction: Equatable, Sendable {
    /// The sample's sequence number, echoed.
    public var seq: UInt64
    /// The network's step count, this sample included (the first sample has step 1).
    public var step: UInt64
    /// E(t) of this step's target (or, in forecast mode, of the previous prediction
    /// against this sample); NaN when there is none.
    public var loss: Double
    /// y(t).
    public var y: [Double]

    public init(seq: UInt64, step: UInt64, loss: Double, y: [Double]) {
        self.seq = seq
        self.step = step
        self.loss = loss
        self.y = y
    }

    /// Whether the loss field holds a value (flag bit 0).
    public var hasLoss: Bool { !loss.isNaN }

    /// Bitwise equality (NaN equals NaN).
    public static func == (a: Prediction, b: Prediction) -> Bool {
        a.seq == b.seq && a.step == b.step && a.loss.bitPattern == b.loss.bitPattern
            && a.y.count == b.y.count && zip(a.y, b.y).allSatisfy { $0.bitPattern == $1.bitPattern }
    }
}

/// Writes and reads prediction payloads.
///
/// Layout (little-endian): u8 version = 1, u8 kind = 2, u16 flags (bit 0: loss present),
/// u32 n_y, u64 seq, u64 step, f64 loss (NaN if none), then n_y float64 values.
public enum PredictionCodec {
    /// The payload size for `outputs` values.
    public static func size(outputs: Int) -> Int { WireFormat.predictionHeaderSize + 8 * outputs }

    /// Writes a prediction into `out`, which has room for ``size(outputs:)`` bytes.
    ///
    /// - Complexity: O(n_y); no allocation.
    @inline(__always)
    public static func write(
        into out: UnsafeMutableRawPointer, seq: UInt64, step: UInt64, loss: Double?,
        y: UnsafePointer<Double>, count: Int
    ) {
        out.storeBytes(of: WireFormat.version, toByteOffset: 0, as: UInt8.self)
        out.storeBytes(of: WireFormat.predictionKind, toByteOffset: 1, as: UInt8.self)
        let flags: WireFormat.PredictionFlags = loss == nil ? [] : .lossPresent
        _storeU16(out, 2, flags.rawValue)
        _storeU32(out, 4, UInt32(count))
        _storeU64(out, 8, seq)
        _storeU64(out, 16, step)
        _storeU64(out, 24, (loss ?? .nan).bitPattern)
        for k in 0..<count { _storeU64(out, 32 + 8 * k, y[k].bitPattern) }
    }

    /// The payload of `prediction` (allocating; for tools and tests).
    public static func encode(_ prediction: Prediction) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: size(outputs: prediction.y.count))
        bytes.withUnsafeMutableBytes { b in
            prediction.y.withUnsafeBufferPointer { y in
                write(into: b.baseAddress!, seq: prediction.seq, step: prediction.step,
                      loss: prediction.loss.isNaN ? nil : prediction.loss,
                      y: y.baseAddress ?? UnsafePointer(bitPattern: 8)!, count: y.count)
            }
        }
        return bytes
    }

    /// Reads a prediction payload; nil if it is not one (wrong size, version or kind).
    public static func decode(_ payload: [UInt8]) -> Prediction? {
        payload.withUnsafeBytes { p -> Prediction? in
            guard p.count >= WireFormat.predictionHeaderSize, p[0] == WireFormat.version,
                  p[1] == WireFormat.predictionKind else { return nil }
            let n = Int(_loadU32(p, 4))
            guard p.count == size(outputs: n) else { return nil }
            let flags = WireFormat.PredictionFlags(rawValue: _loadU16(p, 2))
            let loss = _loadF64(p, 24)
            return Prediction(seq: _loadU64(p, 8), step: _loadU64(p, 16),
                              loss: flags.contains(.lossPresent) ? loss : .nan,
                              y: (0..<n).map { _loadF64(p, 32 + 8 * $0) })
        }
    }
}
