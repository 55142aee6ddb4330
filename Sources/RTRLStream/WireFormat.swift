/// The stream wire format, version 1 (CONTRACT.md §4; docs/wire-format.md).
///
/// Every message is two frames: the **topic** (the stream id, UTF-8, 1–255 bytes) and the
/// **payload**. An input payload is a binary sample (32-byte header, then n_x inputs and
/// n_y targets) or, when its first byte is `{`, a JSON object. An output payload is a
/// binary prediction (32-byte header, then n_y float64 values). All integers and floats
/// are little-endian.
public enum WireFormat {
    /// The version byte of every payload this module reads or writes.
    public static let version: UInt8 = 1
    /// The kind byte of an input sample.
    public static let sampleKind: UInt8 = 1
    /// The kind byte of an output prediction.
    public static let predictionKind: UInt8 = 2
    /// The size of a binary sample header; the values start at this offset.
    public static let sampleHeaderSize = 32
    /// The size of a prediction header; the values start at this offset.
    public static let predictionHeaderSize = 32
    /// The longest topic, in bytes.
    public static let maxTopicLength = 255
    /// The topic under which the adapter publishes its metrics as JSON.
    public static let metricsTopic = "$metrics"

    /// The flags of a binary sample (u16 at offset 2).
    public struct SampleFlags: OptionSet, Sendable, Hashable {
        public let rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }
        /// bit 0: n_y target values follow the inputs.
        public static let hasTarget = SampleFlags(rawValue: 1 << 0)
        /// bit 1: the values are float32 (else float64).
        public static let float32 = SampleFlags(rawValue: 1 << 1)
        /// bit 2: reset the network's state (activations, sensitivities) before this step.
        public static let reset = SampleFlags(rawValue: 1 << 2)
        /// Every flag version 1 defines; any other bit makes a payload malformed.
        public static let known: SampleFlags = [.hasTarget, .float32, .reset]
    }

    /// The flags of a prediction (u16 at offset 2).
    public struct PredictionFlags: OptionSet, Sendable, Hashable {
        public let rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }
        /// bit 0: the loss field holds E(t) (else it is NaN).
        public static let lossPresent = PredictionFlags(rawValue: 1 << 0)
    }
}
