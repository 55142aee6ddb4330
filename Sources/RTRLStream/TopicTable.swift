/// Finds a stream by its topic bytes without allocating: open addressing over FNV-1a
/// hashes, comparing the bytes on a hash match.
///
/// - Complexity: O(topic length) per lookup on average; the table doubles when half full.
struct _TopicTable {
    /// Slot -> index into `streams` + 1 (0 = empty).
    private var slots: [Int32]
    private var hashes: [UInt64]
    private(set) var streams: [_TopicStream] = []
    private var mask: Int

    init(capacity: Int = 16) {
        var n = 16
        while n < 2 * capacity { n <<= 1 }
        slots = [Int32](repeating: 0, count: n)
        hashes = [UInt64](repeating: 0, count: n)
        mask = n - 1
    }

    var count: Int { streams.count }

    /// The stream whose topic is `topic`, if any.
    @inline(__always)
    func find(_ topic: UnsafeRawBufferPointer) -> _TopicStream? {
        let h = _fnv1a64(topic)
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let s = Int(slots[i])
            if s == 0 { return nil }
            if hashes[i] == h {
                let stream = streams[s - 1]
                if stream.topic.count == topic.count
                    && stream.topic.withUnsafeBytes({ memcmp($0.baseAddress!, topic.baseAddress!, topic.count) == 0 }) {
                    return stream
                }
            }
            i = (i + 1) & mask
        }
    }

    /// Adds a stream whose topic is not in the table yet.
    mutating func insert(_ stream: _TopicStream) {
        if 2 * (streams.count + 1) > slots.count { grow() }
        streams.append(stream)
        place(index: streams.count - 1)
    }

    private mutating func place(index: Int) {
        let h = streams[index].topic.withUnsafeBytes { _fnv1a64($0) }
        var i = Int(truncatingIfNeeded: h) & mask
        while slots[i] != 0 { i = (i + 1) & mask }
        slots[i] = Int32(index + 1)
        hashes[i] = h
    }

    private mutating func grow() {
        let n = slots.count * 2
        slots = [Int32](repeating: 0, count: n)
        hashes = [UInt64](repeating: 0, count: n)
        mask = n - 1
        for k in streams.indices { place(index: k) }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
