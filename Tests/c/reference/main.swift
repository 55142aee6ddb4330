// rtrl-capi-reference SCENARIO_FILE
//
// Runs a parity scenario (see Scenario.swift) on the Swift engine directly and prints its
// trajectory, one line per step, every double as the 16 hex digits of its bit pattern:
//
//     P <initial params>
//     <t> <status> <apply status> Y <y(t)> L <E(t)> G <gradient buffer> P <params>
//
// The C test test_parity runs the same scenario through librtrl's C ABI and requires
// every line to be identical.
#if canImport(Glibc)
import Glibc
#endif
import RTRL

func hex(_ v: Double) -> String {
    let s = String(v.bitPattern, radix: 16)
    return String(repeating: "0", count: 16 - s.count) + s
}

func hexList(_ values: [Double]) -> String {
    values.map(hex).joined(separator: " ")
}

/// The C status name the ABI would return for a thrown error.
func statusWord(_ error: Error?) -> String {
    guard let error else { return "ok" }
    guard let e = error as? RTRLError else { return "internal" }
    return e.code == .diverged ? "diverged" : "error\(e.code.rawValue)"
}

/// Writes all of `s` to file descriptor `fd`.
func writeAll(_ fd: Int32, _ s: String) {
    var bytes = Array(s.utf8)
    var done = 0
    while done < bytes.count {
        let n = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
        if n <= 0 { if errno == EINTR { continue }; return }
        done += n
    }
}

func readFile(_ path: String) -> String? {
    guard let f = fopen(path, "rb") else { return nil }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = fread(&buffer, 1, buffer.count, f)
        if n == 0 { break }
        bytes.append(contentsOf: buffer[0..<n])
    }
    return String(decoding: bytes, as: UTF8.self)
}

let arguments = CommandLine.arguments
guard arguments.count == 2, let text = readFile(arguments[1]) else {
    writeAll(2, "usage: rtrl-capi-reference SCENARIO_FILE\n")
    exit(2)
}

do {
    let scenario = try Scenario(text: text)
    let net = try scenario.makeNetwork()
    try net.configure(scenario.configuration)
    var data = ScenarioData(seed: scenario.dataSeed)
    var out = "P " + hexList(net.parameters()) + "\n"
    for t in 1...max(scenario.steps, 1) where scenario.steps > 0 {
        let (x, target) = data.sample(step: t, inputs: net.numInputs, outputs: net.numOutputs, gap: scenario.gap)
        var y = [Double](repeating: 0, count: net.numOutputs)
        var loss = Double.nan
        var status: Error? = nil
        var applyStatus = "-"
        switch scenario.mode {
        case .learn:
            do {
                let r = try net.step(x, target: target)
                y = r.output
                loss = r.loss ?? .nan
            } catch {
                status = error
                y = net.output()
            }
        case .accumulate(let every):
            try net.feed(x)
            y = net.output()
            do { loss = try net.accumulate(target) } catch { status = error }
            if t % every == 0 {
                do { try net.apply(); applyStatus = "ok" } catch { applyStatus = statusWord(error) }
            }
        }
        out += "\(t) \(statusWord(status)) \(applyStatus) Y \(hexList(y)) L \(hex(loss)) G \(hexList(net.gradient())) P \(hexList(net.parameters()))\n"
        if out.utf8.count > 1 << 16 {
            writeAll(1, out)
            out = ""
        }
    }
    writeAll(1, out)
} catch {
    writeAll(2, "rtrl-capi-reference: \(error)\n")
    exit(1)
}
