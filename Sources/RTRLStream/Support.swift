#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Seconds on the monotonic clock.
@inline(__always)
func _monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// `v` printed with `%.{digits}g`.
func _formatDouble(_ v: Double, significantDigits digits: Int) -> String {
    _printf("%.\(digits)g", v)
}

/// `v` printed with `%.{digits}f`.
func _formatDouble(_ v: Double, fractionDigits digits: Int) -> String {
    _printf("%.\(digits)f", v)
}

private func _printf(_ format: String, _ v: Double) -> String {
    var buf = [CChar](repeating: 0, count: 64)
    _ = withVaList([v]) { args in vsnprintf(&buf, buf.count, format, args) }
    return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// write(2), named apart from the methods called `write`.
@inline(__always)
func _writeDescriptor(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
    write(fd, p, n)
}

/// Log lines ("rtrl-stream: ..." on a file descriptor), with a per-interval budget for
/// lines about single messages so that a flood of garbage cannot flood the log.
final class _Log {
    let descriptor: Int32
    /// Lines about single messages allowed per interval.
    let budget: Int
    private var used = 0
    private(set) var suppressed: UInt64 = 0

    init(descriptor: Int32, budget: Int = 10) {
        self.descriptor = descriptor
        self.budget = budget
    }

    /// Writes one line (always).
    func write(_ line: String) {
        guard descriptor >= 0 else { return }
        var bytes = Array("rtrl-stream: \(line)\n".utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { _writeDescriptor(descriptor, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            done += n
        }
        bytes.removeAll()
    }

    /// Writes a line about one message if the interval's budget allows; counts it otherwise.
    func event(_ line: @autoclosure () -> String) {
        if used < budget {
            used += 1
            write(line())
        } else {
            suppressed += 1
        }
    }

    /// Starts a new interval; reports how many lines the last one suppressed.
    func newInterval() {
        if suppressed > 0 { write("(\(suppressed) more message events not logged)") }
        used = 0
        suppressed = 0
    }
}
