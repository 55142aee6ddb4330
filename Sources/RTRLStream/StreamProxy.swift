#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CZeroMQ

/// The fan-in point for many publishers (`rtrl-stream proxy`): publishers connect their
/// PUB sockets to its XSUB side, adapters connect their SUB sockets to its XPUB side.
/// Messages flow downstream unchanged; subscriptions (the adapters' `--shard` prefixes and
/// `--topic` filters) flow upstream to every publisher, so each publisher sends a message
/// only when some adapter subscribed to its topic, and each adapter receives only its
/// share. This is `zmq_proxy(xsub, xpub)`, written as a poll loop so that a stop request
/// (from a signal handler) ends it cleanly, with counters.
///
/// Any number of proxies may be chained or run side by side (each publisher connecting to
/// several) — ZeroMQ's own mechanism, no broker state: a restarted proxy learns the
/// subscriptions again when the adapters reconnect.
public final class StreamProxy {
    /// Why ``run(timeout:)`` returned.
    public enum StopReason: String, Sendable {
        case stopped
        case timeout
    }

    /// The publisher side (XSUB), resolved (a bound `:*` shows its port).
    public let frontendEndpoints: [Endpoint]
    /// The subscriber side (XPUB), resolved.
    public let backendEndpoints: [Endpoint]
    /// Messages forwarded downstream (publishers to adapters).
    public private(set) var messages: UInt64 = 0
    /// Subscribe and unsubscribe requests forwarded upstream.
    public private(set) var subscriptions: UInt64 = 0
    public private(set) var unsubscriptions: UInt64 = 0

    private let frontend: _ZMQSocket
    private let backend: _ZMQSocket
    private let frame = _ZMQMessage()
    private let stopSignal: _StopSignal
    private let pollItems: UnsafeMutablePointer<zmq_pollitem_t>

    /// Opens the XSUB side at `frontend` and the XPUB side at `backend` (czmq endpoint
    /// syntax; both bind unless prefixed with `>`). `highWaterMark` is ZMQ_SNDHWM /
    /// ZMQ_RCVHWM of both sockets (0 = no limit); past it XPUB drops messages for a slow
    /// subscriber, as any PUB does.
    ///
    /// - Throws: `invalidArgument` for a bad endpoint or water mark; `stream` when a socket
    ///   cannot be set up (an address in use, ...).
    public init(frontend: String, backend: String, highWaterMark: Int = 1000) throws(StreamError) {
        guard highWaterMark >= 0 && highWaterMark <= Int(Int32.max) else {
            throw .invalid("hwm must be >= 0, got \(highWaterMark)")
        }
        let inList = try EndpointList(frontend, defaultBind: true)
        let outList = try EndpointList(backend, defaultBind: true)
        let context = try _ZMQContext()
        let xsub = try _ZMQSocket(context, type: ZMQ_XSUB, role: "proxy XSUB socket")
        let xpub = try _ZMQSocket(context, type: ZMQ_XPUB, role: "proxy XPUB socket")
        for s in [xsub, xpub] {
            try s.set(ZMQ_RCVHWM, Int32(highWaterMark), "ZMQ_RCVHWM")
            try s.set(ZMQ_SNDHWM, Int32(highWaterMark), "ZMQ_SNDHWM")
            try s.set(ZMQ_LINGER, Int32(0), "ZMQ_LINGER")
        }
        self.frontend = xsub
        self.backend = xpub
        stopSignal = try _StopSignal()
        frontendEndpoints = try inList.endpoints.map { (e) throws(StreamError) in try xsub.attach(e) }
        backendEndpoints = try outList.endpoints.map { (e) throws(StreamError) in try xpub.attach(e) }
        pollItems = .allocate(capacity: 3)
        pollItems.initialize(from: [
            zmq_pollitem_t(socket: xsub.handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0),
            zmq_pollitem_t(socket: xpub.handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0),
            zmq_pollitem_t(socket: nil, fd: stopSignal.readDescriptor, events: Int16(ZMQ_POLLIN), revents: 0),
        ], count: 3)
    }

    deinit { pollItems.deallocate() }

    /// Ends the running (or next) ``run(timeout:)``. Safe from any thread and from a
    /// signal handler.
    public func stop() { stopSignal.raise() }

    /// Forwards until ``stop()`` or `timeout` seconds.
    ///
    /// - Throws: `stream` if a socket fails.
    public func run(timeout: Double? = nil) throws(StreamError) -> StopReason {
        let deadline = timeout.map { _monotonicSeconds() + max(0, $0) } ?? .infinity
        while true {
            if stopSignal.isRaised {
                stopSignal.consume()
                return .stopped
            }
            let now = _monotonicSeconds()
            if now >= deadline { return .timeout }
            let ms = deadline.isFinite ? Int32(min((deadline - now) * 1000, 3_600_000).rounded(.up)) : -1
            if zmq_poll(pollItems, 3, Int(ms)) < 0 {
                guard zmq_errno() == EINTR else { throw StreamError(.stream, "proxy: poll failed: \(_zmqErrorText())") }
                continue
            }
            if pollItems[2].revents != 0 { stopSignal.drain() }
            // Drain a bounded batch from each side so neither starves the other.
            var n = 0
            while n < 1024, try forward(from: frontend, to: backend, upstream: false) { n += 1 }
            n = 0
            while n < 1024, try forward(from: backend, to: frontend, upstream: true) { n += 1 }
        }
    }

    /// Moves one whole message (every frame) if one is waiting; false if none is.
    private func forward(from source: _ZMQSocket, to destination: _ZMQSocket, upstream: Bool) throws(StreamError) -> Bool {
        var first = true
        while true {
            if frame.receive(source, wait: !first) < 0 {
                let e = zmq_errno()
                if first && e == EAGAIN { return false }
                if e == EINTR { continue }
                throw StreamError(.stream, "proxy: receive failed: \(_zmqErrorText())")
            }
            if first && upstream {
                let b = frame.bytes
                if b.count > 0 && b[0] == 1 { subscriptions += 1 } else if b.count > 0 && b[0] == 0 { unsubscriptions += 1 }
            }
            first = false
            let more = frame.more
            while zmq_msg_send(frame.msg, destination.handle, more ? ZMQ_SNDMORE : 0) < 0 {
                guard zmq_errno() == EINTR else { throw StreamError(.stream, "proxy: send failed: \(_zmqErrorText())") }
            }
            if !more { break }
        }
        if !upstream { messages += 1 }
        return true
    }
}
