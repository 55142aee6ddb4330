/// Decodes a JSON sample payload:
/// `{"x": [...], "y": [...], "seq": 7, "t": 1733000000000000000, "reset": false}`.
///
/// Only `x` is required. `y` may be absent, `null` or `[]` (no target), or hold exactly
/// n_outputs entries, each a number or `null` (no target for that unit). `seq` is an
/// integer in 0...2^64-1, `t` an integer in the Int64 range, `reset` a boolean. Any other
/// key, a value of the wrong type, or a number out of range makes the sample malformed.
public enum JSONSampleDecoder {
    /// The keys a JSON sample may have.
    public static let keys: Set<String> = ["x", "y", "seq", "t", "reset"]

    /// Decodes a JSON payload (see ``SampleDecoder/decode(_:shape:x:target:)``).
    public static func decode(
        _ p: UnsafeRawBufferPointer, shape: SampleShape,
        x: UnsafeMutablePointer<Double>, target: UnsafeMutablePointer<Double>
    ) throws(MalformedSample) -> SampleInfo {
        let value: JSONValue
        do {
            value = try JSONParser.parse(p)
        } catch {
            throw MalformedSample(.badJSON, error.description)
        }
        guard case .object(let object) = value else {
            throw MalformedSample(.invalidJSONSample, "the payload is \(value.typeName), not an object")
        }
        for (key, _) in object.members where !keys.contains(key) {
            throw MalformedSample(.invalidJSONSample, "unknown key \"\(key)\"")
        }
        guard let xv = object["x"] else { throw MalformedSample(.invalidJSONSample, "\"x\" is missing") }
        guard case .array(let xs) = xv else {
            throw MalformedSample(.invalidJSONSample, "\"x\" is \(xv.typeName), not an array")
        }
        guard xs.count == shape.inputs else {
            throw MalformedSample(.inputCountMismatch, "\"x\" has \(xs.count) values, the network has \(shape.inputs) inputs")
        }
        var info = SampleInfo(hasTarget: false, seq: nil, timestamp: 0, reset: false)
        // Check every field before writing any value.
        var targets: [JSONValue] = []
        if let yv = object["y"] {
            switch yv {
            case .null: break
            case .array(let ys):
                guard ys.isEmpty || ys.count == shape.outputs else {
                    throw MalformedSample(.targetCountMismatch, "\"y\" has \(ys.count) values, the network has \(shape.outputs) outputs")
                }
                targets = ys
            default:
                throw MalformedSample(.invalidJSONSample, "\"y\" is \(yv.typeName), not an array")
            }
        }
        if let s = object["seq"] {
            guard case .number(let n) = s, let seq = n.uint64 else {
                throw MalformedSample(.invalidJSONSample, "\"seq\" must be an integer in 0...\(UInt64.max)")
            }
            info.seq = seq
        }
        if let t = object["t"] {
            guard case .number(let n) = t, let ns = n.int64 else {
                throw MalformedSample(.invalidJSONSample, "\"t\" must be an integer (ns since the Unix epoch)")
            }
            info.timestamp = ns
        }
        if let r = object["reset"] {
            guard case .bool(let b) = r else { throw MalformedSample(.invalidJSONSample, "\"reset\" must be true or false") }
            info.reset = b
        }
        for (i, v) in xs.enumerated() {
            guard case .number(let n) = v else {
                throw MalformedSample(.invalidJSONSample, "x[\(i)] is \(v.typeName), not a number")
            }
            let d = n.double
            guard d.isFinite else { throw MalformedSample(.nonFiniteInput, "x[\(i)] = \(n.text) is out of the double range") }
            x[i] = d
        }
        for (i, v) in targets.enumerated() {
            switch v {
            case .null:
                target[i] = .nan
            case .number(let n):
                let d = n.double
                guard d.isFinite else { throw MalformedSample(.infiniteTarget, "y[\(i)] = \(n.text) is out of the double range") }
                target[i] = d
            default:
                throw MalformedSample(.invalidJSONSample, "y[\(i)] is \(v.typeName), not a number or null")
            }
        }
        info.hasTarget = !targets.isEmpty
        return info
    }
}
