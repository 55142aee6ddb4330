#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A stop request that any thread or a signal handler may raise: an atomic flag, checked
/// between messages, plus one byte written to a non-blocking pipe whose read end the
/// adapter polls next to its sockets, so a blocked poll wakes at once.
///
/// ``raise()`` uses only an atomic store and `write(2)`, both async-signal-safe.
final class _StopSignal: @unchecked Sendable {
    private let flag = Atomic<Bool>(false)
    /// The pipe's read end (polled) and write end (written by ``raise()``).
    let readDescriptor: Int32
    private let writeDescriptor: Int32

    init() throws(StreamError) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            throw StreamError(.io, "cannot create the stop pipe: \(String(cString: strerror(errno)))")
        }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        readDescriptor = fds[0]
        writeDescriptor = fds[1]
    }

    deinit {
        close(readDescriptor)
        close(writeDescriptor)
    }

    /// Requests a stop. Async-signal-safe; callable from any thread; idempotent.
    func raise() {
        flag.store(true, ordering: .releasing)
        var b: UInt8 = 1
        _ = write(writeDescriptor, &b, 1)  // EAGAIN (pipe full) is fine: a wake-up is pending
    }

    /// Whether a stop has been requested and not yet consumed.
    @inline(__always)
    var isRaised: Bool { flag.load(ordering: .acquiring) }

    /// Clears the request and empties the pipe.
    func consume() {
        flag.store(false, ordering: .releasing)
        drain()
    }

    /// Empties the pipe (the flag stays).
    func drain() {
        var buf = [UInt8](repeating: 0, count: 64)
        while read(readDescriptor, &buf, buf.count) > 0 {}
    }
}
