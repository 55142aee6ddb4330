/// Streams partitioned over several adapters by topic prefix.
///
/// A publisher sends the samples of stream `id` on the topic
/// ``topic(streamID:shards:)`` = `"s" + four-digit shard index + "/" + id`, e.g.
/// `s0002/sensor-7`, where the shard index is the 32-bit FNV-1a hash of the UTF-8 bytes of
/// `id` modulo the number of shards. Adapter `I` of `N` (`--shard I/N`) subscribes to the
/// prefix `sIIII/` only, so ZeroMQ filters at the publisher and every sample travels to one
/// adapter once; with a PULL input (where ZeroMQ cannot filter) the adapter refuses the
/// topics outside its share.
///
/// The same function exists in C (`rtrl_shard_of`, `rtrl_shard_topic` in rtrl.h) and in
/// Python (`rtrl.stream.shard_of`, `rtrl.stream.shard_topic`); docs/wire-format.md is the
/// definition all three follow.
public struct StreamShard: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The most shards a deployment may have (indices 0...9999: four digits).
    public static let maxCount = 10_000
    /// The length of every shard prefix (`s`, four digits, `/`).
    public static let prefixLength = 6
    /// The longest stream id, in bytes: a topic holds at most 255.
    public static let maxStreamIDLength = WireFormat.maxTopicLength - prefixLength

    /// This adapter's shard, 0 ..< ``count``.
    public let index: Int
    /// The number of shards, 1 ... ``maxCount``.
    public let count: Int

    /// Shard `index` of `count`.
    ///
    /// - Throws: `invalidArgument` unless 1 <= count <= ``maxCount`` and 0 <= index < count.
    public init(index: Int, count: Int) throws(StreamError) {
        guard count >= 1 && count <= Self.maxCount else {
            throw .invalid("shard: the number of shards must be in 1...\(Self.maxCount), got \(count)")
        }
        guard index >= 0 && index < count else {
            throw .invalid("shard: the index must be in 0...\(count - 1) for \(count) shard\(count == 1 ? "" : "s"), got \(index)")
        }
        self.index = index
        self.count = count
    }

    /// Parses `"I/N"` (the form of `--shard` and of the configuration key `shard`).
    public init(parsing text: String) throws(StreamError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Self.decimal(parts[0]), let n = Self.decimal(parts[1]) else {
            throw .invalid("shard: expected I/N (this adapter's index and the number of shards, e.g. 0/3), got \"\(text)\"")
        }
        try self.init(index: i, count: n)
    }

    /// `"I/N"`.
    public var description: String { "\(index)/\(count)" }

    /// The topic prefix of this shard, `sIIII/`: the SUB filter of its adapter.
    public var prefix: String { Self.prefix(index: index) }

    /// The topic prefix of shard `index` (0 ..< ``maxCount``): `"s"`, the index as four
    /// decimal digits, `"/"`.
    public static func prefix(index: Int) -> String {
        precondition(index >= 0 && index < maxCount, "shard index out of range")
        let digits = String(index)
        return "s" + String(repeating: "0", count: 4 - digits.utf8.count) + digits + "/"
    }

    // MARK: The hash

    /// The 32-bit FNV-1a hash of `bytes` (offset basis 2166136261, prime 16777619).
    ///
    /// - Complexity: O(bytes.count).
    @inline(__always)
    public static func fnv1a32<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var h: UInt32 = 0x811C_9DC5
        for b in bytes {
            h ^= UInt32(b)
            h = h &* 0x0100_0193
        }
        return h
    }

    /// The shard of the stream `streamID` among `count` shards: FNV-1a-32 of its bytes
    /// modulo `count`.
    public static func shard<C: Collection>(ofStreamID streamID: C, count: Int) -> Int where C.Element == UInt8 {
        precondition(count >= 1 && count <= maxCount, "shard count out of range")
        return Int(fnv1a32(streamID) % UInt32(count))
    }

    /// The shard of the stream `streamID` (UTF-8) among `count` shards.
    public static func shard(ofStreamID streamID: String, count: Int) -> Int {
        shard(ofStreamID: streamID.utf8, count: count)
    }

    /// The topic a publisher sends stream `streamID`'s samples on when there are `shards`
    /// adapters: ``prefix(index:)`` of its shard, then the id.
    ///
    /// - Throws: `invalidArgument` for a shard count outside 1...``maxCount`` or an id that
    ///   is empty or longer than ``maxStreamIDLength`` bytes.
    public static func topic(streamID: String, shards: Int) throws(StreamError) -> String {
        guard shards >= 1 && shards <= maxCount else {
            throw .invalid("shard topic: the number of shards must be in 1...\(maxCount), got \(shards)")
        }
        let n = streamID.utf8.count
        guard n >= 1 && n <= maxStreamIDLength else {
            throw .invalid("shard topic: a stream id has 1 to \(maxStreamIDLength) bytes, got \(n)")
        }
        return prefix(index: shard(ofStreamID: streamID.utf8, count: shards)) + streamID
    }

    // MARK: Reading a topic

    /// The stream id inside `topic` if the topic carries this shard's prefix and a
    /// non-empty id (the hash is not checked: see ``owns(streamID:)``); nil otherwise.
    @inline(__always)
    public func streamID(inTopic topic: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard topic.count > Self.prefixLength,
              topic[0] == UInt8(ascii: "s"), topic[5] == UInt8(ascii: "/")
        else { return nil }
        var i = 0
        for k in 1...4 {
            let d = topic[k]
            guard d >= UInt8(ascii: "0") && d <= UInt8(ascii: "9") else { return nil }
            i = i * 10 + Int(d - UInt8(ascii: "0"))
        }
        guard i == index else { return nil }
        return UnsafeRawBufferPointer(rebasing: topic[Self.prefixLength...])
    }

    /// Whether the stream `streamID` hashes to this shard.
    @inline(__always)
    public func owns<C: Collection>(streamID: C) -> Bool where C.Element == UInt8 {
        Self.shard(ofStreamID: streamID, count: count) == index
    }

    /// The value of `s` if it is 1 to 5 decimal digits (no sign, no space), else nil.
    private static func decimal(_ s: Substring) -> Int? {
        guard !s.isEmpty, s.utf8.count <= 5, s.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        return Int(s)
    }
}
