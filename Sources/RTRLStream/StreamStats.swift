/// The adapter's counters and running figures (a snapshot; see ``StreamAdapter/stats``).
public struct StreamStats: Equatable, Sendable {
    /// Input messages received, malformed and refused ones included.
    public var messages: UInt64 = 0
    /// Predictions published (one per valid sample).
    public var predictions: UInt64 = 0
    /// Live streams (topics with a network).
    public var streams = 0
    /// Messages dropped as malformed, in total and per reason (indexed by
    /// ``MalformedReason/rawValue``).
    public var malformed: UInt64 = 0
    public var malformedByReason = [UInt64](repeating: 0, count: MalformedReason.allCases.count)
    /// Samples whose seq was beyond the next expected one (a gap), or below it (a repeat).
    public var gaps: UInt64 = 0
    public var repeats: UInt64 = 0
    /// Messages of new topics refused: past `maxStreams`, or a checkpoint file name taken
    /// by another topic.
    public var refused: UInt64 = 0
    /// Of ``refused``: messages on topics outside the adapter's shard (`--shard`).
    public var refusedOffShard: UInt64 = 0
    /// The adapter's shard, `"I/N"`, or nil when it takes every topic.
    public var shard: String? = nil
    /// Updates refused by the networks' divergence guard (sum of ``RTRL/Network/refusedUpdates``).
    public var refusedUpdates: UInt64 = 0
    /// Predictions that could not be sent (a PUSH output with no peer when stopping).
    public var unsent: UInt64 = 0
    /// The prequential squared error over every stream: the sum over every target unit of
    /// (y*_k - y_k)^2 for the prediction made before learning, and the number of terms.
    public var squaredErrorSum = 0.0
    public var squaredErrorCount: UInt64 = 0
    /// The stream with the largest prequential MSE, and that MSE (nil/NaN if none has a
    /// target yet). Computed when metrics are emitted and when `run` returns.
    public var worstStream: String? = nil
    public var worstStreamMSE = Double.nan
    /// Connections the input socket lost: a peer that left, or one libzmq dropped for a
    /// frame over ZMQ_MAXMSGSIZE (`maxMessageSize`) or a protocol error (not told apart).
    public var disconnects: UInt64 = 0
    /// Checkpoint files written, and writes that failed.
    public var checkpointsWritten: UInt64 = 0
    public var checkpointErrors: UInt64 = 0
    /// CURVE handshakes the ZAP handler admitted and denied.
    public var authAdmitted: UInt64 = 0
    public var authDenied: UInt64 = 0
    /// Messages per second over the last stats interval (since the start before the first).
    public var messagesPerSecond = 0.0
    /// Seconds since the adapter was created.
    public var uptime = 0.0

    public init() {}

    /// The prequential mean squared error per target unit over every stream (NaN before
    /// any target).
    public var meanSquaredError: Double {
        squaredErrorCount == 0 ? .nan : squaredErrorSum / Double(squaredErrorCount)
    }

    /// Malformed messages for one reason.
    public func malformed(_ reason: MalformedReason) -> UInt64 { malformedByReason[reason.rawValue] }

    /// `v` with 6 significant digits; "n/a" for NaN.
    static func format(_ v: Double) -> String {
        v.isNaN ? "n/a" : _formatDouble(v, significantDigits: 6)
    }

    /// The one-line summary written every stats interval.
    public var line: String {
        var s = "\(Int(messagesPerSecond.rounded())) msg/s, \(streams) stream\(streams == 1 ? "" : "s"), "
        s += "mse \(Self.format(meanSquaredError))"
        if let w = worstStream { s += " (worst \(Self.format(worstStreamMSE)) \(_JSONWriter.quoted(w)))" }
        s += ", malformed \(malformed), gaps \(gaps), repeats \(repeats), refused \(refused)\(offShardNote), refused updates \(refusedUpdates)"
        if unsent > 0 { s += ", unsent \(unsent)" }
        if disconnects > 0 { s += ", disconnects \(disconnects)" }
        if authDenied > 0 { s += ", auth denied \(authDenied)" }
        return s
    }

    /// The summary written when the adapter stops.
    public var summary: String {
        var s = "summary: \(messages) messages in \(_formatDouble(uptime, fractionDigits: 3)) s, "
        s += "\(predictions) predictions, \(streams) stream\(streams == 1 ? "" : "s"), mse \(Self.format(meanSquaredError))"
        if let w = worstStream { s += " (worst \(Self.format(worstStreamMSE)) \(_JSONWriter.quoted(w)))" }
        s += ", malformed \(malformed)"
        let reasons = MalformedReason.allCases.filter { malformed($0) > 0 }
        if !reasons.isEmpty { s += " (" + reasons.map { "\($0.name) \(malformed($0))" }.joined(separator: ", ") + ")" }
        s += ", gaps \(gaps), repeats \(repeats), refused \(refused)\(offShardNote), refused updates \(refusedUpdates)"
        s += ", unsent \(unsent), disconnects \(disconnects), checkpoints written \(checkpointsWritten)"
        if checkpointErrors > 0 { s += ", checkpoint errors \(checkpointErrors)" }
        if authAdmitted + authDenied > 0 { s += ", auth admitted \(authAdmitted) denied \(authDenied)" }
        return s
    }

    /// " (off-shard N)" for a sharded adapter, "" otherwise.
    var offShardNote: String { shard == nil ? "" : " (off-shard \(refusedOffShard))" }

    /// The `$metrics` JSON object. Non-finite figures are `null`.
    public var json: String {
        var j = _JSONWriter()
        j.beginObject()
        j.key("uptime_s"); j.number(uptime)
        j.key("messages"); j.integer(messages)
        j.key("messages_per_second"); j.number(messagesPerSecond)
        j.key("predictions"); j.integer(predictions)
        j.key("streams"); j.integer(streams)
        j.key("mse"); j.number(meanSquaredError)
        j.key("worst_stream")
        if let w = worstStream {
            j.beginObject()
            j.key("topic"); j.string(w)
            j.key("mse"); j.number(worstStreamMSE)
            j.endObject()
        } else {
            j.null()
        }
        j.key("malformed"); j.integer(malformed)
        j.key("malformed_by_reason")
        j.beginObject()
        for r in MalformedReason.allCases { j.key(r.name); j.integer(malformed(r)) }
        j.endObject()
        j.key("gaps"); j.integer(gaps)
        j.key("repeats"); j.integer(repeats)
        j.key("refused"); j.integer(refused)
        j.key("refused_off_shard"); j.integer(refusedOffShard)
        j.key("shard")
        if let shard { j.string(shard) } else { j.null() }
        j.key("refused_updates"); j.integer(refusedUpdates)
        j.key("unsent"); j.integer(unsent)
        j.key("disconnects"); j.integer(disconnects)
        j.key("checkpoints_written"); j.integer(checkpointsWritten)
        j.key("checkpoint_errors"); j.integer(checkpointErrors)
        j.key("auth_admitted"); j.integer(authAdmitted)
        j.key("auth_denied"); j.integer(authDenied)
        j.endObject()
        return j.text
    }
}
