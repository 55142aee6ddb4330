import RTRLStream

/// A recording of two-frame messages: for each message, u32 topic length, the topic,
/// u32 payload length, the payload (lengths little-endian). `replay` reads samples and
/// writes predictions in this format; `rtrl.stream.write_frames`/`read_frames` in Python
/// do the same.
enum FramesFile {
    struct Failure: Error { var message: String }

    static func read(_ path: String) throws(Failure) -> [(topic: [UInt8], payload: [UInt8])] {
        let bytes: [UInt8]
        do {
            bytes = try AtomicFile.read(path)
        } catch {
            throw Failure(message: error.description)
        }
        var out: [(topic: [UInt8], payload: [UInt8])] = []
        var at = 0
        func field() throws(Failure) -> [UInt8] {
            guard bytes.count - at >= 4 else { throw Failure(message: "\(path): truncated at byte \(at)") }
            let n = Int(UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24)
            at += 4
            guard bytes.count - at >= n else { throw Failure(message: "\(path): truncated at byte \(at)") }
            defer { at += n }
            return Array(bytes[at ..< at + n])
        }
        while at < bytes.count {
            let topic = try field()
            let payload = try field()
            out.append((topic, payload))
        }
        return out
    }

    static func write(_ messages: [(topic: [UInt8], payload: [UInt8])], to path: String) throws(Failure) {
        var bytes: [UInt8] = []
        func field(_ f: [UInt8]) {
            let n = UInt32(f.count)
            bytes += [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)]
            bytes += f
        }
        for m in messages {
            field(m.topic)
            field(m.payload)
        }
        do {
            try AtomicFile.write(bytes, to: path)
        } catch {
            throw Failure(message: error.description)
        }
    }
}
