/// A ZeroMQ endpoint in the czmq convention: `@tcp://127.0.0.1:5555` binds,
/// `>tcp://127.0.0.1:5555` connects, a bare address uses the socket's default.
public struct Endpoint: Equatable, Sendable, CustomStringConvertible {
    /// The address without the prefix, e.g. `tcp://127.0.0.1:5555` or `ipc:///tmp/x`.
    public var address: String
    /// Bind (true) or connect (false).
    public var bind: Bool

    public init(address: String, bind: Bool) {
        self.address = address
        self.bind = bind
    }

    /// The transports libzmq is asked to use.
    public static let transports = ["tcp://", "ipc://", "inproc://"]

    /// Parses one endpoint; `defaultBind` applies when there is no `@` or `>` prefix.
    public init(_ text: String, defaultBind: Bool) throws(StreamError) {
        var s = Substring(text)
        var bind = defaultBind
        if s.hasPrefix("@") { bind = true; s = s.dropFirst() } else if s.hasPrefix(">") { bind = false; s = s.dropFirst() }
        guard let transport = Self.transports.first(where: { s.hasPrefix($0) }) else {
            throw .invalid("endpoint \"\(text)\": the address must start with tcp://, ipc:// or inproc:// (optionally after @ to bind or > to connect)")
        }
        guard s.count > transport.count else { throw .invalid("endpoint \"\(text)\" has no address after \(transport)") }
        guard !s.utf8.contains(0) else { throw .invalid("endpoint \"\(text)\" contains a NUL byte") }
        address = String(s)
        self.bind = bind
    }

    /// `@address` or `>address`.
    public var description: String { (bind ? "@" : ">") + address }
}

/// One or more endpoints separated by commas, as czmq's `zsock_attach` accepts.
public struct EndpointList: Equatable, Sendable {
    public var endpoints: [Endpoint]

    public init(_ text: String, defaultBind: Bool) throws(StreamError) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        var list: [Endpoint] = []
        for p in parts {
            let trimmed = p.drop { $0 == " " }
            list.append(try Endpoint(String(trimmed), defaultBind: defaultBind))
        }
        guard !list.isEmpty else { throw .invalid("no endpoint given") }
        endpoints = list
    }
}
