/// A JSON value as read by ``JSONParser``: numbers keep their exact text, objects keep
/// their members in order (duplicate keys are rejected by the parser).
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The name of the value's type, for error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// A JSON number: its text exactly as written (already checked against the JSON grammar)
/// and exact conversions.
public struct JSONNumber: Equatable, Sendable, CustomStringConvertible {
    /// The number's text, e.g. `-0.5e3`.
    public let text: String

    /// Creates a number from text the parser has checked against the JSON grammar.
    init(_text text: String) { self.text = text }

    /// The nearest double (correctly rounded by the C library's `strtod`, in the "C"
    /// locale); ±infinity when the magnitude is beyond the double range.
    public var double: Double { _CNumeric.parseDouble(text) }

    /// Whether the text is an integer (no fraction, no exponent).
    public var isInteger: Bool { !text.utf8.contains { $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") } }

    /// The value as an unsigned 64-bit integer, if the text is a non-negative integer in range.
    public var uint64: UInt64? {
        guard isInteger, !text.hasPrefix("-") else { return nil }
        var v: UInt64 = 0
        for c in text.utf8 {
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(c - UInt8(ascii: "0")))
            if o1 || o2 { return nil }
            v = s
        }
        return v
    }

    /// The value as a signed 64-bit integer, if the text is an integer in range.
    public var int64: Int64? {
        guard isInteger else { return nil }
        let negative = text.hasPrefix("-")
        var magnitude: UInt64 = 0
        for c in text.utf8 where c != UInt8(ascii: "-") {
            let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(c - UInt8(ascii: "0")))
            if o1 || o2 { return nil }
            magnitude = s
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    public var description: String { text }
}

/// A JSON object: its members in the order written.
public struct JSONObject: Equatable, Sendable {
    public var members: [(key: String, value: JSONValue)]

    public init(_ members: [(key: String, value: JSONValue)] = []) { self.members = members }

    /// The value of `key`, or nil.
    public subscript(key: String) -> JSONValue? {
        members.first { $0.key == key }?.value
    }

    public static func == (a: JSONObject, b: JSONObject) -> Bool {
        a.members.count == b.members.count
            && zip(a.members, b.members).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}
