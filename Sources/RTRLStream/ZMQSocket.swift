#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CZeroMQ

/// The message of the last libzmq failure on this thread.
func _zmqErrorText() -> String { String(cString: zmq_strerror(zmq_errno())) }

/// A libzmq context, terminated when released (after every socket of it is closed).
final class _ZMQContext {
    let handle: UnsafeMutableRawPointer

    init() throws(StreamError) {
        guard let h = zmq_ctx_new() else { throw StreamError(.stream, "zmq_ctx_new: \(_zmqErrorText())") }
        handle = h
    }

    deinit {
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
    }
}

/// A libzmq socket: options, bind/connect, close on release.
///
/// A socket is used from one thread at a time (libzmq's rule).
final class _ZMQSocket {
    let handle: UnsafeMutableRawPointer
    /// What the socket is, for messages ("input SUB socket").
    let role: String
    /// Keeps the context alive while the socket is open.
    let context: _ZMQContext

    init(_ context: _ZMQContext, type: Int32, role: String) throws(StreamError) {
        guard let h = zmq_socket(context.handle, type) else {
            throw StreamError(.stream, "\(role): zmq_socket: \(_zmqErrorText())")
        }
        handle = h
        self.role = role
        self.context = context
    }

    deinit { zmq_close(handle) }

    func set(_ option: Int32, _ value: Int32, _ name: String) throws(StreamError) {
        var v = value
        guard zmq_setsockopt(handle, option, &v, MemoryLayout<Int32>.size) == 0 else {
            throw StreamError(.stream, "\(role): setting \(name) = \(value): \(_zmqErrorText())")
        }
    }

    func set(_ option: Int32, _ value: Int64, _ name: String) throws(StreamError) {
        var v = value
        guard zmq_setsockopt(handle, option, &v, MemoryLayout<Int64>.size) == 0 else {
            throw StreamError(.stream, "\(role): setting \(name) = \(value): \(_zmqErrorText())")
        }
    }

    func set(_ option: Int32, bytes: [UInt8], _ name: String) throws(StreamError) {
        let rc = bytes.withUnsafeBytes { zmq_setsockopt(handle, option, $0.baseAddress, $0.count) }
        guard rc == 0 else { throw StreamError(.stream, "\(role): setting \(name): \(_zmqErrorText())") }
    }

    /// The last endpoint bound or connected, with the port the system chose for `:*` or `:0`.
    var lastEndpoint: String {
        var buf = [CChar](repeating: 0, count: 1024)
        var size = buf.count
        guard zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buf, &size) == 0 else { return "" }
        return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Binds or connects to `endpoint`; returns the resolved endpoint.
    @discardableResult
    func attach(_ endpoint: Endpoint) throws(StreamError) -> Endpoint {
        let rc = endpoint.bind ? zmq_bind(handle, endpoint.address) : zmq_connect(handle, endpoint.address)
        guard rc == 0 else {
            throw StreamError(.stream, "\(role): cannot \(endpoint.bind ? "bind" : "connect") \(endpoint.address): \(_zmqErrorText())")
        }
        return Endpoint(address: endpoint.bind ? lastEndpoint : endpoint.address, bind: endpoint.bind)
    }

    /// Sends one frame; false (without sending) when it would block and `wait` is false,
    /// or on any other failure.
    @inline(__always)
    func send(_ p: UnsafeRawPointer?, _ n: Int, more: Bool, wait: Bool) -> Bool {
        let flags = (more ? ZMQ_SNDMORE : 0) | (wait ? 0 : ZMQ_DONTWAIT)
        return zmq_send(handle, p, n, flags) >= 0
    }
}

/// A reusable libzmq message for receiving frames without allocating per message.
final class _ZMQMessage {
    let msg: UnsafeMutablePointer<zmq_msg_t>

    init() {
        msg = .allocate(capacity: 1)
        zmq_msg_init(msg)
    }

    deinit {
        zmq_msg_close(msg)
        msg.deallocate()
    }

    /// Receives the next frame; the byte count, or -1 with `zmq_errno()` set.
    @inline(__always)
    func receive(_ socket: _ZMQSocket, wait: Bool) -> Int {
        Int(zmq_msg_recv(msg, socket.handle, wait ? 0 : ZMQ_DONTWAIT))
    }

    /// The frame's bytes (valid until the next receive).
    @inline(__always)
    var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: zmq_msg_data(msg), count: zmq_msg_size(msg))
    }

    /// Whether more frames of the same message follow.
    @inline(__always)
    var more: Bool { zmq_msg_more(msg) != 0 }
}
