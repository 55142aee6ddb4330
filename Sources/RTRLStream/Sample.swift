/// One input sample of a stream, as values: x(t), an optional target y*(t) (NaN = no
/// target for that unit), the publisher's sequence number and timestamp, and the reset flag.
public struct Sample: Equatable, Sendable {
    /// x(t).
    public var x: [Double]
    /// y*(t), or nil without a target. NaN entries mean "no target for this unit".
    public var target: [Double]?
    /// The per-topic sequence number; nil only for a JSON sample without `seq` (the adapter
    /// then uses its own count of samples received on the topic).
    public var seq: UInt64?
    /// Nanoseconds since the Unix epoch, 0 if unknown.
    public var timestamp: Int64
    /// Reset the network's state before this step.
    public var reset: Bool

    public init(x: [Double], target: [Double]? = nil, seq: UInt64? = nil, timestamp: Int64 = 0, reset: Bool = false) {
        self.x = x
        self.target = target
        self.seq = seq
        self.timestamp = timestamp
        self.reset = reset
    }

    /// Bitwise equality of the values (NaN equals NaN), for tests and comparisons.
    public static func == (a: Sample, b: Sample) -> Bool {
        func same(_ u: [Double], _ v: [Double]) -> Bool {
            u.count == v.count && zip(u, v).allSatisfy { $0.bitPattern == $1.bitPattern }
        }
        let targets: Bool
        switch (a.target, b.target) {
        case (nil, nil): targets = true
        case let (u?, v?): targets = same(u, v)
        default: targets = false
        }
        return same(a.x, b.x) && targets && a.seq == b.seq && a.timestamp == b.timestamp && a.reset == b.reset
    }
}

/// The lengths a stream's samples must have: the network's inputs and outputs.
public struct SampleShape: Equatable, Sendable {
    /// n_x, the network's number of inputs.
    public var inputs: Int
    /// The length of a target (when one is present), the network's number of outputs.
    public var outputs: Int

    public init(inputs: Int, outputs: Int) {
        self.inputs = inputs
        self.outputs = outputs
    }
}

/// What a decoded payload says besides its values (which go to caller buffers).
public struct SampleInfo: Equatable, Sendable {
    /// Whether a target was written (`shape.outputs` values).
    public var hasTarget: Bool
    /// The sequence number; nil only for a JSON sample without `seq`.
    public var seq: UInt64?
    /// Nanoseconds since the Unix epoch, 0 if unknown.
    public var timestamp: Int64
    /// Reset the network's state before this step.
    public var reset: Bool
}
