import Testing
@testable import RTRLStream

private func parse(_ s: String) throws -> JSONValue { try JSONParser.parse(s) }

private func number(_ s: String) throws -> JSONNumber {
    guard case .number(let n) = try parse(s) else { throw JSONParseError(message: "not a number", offset: 0) }
    return n
}

@Suite struct JSONParserTests {
    @Test func parsesEveryKindOfValue() throws {
        let v = try parse(#" { "a" : [1, -2.5e3, true, false, null, "s\u00e9\n"], "b": {} } "#)
        guard case .object(let o) = v, case .array(let items)? = o["a"] else { Issue.record("not an object"); return }
        #expect(o.members.map(\.key) == ["a", "b"])
        #expect(items.count == 6)
        #expect(items[1] == .number(JSONNumber(_text: "-2.5e3")))
        #expect(items[2] == .bool(true) && items[3] == .bool(false) && items[4] == .null)
        #expect(items[5] == .string("s\u{e9}\n"))
        #expect(o["b"] == .object(JSONObject()))
    }

    @Test(arguments: [
        ("0.1", 0.1), ("-0.0", -0.0), ("1e-310", 1e-310), ("2.2250738585072014e-308", 2.2250738585072014e-308),
        ("1.7976931348623157e308", 1.7976931348623157e308), ("123456789012345678", 123456789012345678.0),
        ("0.30000000000000004", 0.30000000000000004), ("5e-324", Double.leastNonzeroMagnitude), ("9007199254740993", 9007199254740992.0),
    ])
    func numbersConvertExactly(_ text: String, _ expected: Double) throws {
        let d = try number(text).double
        #expect(d.bitPattern == expected.bitPattern, "\(text) -> \(d)")
    }

    @Test func outOfRangeNumbersBecomeInfinite() throws {
        #expect(try number("1e400").double == .infinity)
        #expect(try number("-1e400").double == -.infinity)
    }

    @Test func integersAreExact() throws {
        #expect(try number("18446744073709551615").uint64 == UInt64.max)
        #expect(try number("18446744073709551616").uint64 == nil)
        #expect(try number("-1").uint64 == nil)
        #expect(try number("1733000000000000001").int64 == 1_733_000_000_000_000_001)
        #expect(try number("-9223372036854775808").int64 == Int64.min)
        #expect(try number("9223372036854775808").int64 == nil)
        #expect(try number("7.0").uint64 == nil)
        #expect(try number("7e0").int64 == nil)
    }

    @Test func surrogatePairsDecode() throws {
        #expect(try parse(#""\ud83d\ude00""#) == .string("\u{1F600}"))
    }

    @Test(arguments: [
        "", " ", "NaN", "nan", "Infinity", "-Infinity", "+1", "01", "-01", ".5", "1.", "1e", "1e+", "-", "0x10",
        "[1,]", "[1 2]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{'a':1}", "'x'", "[1]]", "[1] x", "// c\n1", "/* c */ 1",
        "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"a\nb\"", "\"\u{01}\"",
        "tru", "nul", "True", "{\"a\":1,\"a\":2}", "[", "{", "\"abc",
    ])
    func rejectsWhatTheGrammarDoesNot(_ text: String) {
        #expect(throws: JSONParseError.self) { try parse(text) }
    }

    @Test func rejectsInvalidUTF8() {
        let bytes: [UInt8] = [0x22, 0xC3, 0x28, 0x22]  // "\xC3(" — an invalid sequence inside a string
        #expect(throws: JSONParseError.self) { try bytes.withUnsafeBytes { try JSONParser.parse($0) } }
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF, 0x31]
        #expect(throws: JSONParseError.self) { try bom.withUnsafeBytes { try JSONParser.parse($0) } }
    }

    @Test func limitsNesting() throws {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        _ = try parse(ok)
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONParseError.self) { try parse(deep) }
        let huge = String(repeating: "[", count: 100_000)
        #expect(throws: JSONParseError.self) { try parse(huge) }
    }

    @Test func reportsTheOffset() {
        do {
            _ = try JSONParser.parse("[1, 2, x]")
            Issue.record("no error")
        } catch {
            #expect(error.offset == 7)
        }
    }

    @Test func writerRoundTrips() throws {
        for v in [0.1, -2.5, 1e-300, 123456789.125, Double.leastNonzeroMagnitude, -0.0, 1e22] {
            let text = _JSONWriter.number(v)
            #expect(try number(text).double.bitPattern == v.bitPattern, "\(v) -> \(text)")
        }
        #expect(_JSONWriter.number(.nan) == "null")
        #expect(_JSONWriter.number(.infinity) == "null")
        #expect(_JSONWriter.quoted("a\"b\\c\n\u{01}") == #""a\"b\\c\n\u0001""#)
        #expect(try parse(_JSONWriter.quoted("tab\there \u{7F} é")) == .string("tab\there \u{7F} é"))
    }
}
