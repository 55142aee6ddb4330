#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and crash-safe whole-file writes.
///
/// A write goes to a temporary file in the same directory, is flushed with `fsync`,
/// renamed over the destination, and the directory is flushed too: after a crash the
/// destination holds either the old bytes or the new ones, never a mixture.
public enum AtomicFile {
    /// A failed read or write, with the path and the system's reason.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var path: String
        public var reason: String
        public var errno: Int32
        public var description: String { "\(path): \(reason)" }
    }

    private static func failure(_ path: String, _ what: String) -> Failure {
        let e = errno
        let reason = String(cString: strerror(e))
        return Failure(path: path, reason: "\(what): \(reason)", errno: e)
    }

    /// Writes `bytes` to `path` atomically (temp file, fsync, rename, fsync of the directory).
    public static func write(_ bytes: UnsafeRawBufferPointer, to path: String) throws(Failure) {
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { path[..<$0].isEmpty ? "/" : String(path[..<$0]) } ?? "."
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard !base.isEmpty else { throw Failure(path: path, reason: "not a file name", errno: EINVAL) }
        var template = Array("\(dir)/.\(base).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw failure(path, "cannot create a temporary file in \(dir)") }
        let tmp = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var ok = false
        defer {
            if !ok { unlink(tmp) }
        }
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                let f = failure(path, "write failed")
                close(fd)
                throw f
            }
            done += n
        }
        if fsync(fd) != 0 {
            let f = failure(path, "fsync failed")
            close(fd)
            throw f
        }
        if close(fd) != 0 { throw failure(path, "close failed") }
        if rename(tmp, path) != 0 { throw failure(path, "rename failed") }
        ok = true
        let dfd = open(dir, O_RDONLY | O_DIRECTORY)
        if dfd >= 0 {
            _ = fsync(dfd)
            close(dfd)
        }
    }

    /// Writes `bytes` to `path` atomically.
    public static func write(_ bytes: [UInt8], to path: String) throws(Failure) {
        let r = bytes.withUnsafeBytes { b in Result { () throws(Failure) in try write(b, to: path) } }
        try r.get()
    }

    /// Reads the whole file at `path`; refuses files larger than `maxBytes`.
    public static func read(_ path: String, maxBytes: Int = Int.max) throws(Failure) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw failure(path, "cannot open") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw failure(path, "cannot stat") }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw Failure(path: path, reason: "not a regular file", errno: EINVAL)
        }
        guard st.st_size <= maxBytes else {
            throw Failure(path: path, reason: "file is larger than \(maxBytes) bytes", errno: EFBIG)
        }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure(path, "read failed")
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
            guard out.count <= maxBytes else {
                throw Failure(path: path, reason: "file is larger than \(maxBytes) bytes", errno: EFBIG)
            }
        }
        return out
    }
}
