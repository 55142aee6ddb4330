import CRTRL
import RTRL
import RTRLStream

// The embedded stream adapter: rtrl_stream_* over RTRLStream's StreamAdapter.

/// The object behind an `rtrl_stream *`.
final class _StreamHandle {
    let adapter: StreamAdapter

    init(_ adapter: StreamAdapter) { self.adapter = adapter }

    static func from(_ p: OpaquePointer?, _ op: StaticString) throws -> _StreamHandle {
        guard let p else { throw _Failure.invalid("\(op): stream is NULL") }
        return Unmanaged<_StreamHandle>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
    }
}

extension rtrl_stream_params: _ExtensibleStruct {
    static var defaults: rtrl_stream_params {
        var p = rtrl_stream_params()
        p.struct_size = MemoryLayout<rtrl_stream_params>.size
        p.input_endpoint = nil
        p.input_pattern = RTRL_STREAM_SUB
        p.output_endpoint = nil
        p.output_pattern = RTRL_STREAM_PUB
        p.settings_json = nil
        p.log_fd = -1
        return p
    }
    static var firstVersionSize: Int { knownSize }
    static var versionSizes: [Int] { [knownSize] }
    static var cName: StaticString { "rtrl_stream_params" }

    /// The adapter settings it describes.
    func configuration(_ op: StaticString) throws -> StreamConfiguration {
        var c = StreamConfiguration()
        c.logDescriptor = log_fd
        switch input_pattern.rawValue {
        case RTRL_STREAM_SUB.rawValue: c.inputPattern = .sub
        case RTRL_STREAM_PULL.rawValue: c.inputPattern = .pull
        default: throw _Failure.invalid("\(op): unknown rtrl_stream_input value \(input_pattern.rawValue)")
        }
        switch output_pattern.rawValue {
        case RTRL_STREAM_PUB.rawValue: c.outputPattern = .pub
        case RTRL_STREAM_PUSH.rawValue: c.outputPattern = .push
        default: throw _Failure.invalid("\(op): unknown rtrl_stream_output value \(output_pattern.rawValue)")
        }
        if let e = input_endpoint { c.inputEndpoint = try _string(e, op, "input_endpoint") }
        if let e = output_endpoint { c.outputEndpoint = try _string(e, op, "output_endpoint") }
        if let json = settings_json {
            let text = try _string(json, op, "settings_json")
            do {
                try c.apply(jsonBytes: Array(text.utf8))
            } catch {
                throw _Failure(rtrl_status(rawValue: error.code.rawValue), "\(op): settings_json: \(error.message)")
            }
        }
        return c
    }
}

extension rtrl_stream_counters: _ExtensibleStruct {
    static var defaults: rtrl_stream_counters {
        var c = rtrl_stream_counters()
        c.struct_size = MemoryLayout<rtrl_stream_counters>.size
        return c
    }
    static var firstVersionSize: Int { knownSize }
    static var versionSizes: [Int] { [knownSize] }
    static var cName: StaticString { "rtrl_stream_counters" }

    init(_ s: StreamStats) {
        self = .defaults
        messages = s.messages
        predictions = s.predictions
        streams = UInt64(s.streams)
        malformed = s.malformed
        gaps = s.gaps
        repeats = s.repeats
        refused = s.refused
        refused_updates = s.refusedUpdates
        checkpoints_written = s.checkpointsWritten
        checkpoint_errors = s.checkpointErrors
        mse = s.meanSquaredError
        messages_per_second = s.messagesPerSecond
        uptime = s.uptime
    }
}

@_cdecl("rtrl_stream_default_params")
public func rtrl_stream_default_params(_ params: UnsafeMutablePointer<rtrl_stream_params>?, _ structSize: UInt) -> rtrl_status {
    _status {
        let op: StaticString = "rtrl_stream_default_params"
        try rtrl_stream_params.write(.defaults, to: _required(params, op, "params"), size: _count(structSize, op, "struct_size"), op)
    }
}

@_cdecl("rtrl_stream_create")
public func rtrl_stream_create(_ params: UnsafePointer<rtrl_stream_params>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> rtrl_status {
    let op: StaticString = "rtrl_stream_create"
    return _status {
        guard let out else { throw _Failure.invalid("\(op): out is NULL") }
        out.pointee = nil
        let p = try params.map { try rtrl_stream_params.read($0, op) } ?? .defaults
        let config = try p.configuration(op)
        let adapter = try StreamAdapter(config)
        out.pointee = OpaquePointer(Unmanaged.passRetained(_StreamHandle(adapter)).toOpaque())
    }
}

@_cdecl("rtrl_stream_run")
public func rtrl_stream_run(
    _ stream: OpaquePointer?, _ maxMessages: UInt64, _ timeout: Double,
    _ reason: UnsafeMutablePointer<rtrl_stream_stop_reason>?
) -> rtrl_status {
    let op: StaticString = "rtrl_stream_run"
    return _status {
        let h = try _StreamHandle.from(stream, op)
        guard !timeout.isNaN else { throw _Failure.invalid("\(op): timeout_seconds is NaN") }
        let r = try h.adapter.run(maxMessages: maxMessages == 0 ? nil : Int(clamping: maxMessages),
                                  timeout: timeout > 0 ? timeout : nil)
        reason?.pointee = switch r {
        case .stopped: RTRL_STREAM_STOPPED
        case .messageLimit: RTRL_STREAM_MESSAGE_LIMIT
        case .timeout: RTRL_STREAM_TIMEOUT
        }
    }
}

/// Async-signal-safe with a valid handle: no retain, no allocation, no lock — the
/// adapter's stop sets an atomic flag and writes one byte to a pipe.
@_cdecl("rtrl_stream_stop")
public func rtrl_stream_stop(_ stream: OpaquePointer?) -> rtrl_status {
    guard let stream else {
        return _status { throw _Failure.invalid("rtrl_stream_stop: stream is NULL") }
    }
    Unmanaged<_StreamHandle>.fromOpaque(UnsafeRawPointer(stream))._withUnsafeGuaranteedRef { $0.adapter.stop() }
    return RTRL_OK
}

@_cdecl("rtrl_stream_stats")
public func rtrl_stream_stats(_ stream: OpaquePointer?, _ out: UnsafeMutablePointer<rtrl_stream_counters>?) -> rtrl_status {
    let op: StaticString = "rtrl_stream_stats"
    return _status {
        let h = try _StreamHandle.from(stream, op)
        let out = try _required(out, op, "out")
        let size = UnsafeRawPointer(out).load(as: Int.self)
        try rtrl_stream_counters.write(rtrl_stream_counters(h.adapter.stats), to: out, size: size, op)
    }
}

@_cdecl("rtrl_stream_free")
public func rtrl_stream_free(_ stream: OpaquePointer?) {
    guard let stream else { return }
    Unmanaged<_StreamHandle>.fromOpaque(UnsafeRawPointer(stream)).release()
}
