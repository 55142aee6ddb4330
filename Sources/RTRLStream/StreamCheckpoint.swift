import RTRL

/// The checkpoint of one stream: the network's saved form (``Network/serialized()``,
/// complete by construction) plus the adapter's per-stream metadata.
///
/// Layout (little-endian), version 1:
///
///     offset  size  field
///     0       8     magic "RTRLSTRM"
///     8       4     format version (1)
///     12      4     flags: bit 0 written in forecast mode
///     16      2     topic length T (1...255)
///     18      T     topic (UTF-8)
///     18+T    8     next expected seq
///             8     samples learned
///             8     seq gaps
///             8     seq repeats
///             8     prequential squared-error sum (f64)
///             8     prequential squared-error count
///             1     forecast prediction pending (0 or 1)
///             8     network length N
///             N     the network's saved form
///             4     CRC-32C of every byte before it
public struct StreamCheckpoint: Equatable, Sendable {
    public static let magic: [UInt8] = Array("RTRLSTRM".utf8)
    public static let version: UInt32 = 1

    public var topic: [UInt8]
    public var forecast: Bool
    public var nextSeq: UInt64
    public var samples: UInt64
    public var gaps: UInt64
    public var repeats: UInt64
    public var squaredErrorSum: Double
    public var squaredErrorCount: UInt64
    public var hasPendingForecast: Bool
    /// The network's saved form.
    public var network: [UInt8]

    public init(
        topic: [UInt8], forecast: Bool, nextSeq: UInt64, samples: UInt64, gaps: UInt64, repeats: UInt64,
        squaredErrorSum: Double, squaredErrorCount: UInt64, hasPendingForecast: Bool, network: [UInt8]
    ) {
        self.topic = topic
        self.forecast = forecast
        self.nextSeq = nextSeq
        self.samples = samples
        self.gaps = gaps
        self.repeats = repeats
        self.squaredErrorSum = squaredErrorSum
        self.squaredErrorCount = squaredErrorCount
        self.hasPendingForecast = hasPendingForecast
        self.network = network
    }

    /// The file's bytes.
    public func encoded() -> [UInt8] {
        var w = _ByteAppender()
        w.bytes.reserveCapacity(96 + topic.count + network.count)
        w.raw(Self.magic)
        w.u32(Self.version)
        w.u32(forecast ? 1 : 0)
        w.u16(UInt16(topic.count))
        w.raw(topic)
        w.u64(nextSeq)
        w.u64(samples)
        w.u64(gaps)
        w.u64(repeats)
        w.f64(squaredErrorSum)
        w.u64(squaredErrorCount)
        w.u8(hasPendingForecast ? 1 : 0)
        w.u64(UInt64(network.count))
        w.raw(network)
        w.u32(w.bytes.withUnsafeBytes { _CRC32C.checksum($0) })
        return w.bytes
    }

    /// Reads a checkpoint; `corrupt` for anything but a complete, intact version-1 file,
    /// `unsupportedVersion` for a newer one.
    public init(decoding bytes: [UInt8]) throws(StreamError) {
        let r = bytes.withUnsafeBytes { b in Result { () throws(StreamError) -> StreamCheckpoint in try Self.decode(b) } }
        self = try r.get()
    }

    static func decode(_ b: UnsafeRawBufferPointer) throws(StreamError) -> StreamCheckpoint {
        func corrupt(_ what: String) -> StreamError { StreamError(.corrupt, "not a valid stream checkpoint (\(what))") }
        guard b.count >= 8 + 4 + 4, Array(b[0..<8]) == magic else { throw corrupt("bad magic") }
        var c = _ByteCursor(b)
        c.at = 8
        let version = c.u32()!
        guard version <= Self.version else {
            throw StreamError(.unsupportedVersion, "checkpoint format version \(version) is newer than this program's (\(Self.version))")
        }
        guard version == Self.version else { throw corrupt("version \(version)") }
        let stored = _loadU32(b, b.count - 4)
        guard _CRC32C.checksum(UnsafeRawBufferPointer(rebasing: b[0 ..< b.count - 4])) == stored else {
            throw corrupt("checksum mismatch")
        }
        guard let flags = c.u32(), flags & ~1 == 0 else { throw corrupt("unknown flags") }
        guard let tn = c.u16(), tn >= 1, Int(tn) <= WireFormat.maxTopicLength, let topic = c.take(Int(tn)) else {
            throw corrupt("topic length")
        }
        guard String(validating: topic, as: UTF8.self) != nil else { throw corrupt("topic is not UTF-8") }
        guard let nextSeq = c.u64(), let samples = c.u64(), let gaps = c.u64(), let repeats = c.u64(),
              let sse = c.f64(), let sseCount = c.u64(), let pending = c.u8(), pending <= 1,
              let nn = c.u64(), nn <= UInt64(c.remaining), let net = c.take(Int(nn))
        else { throw corrupt("truncated metadata") }
        guard c.remaining == 4 else { throw corrupt("\(c.remaining - 4) bytes after the network") }
        return StreamCheckpoint(
            topic: Array(topic), forecast: flags & 1 != 0, nextSeq: nextSeq, samples: samples, gaps: gaps,
            repeats: repeats, squaredErrorSum: sse, squaredErrorCount: sseCount, hasPendingForecast: pending == 1,
            network: Array(net))
    }
}

extension _TopicStream {
    /// The stream's checkpoint now.
    func checkpoint(forecast: Bool) -> StreamCheckpoint {
        StreamCheckpoint(
            topic: topic, forecast: forecast, nextSeq: nextSeq, samples: samples, gaps: gaps, repeats: repeats,
            squaredErrorSum: squaredErrorSum, squaredErrorCount: squaredErrorCount,
            hasPendingForecast: hasPendingForecast, network: network.serialized())
    }

    /// A stream restored from a checkpoint.
    convenience init(restoring c: StreamCheckpoint) throws(StreamError) {
        let net: Network
        do {
            net = try Network.deserialize(c.network)
        } catch {
            throw StreamError(error.code == .unsupportedVersion ? .unsupportedVersion : .corrupt, error.message)
        }
        self.init(topic: c.topic, fileName: TopicFileName.encode(c.topic), network: net)
        nextSeq = c.nextSeq
        samples = c.samples
        gaps = c.gaps
        repeats = c.repeats
        squaredErrorSum = c.squaredErrorSum
        squaredErrorCount = c.squaredErrorCount
        hasPendingForecast = c.hasPendingForecast
    }
}
