/// The checkpoint file name of a topic: a name that stays inside the checkpoint directory
/// whatever the topic holds (`../../x`, `/`, NUL, non-ASCII, upper case on a
/// case-insensitive file system ...).
///
/// Bytes in `[a-z0-9_-]` are kept; every other byte (including `.`, `/`, `%` and upper-case
/// letters) becomes `%hh` with two lower-case hex digits, so the name uses only
/// `[a-z0-9_%-]` and never starts with a dot. The name is `t-<escaped>.ckpt`, which is
/// reversible. When the escaped form is longer than ``maxEscapedLength`` (file names are
/// limited to 255 bytes) the name is `h-<first 96 escaped chars>-<32 hex digits>.ckpt`,
/// the hex digits being two independent 64-bit FNV-1a hashes of the whole topic. The
/// topic is also stored inside the file, which is the authority; the adapter refuses a
/// topic whose name is already taken by another (a hash collision), so a file is never
/// overwritten by a different topic.
public enum TopicFileName {
    /// The suffix of every checkpoint file.
    public static let suffix = ".ckpt"
    /// The longest escaped topic kept whole in a name.
    public static let maxEscapedLength = 200

    /// The file name (no directory) for `topic`.
    public static func encode(_ topic: [UInt8]) -> String {
        let escaped = escape(topic[...])
        if escaped.count <= maxEscapedLength {
            return "t-" + escaped + suffix
        }
        // Cut the readable prefix at a whole escape.
        var prefix = ""
        for b in topic {
            let e = escape([b][...])
            if prefix.utf8.count + e.utf8.count > 96 { break }
            prefix += e
        }
        let (h1, h2) = topic.withUnsafeBytes { b in
            (_fnv1a64(b), _fnv1a64(b, seed: 0x9E37_79B9_7F4A_7C15))
        }
        return "h-" + prefix + "-" + hex16(h1) + hex16(h2) + suffix
    }

    /// The file name for a topic given as a string.
    public static func encode(_ topic: String) -> String { encode(Array(topic.utf8)) }

    /// The topic of a `t-` name, or nil (an `h-` name or not a checkpoint name).
    public static func decode(_ name: String) -> [UInt8]? {
        guard name.hasPrefix("t-"), name.hasSuffix(suffix) else { return nil }
        let body = Array(name.utf8.dropFirst(2).dropLast(suffix.utf8.count))
        var out: [UInt8] = []
        var i = 0
        while i < body.count {
            let c = body[i]
            if c == UInt8(ascii: "%") {
                guard i + 2 < body.count, let hi = hexValue(body[i + 1]), let lo = hexValue(body[i + 2]) else { return nil }
                out.append(hi << 4 | lo)
                i += 3
            } else if isKept(c) {
                out.append(c)
                i += 1
            } else {
                return nil
            }
        }
        return encode(out) == name ? out : nil
    }

    /// Whether `name` has the shape of a checkpoint file name.
    public static func isCheckpointName(_ name: String) -> Bool {
        (name.hasPrefix("t-") || name.hasPrefix("h-")) && name.hasSuffix(suffix)
            && name.utf8.allSatisfy { isKept($0) || $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: ".") }
    }

    static func isKept(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
            || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
    }

    static func escape(_ bytes: ArraySlice<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for b in bytes {
            if isKept(b) {
                out.append(b)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(digits[Int(b >> 4)])
                out.append(digits[Int(b & 15)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    static func hex16(_ v: UInt64) -> String {
        let h = String(v, radix: 16)
        return String(repeating: "0", count: 16 - h.count) + h
    }
}
