/// The error every throwing call of the engine throws.
///
/// `code` says what kind of failure it is (the C ABI maps it to an `rtrl_status`);
/// `message` names the problem in words a user can act on, for example
/// `"feed: x has 3 values, the network has 2 inputs"`.
///
/// A call that throws leaves the network exactly as it was before the call.
public struct RTRLError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: Int32, Sendable, CaseIterable {
        /// A bad argument: a wrong length, a non-finite value where a finite one is
        /// needed, an unknown name or enum value, an invalid size, a delay-0 cycle,
        /// an identity connection asked to be trainable.
        case invalidArgument = -1
        /// The network (or its serialised form) would need more memory than allowed.
        case outOfMemory = -2
        /// Serialised bytes are truncated, corrupted or otherwise not a network.
        case corrupt = -4
        /// Serialised bytes come from a newer, unknown format version.
        case unsupportedVersion = -5
        /// A caller's buffer is too small for the result.
        case bufferTooSmall = -6
        /// An update was refused because it would have made a parameter or the loss
        /// non-finite (the divergence guard).
        case diverged = -7
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    @usableFromInline
    static func invalid(_ message: String) -> RTRLError { RTRLError(.invalidArgument, message) }
}
