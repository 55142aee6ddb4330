import CRTRL
import RTRLStream

// Stream sharding: which adapter of N takes a stream, and the topic a publisher sends it
// on (RTRLStream's StreamShard; docs/wire-format.md, "Sharding").

/// The stream id argument as bytes: NUL-terminated UTF-8 of 1 ... RTRL_SHARD_MAX_STREAM_ID_LENGTH bytes.
private func _streamID(_ p: UnsafePointer<CChar>?, _ op: StaticString) throws -> String {
    let id = try _string(p, op, "stream_id")
    let n = id.utf8.count
    guard n >= 1 && n <= StreamShard.maxStreamIDLength else {
        throw _Failure.invalid("\(op): stream_id has \(n) bytes; a stream id has 1 to \(StreamShard.maxStreamIDLength)")
    }
    return id
}

/// The shard count argument: 1 ... RTRL_SHARD_MAX.
private func _shardCount(_ n: UInt32, _ op: StaticString) throws -> Int {
    guard n >= 1 && Int(n) <= StreamShard.maxCount else {
        throw _Failure.invalid("\(op): n_shards = \(n); it must be in 1...\(StreamShard.maxCount)")
    }
    return Int(n)
}

@_cdecl("rtrl_shard_of")
public func rtrl_shard_of(_ streamID: UnsafePointer<CChar>?, _ nShards: UInt32, _ shard: UnsafeMutablePointer<UInt32>?) -> rtrl_status {
    let op: StaticString = "rtrl_shard_of"
    return _status {
        let id = try _streamID(streamID, op)
        let count = try _shardCount(nShards, op)
        let out = try _required(shard, op, "shard")
        out.pointee = UInt32(StreamShard.shard(ofStreamID: id, count: count))
    }
}

@_cdecl("rtrl_shard_topic")
public func rtrl_shard_topic(
    _ streamID: UnsafePointer<CChar>?, _ nShards: UInt32, _ out: UnsafeMutablePointer<CChar>?, _ cap: UInt,
    _ len: UnsafeMutablePointer<UInt>?
) -> rtrl_status {
    let op: StaticString = "rtrl_shard_topic"
    return _status {
        let id = try _streamID(streamID, op)
        let count = try _shardCount(nShards, op)
        let capacity = try _count(cap, op, "cap")
        guard out != nil || capacity == 0 else { throw _Failure.invalid("\(op): out is NULL but cap is \(capacity)") }
        let topic = Array(try StreamShard.topic(streamID: id, shards: count).utf8)
        len?.pointee = UInt(topic.count)
        guard let out else { return }  // the size query
        guard capacity > topic.count else {
            throw _Failure(RTRL_ERR_BUFFER_TOO_SMALL, "\(op): the buffer has \(capacity) bytes, the topic needs \(topic.count + 1) with its NUL")
        }
        topic.withUnsafeBytes { UnsafeMutableRawPointer(out).copyMemory(from: $0.baseAddress!, byteCount: topic.count) }
        out[topic.count] = 0
    }
}
