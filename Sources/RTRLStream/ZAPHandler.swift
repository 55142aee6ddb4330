import CZeroMQ

/// A ZeroMQ Authentication Protocol (RFC 27) handler that admits CURVE clients whose
/// public key is in an allow list, and nobody else.
///
/// It is a REP socket bound at `inproc://zeromq.zap.01` in the adapter's context; libzmq
/// sends it one request per handshake on the context's CURVE server sockets. The adapter
/// serves it from its own loop (``serve()`` when the socket is readable), so no thread is
/// involved; a handshake waits while the adapter is busy with a batch of messages.
final class _ZAPHandler {
    static let endpoint = "inproc://zeromq.zap.01"

    let socket: _ZMQSocket
    /// The admitted public keys (32 raw bytes each).
    let allowed: Set<[UInt8]>
    /// Requests admitted and denied so far.
    private(set) var admitted: UInt64 = 0
    private(set) var denied: UInt64 = 0
    private let frame = _ZMQMessage()

    init(_ context: _ZMQContext, allowed: [[UInt8]]) throws(StreamError) {
        socket = try _ZMQSocket(context, type: ZMQ_REP, role: "ZAP handler")
        try socket.set(ZMQ_LINGER, Int32(0), "ZMQ_LINGER")
        try socket.attach(Endpoint(address: Self.endpoint, bind: true))
        self.allowed = Set(allowed)
    }

    /// Answers every pending request without waiting. Returns the number answered.
    @discardableResult
    func serve() -> Int {
        var answered = 0
        while true {
            // A request: version, request id, domain, address, identity, mechanism, credentials...
            var frames: [[UInt8]] = []
            guard frame.receive(socket, wait: false) >= 0 else { return answered }
            frames.append(Array(frame.bytes))
            while frame.more {
                guard frame.receive(socket, wait: true) >= 0 else { break }
                frames.append(Array(frame.bytes))
            }
            let ok = frames.count >= 7 && frames[0] == Array("1.0".utf8)
                && frames[5] == Array("CURVE".utf8) && frames[6].count == 32 && allowed.contains(frames[6])
            if ok { admitted += 1 } else { denied += 1 }
            let requestID = frames.count > 1 ? frames[1] : []
            let reply: [[UInt8]] = [
                Array("1.0".utf8), requestID,
                Array((ok ? "200" : "400").utf8), Array((ok ? "OK" : "public key not allowed").utf8),
                [], [],
            ]
            for (i, f) in reply.enumerated() {
                _ = f.withUnsafeBytes { socket.send($0.baseAddress, $0.count, more: i + 1 < reply.count, wait: true) }
            }
            answered += 1
        }
    }
}
