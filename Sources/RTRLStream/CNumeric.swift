#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Number conversions through the C library, independent of the process's locale.
enum _CNumeric {
    /// The "C" locale for LC_NUMERIC, created once (nil if the system has none; then
    /// the thread's locale is used, which is "C" unless the host program changed it).
    nonisolated(unsafe) static let cLocale: locale_t? = newlocale(Int32(1 << LC_NUMERIC), "C", nil)

    /// `strtod` of `text` in the "C" locale: correctly rounded; ±inf on overflow.
    /// `text` must be a complete number (the JSON parser checks the grammar first).
    static func parseDouble(_ text: String) -> Double {
        let previous = cLocale.map { uselocale($0) }
        defer { if let previous { uselocale(previous) } }
        return text.withCString { strtod($0, nil) }
    }
}
