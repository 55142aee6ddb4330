import RTRL

/// One stream: a topic's network and what the adapter keeps about it.
///
/// Everything here is saved in the topic's checkpoint, so that a restarted adapter
/// continues the stream bit for bit. Only the adapter's run thread touches a stream, so
/// the per-message counters skip Swift's dynamic exclusivity checks.
final class _TopicStream {
    /// The topic's bytes (valid UTF-8, 1–255 bytes).
    let topic: [UInt8]
    /// The checkpoint file name (``TopicFileName``).
    let fileName: String
    /// The stream's network: a copy of the template, then trained by this stream only.
    let network: Network
    /// The sequence number expected next (the last one + 1; 0 at the start).
    @exclusivity(unchecked) var nextSeq: UInt64 = 0
    /// Samples this stream has learned from (over restarts).
    @exclusivity(unchecked) var samples: UInt64 = 0
    /// Samples whose seq was beyond `nextSeq`, and samples whose seq was below it.
    @exclusivity(unchecked) var gaps: UInt64 = 0
    @exclusivity(unchecked) var repeats: UInt64 = 0
    /// The prequential squared error: the sum over every target unit of
    /// (y*_k - y_k)^2 with y the prediction made before learning, and how many terms.
    @exclusivity(unchecked) var squaredErrorSum = 0.0
    @exclusivity(unchecked) var squaredErrorCount: UInt64 = 0
    /// Forecast mode: whether the network holds a prediction the next sample is the
    /// target of (false at the start).
    @exclusivity(unchecked) var hasPendingForecast = false
    /// Whether the stream changed since its last checkpoint.
    @exclusivity(unchecked) var dirty = false

    init(topic: [UInt8], fileName: String, network: Network) {
        self.topic = topic
        self.fileName = fileName
        self.network = network
    }

    /// The topic as text.
    var name: String { String(decoding: topic, as: UTF8.self) }

    /// The stream's prequential mean squared error per target unit (NaN before any target).
    var meanSquaredError: Double {
        squaredErrorCount == 0 ? .nan : squaredErrorSum / Double(squaredErrorCount)
    }
}
