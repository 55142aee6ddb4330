import CRTRL
import RTRL
import RTRLStream

/// A failure of a C entry point: the status it returns and the message
/// `rtrl_last_error()` reports.
struct _Failure: Error {
    var status: rtrl_status
    var message: String

    init(_ status: rtrl_status, _ message: String) {
        self.status = status
        self.message = message
    }

    /// A bad argument (`RTRL_ERR_INVALID_ARGUMENT`).
    static func invalid(_ message: String) -> _Failure {
        _Failure(RTRL_ERR_INVALID_ARGUMENT, message)
    }

    /// The failure of any error thrown below the C layer: the engine's `RTRLError` keeps
    /// its code (its raw values are the C status values), a file failure is
    /// `RTRL_ERR_IO`, anything else is a library bug (`RTRL_ERR_INTERNAL`).
    static func from(_ error: any Error) -> _Failure {
        switch error {
        case let f as _Failure:
            return f
        case let e as RTRLError:
            return _Failure(rtrl_status(rawValue: e.code.rawValue), e.message)
        case let e as StreamError:
            return _Failure(rtrl_status(rawValue: e.code.rawValue), e.message)
        case let f as AtomicFile.Failure:
            return _Failure(RTRL_ERR_IO, f.description)
        default:
            return _Failure(RTRL_ERR_INTERNAL, "internal error: \(error)")
        }
    }
}

/// Runs the body of a C entry point: `RTRL_OK` if it returns, otherwise the failure's
/// status, with its message recorded as the calling thread's last error.
@inline(__always)
func _status(_ body: () throws -> Void) -> rtrl_status {
    do {
        try body()
        return RTRL_OK
    } catch {
        let f = _Failure.from(error)
        _LastError.set(f.message)
        return f.status
    }
}
