/// Builds compact JSON text (metrics, encoders). Non-finite doubles are written as `null`.
struct _JSONWriter {
    var text = ""
    /// Whether the next item in the current container needs a comma first.
    private var needsComma = false

    mutating func separator() {
        if needsComma { text += "," }
        needsComma = true
    }

    mutating func beginObject() { separator(); text += "{"; needsComma = false }
    mutating func endObject() { text += "}"; needsComma = true }
    mutating func beginArray() { separator(); text += "["; needsComma = false }
    mutating func endArray() { text += "]"; needsComma = true }

    /// A key; the value written next belongs to it.
    mutating func key(_ k: String) {
        separator()
        text += Self.quoted(k)
        text += ":"
        needsComma = false
    }

    /// Raw JSON text as the next value (an integer, `true`, ...).
    mutating func raw(_ s: String) { separator(); text += s }
    mutating func string(_ s: String) { separator(); text += Self.quoted(s) }
    mutating func number(_ v: Double) { separator(); text += Self.number(v) }
    mutating func integer<I: BinaryInteger>(_ v: I) { separator(); text += String(v) }
    mutating func bool(_ v: Bool) { separator(); text += v ? "true" : "false" }
    mutating func null() { separator(); text += "null" }

    mutating func array(_ values: [Double]) {
        beginArray()
        for v in values { number(v) }
        endArray()
    }

    /// The shortest text that reads back to `v` (Swift's round-trip formatting); `null`
    /// for NaN and infinities, which JSON cannot express.
    static func number(_ v: Double) -> String {
        guard v.isFinite else { return "null" }
        var s = v.description
        if s.hasSuffix(".0") { s.removeLast(2) }  // "3.0" -> "3"
        return s
    }

    /// `s` as a JSON string literal.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
