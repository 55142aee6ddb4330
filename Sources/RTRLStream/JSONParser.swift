/// A failure to parse JSON: what was wrong and the byte offset where it was found.
public struct JSONParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var offset: Int

    public var description: String { "\(message) at byte \(offset)" }
}

/// A strict RFC 8259 JSON parser.
///
/// Rejects everything the grammar does not allow: `NaN`, `Infinity`, leading `+` or zeros,
/// `.5`, `1.`, trailing commas, comments, single quotes, control characters in strings,
/// invalid escapes and lone surrogates, invalid UTF-8, duplicate object keys, trailing
/// bytes after the value, and nesting deeper than `maxDepth`.
///
/// Numbers keep their text (``JSONNumber``): integers convert exactly, doubles through
/// `strtod` (correctly rounded).
///
/// - Complexity: O(n) in the input length.
public enum JSONParser {
    /// The default limit on nested arrays and objects.
    public static let defaultMaxDepth = 64

    /// Parses one JSON value that spans all of `bytes`.
    public static func parse(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        var p = _JSONScanner(bytes, maxDepth: maxDepth)
        p.skipWhitespace()
        let v = try p.value(depth: 0)
        p.skipWhitespace()
        guard p.at == bytes.count else { throw p.error("unexpected bytes after the value") }
        return v
    }

    /// Parses one JSON value that spans all of `text`.
    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        let bytes = Array(text.utf8)
        let r = bytes.withUnsafeBytes { b in
            Result { () throws(JSONParseError) -> JSONValue in try parse(b, maxDepth: maxDepth) }
        }
        return try r.get()
    }
}

/// The recursive-descent scanner behind ``JSONParser``.
struct _JSONScanner {
    let b: UnsafeRawBufferPointer
    let maxDepth: Int
    var at = 0

    init(_ b: UnsafeRawBufferPointer, maxDepth: Int) {
        self.b = b
        self.maxDepth = maxDepth
    }

    func error(_ message: String) -> JSONParseError { JSONParseError(message: message, offset: at) }

    var peek: UInt8? { at < b.count ? b[at] : nil }

    mutating func skipWhitespace() {
        while at < b.count {
            switch b[at] {
            case 0x20, 0x09, 0x0A, 0x0D: at += 1
            default: return
            }
        }
    }

    mutating func expect(_ literal: StaticString) throws(JSONParseError) {
        let n = literal.utf8CodeUnitCount
        guard b.count - at >= n else { throw error("invalid literal") }
        let l = literal.utf8Start
        for i in 0..<n where b[at + i] != l[i] { throw error("invalid literal") }
        at += n
    }

    mutating func value(depth: Int) throws(JSONParseError) -> JSONValue {
        guard let c = peek else { throw error("unexpected end of input") }
        switch c {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw error("unexpected character '\(Self.printable(c))'")
        }
    }

    static func printable(_ c: UInt8) -> String {
        c >= 0x20 && c < 0x7F ? String(UnicodeScalar(c)) : "\\x" + String(c, radix: 16)
    }

    mutating func object(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maxDepth else { throw error("nesting deeper than \(maxDepth)") }
        at += 1  // {
        var members: [(key: String, value: JSONValue)] = []
        skipWhitespace()
        if peek == UInt8(ascii: "}") { at += 1; return .object(JSONObject(members)) }
        while true {
            skipWhitespace()
            guard peek == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let keyOffset = at
            let key = try string()
            if members.contains(where: { $0.key == key }) {
                throw JSONParseError(message: "duplicate key \"\(key)\"", offset: keyOffset)
            }
            skipWhitespace()
            guard peek == UInt8(ascii: ":") else { throw error("expected ':'") }
            at += 1
            skipWhitespace()
            members.append((key, try value(depth: depth)))
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ","): at += 1
            case UInt8(ascii: "}"): at += 1; return .object(JSONObject(members))
            default: throw error("expected ',' or '}'")
            }
        }
    }

    mutating func array(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maxDepth else { throw error("nesting deeper than \(maxDepth)") }
        at += 1  // [
        var items: [JSONValue] = []
        skipWhitespace()
        if peek == UInt8(ascii: "]") { at += 1; return .array(items) }
        while true {
            skipWhitespace()
            items.append(try value(depth: depth))
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ","): at += 1
            case UInt8(ascii: "]"): at += 1; return .array(items)
            default: throw error("expected ',' or ']'")
            }
        }
    }

    /// -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
    mutating func number() throws(JSONParseError) -> JSONNumber {
        let start = at
        func digit(_ c: UInt8?) -> Bool { c.map { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } ?? false }
        if peek == UInt8(ascii: "-") { at += 1 }
        guard digit(peek) else { throw error("a number needs a digit here") }
        if peek == UInt8(ascii: "0") {
            at += 1
            if digit(peek) { throw error("a number may not have a leading zero") }
        } else {
            while digit(peek) { at += 1 }
        }
        if peek == UInt8(ascii: ".") {
            at += 1
            guard digit(peek) else { throw error("a fraction needs a digit after '.'") }
            while digit(peek) { at += 1 }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            at += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { at += 1 }
            guard digit(peek) else { throw error("an exponent needs a digit") }
            while digit(peek) { at += 1 }
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: b[start..<at]), as: UTF8.self)
        return JSONNumber(_text: text)
    }

    mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard b.count - at >= 4 else { throw error("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = b[at]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw error("invalid hex digit in \\u escape")
            }
            v = v << 4 | d
            at += 1
        }
        return v
    }

    mutating func string() throws(JSONParseError) -> String {
        let open = at
        at += 1  // "
        var out: [UInt8] = []
        while true {
            guard let c = peek else {
                throw JSONParseError(message: "unterminated string", offset: open)
            }
            switch c {
            case UInt8(ascii: "\""):
                at += 1
                guard let s = String(validating: out, as: UTF8.self) else {
                    throw JSONParseError(message: "string is not valid UTF-8", offset: open)
                }
                return s
            case UInt8(ascii: "\\"):
                at += 1
                guard let e = peek else { throw error("unterminated escape") }
                at += 1
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if scalar >= 0xD800 && scalar < 0xDC00 {
                        guard b.count - at >= 2, b[at] == UInt8(ascii: "\\"), b[at + 1] == UInt8(ascii: "u") else {
                            throw error("a high surrogate must be followed by a low surrogate")
                        }
                        at += 2
                        let low = try hex4()
                        guard low >= 0xDC00 && low < 0xE000 else { throw error("invalid low surrogate") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if scalar >= 0xDC00 && scalar < 0xE000 {
                        throw error("lone low surrogate")
                    }
                    out.append(contentsOf: Array(String(UnicodeScalar(scalar)!).utf8))
                default:
                    throw error("invalid escape '\\\(Self.printable(e))'")
                }
            default:
                guard c >= 0x20 else { throw error("control character in a string") }
                out.append(c)
                at += 1
            }
        }
    }
}
