/// The error the stream adapter throws: a code (whose raw value is the matching
/// `rtrl_status` of include/rtrl.h) and a message a user can act on.
public struct StreamError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The kind of failure; raw values equal the C ABI's `rtrl_status` codes.
    public enum Code: Int32, Sendable, CaseIterable {
        /// A bad setting (an unknown name, a value out of range, a malformed endpoint or
        /// configuration file) — `RTRL_ERR_INVALID_ARGUMENT`.
        case invalidArgument = -1
        /// A file or directory could not be read or written — `RTRL_ERR_IO`.
        case io = -3
        /// A checkpoint or key file is not valid — `RTRL_ERR_CORRUPT`.
        case corrupt = -4
        /// A checkpoint from a newer format version — `RTRL_ERR_VERSION`.
        case unsupportedVersion = -5
        /// A ZeroMQ call failed (bind, connect, socket option, ...) — `RTRL_ERR_STREAM`.
        case stream = -8
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    static func invalid(_ message: String) -> StreamError { StreamError(.invalidArgument, message) }
}
