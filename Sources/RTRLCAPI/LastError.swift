#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The per-thread message of the last failed call (`rtrl_last_error()`).
///
/// Each thread owns one `malloc`ed C string, kept in a pthread key whose destructor frees
/// it when the thread exits; a new failure replaces (and frees) the previous message.
enum _LastError {
    /// The key of the per-thread message; created once, on first use (Swift globals are
    /// initialised lazily and thread-safely).
    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        _ = pthread_key_create(&k) { p in free(p) }
        return k
    }()

    /// The message returned while no call has failed on a thread.
    nonisolated(unsafe) private static let empty: UnsafePointer<CChar> = _staticCString("")

    /// Records `message` as the calling thread's last error.
    static func set(_ message: String) {
        let old = pthread_getspecific(key)
        let new = strdup(message)
        _ = pthread_setspecific(key, new)
        free(old)
    }

    /// The calling thread's last error; never NULL.
    static var current: UnsafePointer<CChar> {
        guard let p = pthread_getspecific(key) else { return empty }
        return UnsafePointer(p.assumingMemoryBound(to: CChar.self))
    }
}

/// A C string that lives for the whole process (for static strings handed to C).
func _staticCString(_ s: String) -> UnsafePointer<CChar> {
    // strdup can only fail when memory is exhausted; an empty literal is the fallback.
    guard let p = strdup(s) else { return _emptyLiteral }
    return UnsafePointer(p)
}

/// "" in static storage.
nonisolated(unsafe) private let _emptyLiteral: UnsafePointer<CChar> = {
    let bytes = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
    bytes.initialize(to: 0)
    return UnsafePointer(bytes)
}()
