import CZeroMQ

/// Counts the connections the input socket loses, through libzmq's socket monitor.
///
/// libzmq enforces ZMQ_MAXMSGSIZE by closing the connection that carried the oversized
/// frame (the adapter never sees the frame, and messages queued behind it on that
/// connection are lost); a peer that goes away or breaks the protocol is closed the same
/// way. The monitor reports each as a ZMQ_EVENT_DISCONNECTED, counted in
/// ``StreamStats/disconnects``; it cannot tell the causes apart.
final class _ConnectionMonitor {
    let socket: _ZMQSocket
    private(set) var disconnects: UInt64 = 0
    private let frame = _ZMQMessage()

    init(_ context: _ZMQContext, watching watched: _ZMQSocket) throws(StreamError) {
        let address = "inproc://rtrl-stream-monitor-\(UInt(bitPattern: watched.handle))"
        guard zmq_socket_monitor(watched.handle, address, ZMQ_EVENT_DISCONNECTED) == 0 else {
            throw StreamError(.stream, "\(watched.role): cannot monitor it: \(_zmqErrorText())")
        }
        socket = try _ZMQSocket(context, type: ZMQ_PAIR, role: "monitor of the \(watched.role)")
        try socket.set(ZMQ_LINGER, Int32(0), "ZMQ_LINGER")
        try socket.attach(Endpoint(address: address, bind: false))
    }

    /// Reads every pending event without waiting; returns whether any was read.
    @discardableResult
    func poll() -> Bool {
        var any = false
        while frame.receive(socket, wait: false) >= 0 {
            let b = frame.bytes
            // Frame 1: u16 event, u32 value (native order); frame 2: the endpoint.
            if b.count >= 2 && b.loadUnaligned(as: UInt16.self) == UInt16(ZMQ_EVENT_DISCONNECTED) { disconnects += 1 }
            while frame.more && frame.receive(socket, wait: true) >= 0 {}
            any = true
        }
        return any
    }
}
