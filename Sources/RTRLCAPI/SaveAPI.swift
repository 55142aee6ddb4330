#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CRTRL
import RTRL
import RTRLStream

// Saving and loading the whole learner, to files (atomically) and to caller buffers.

/// The largest file `rtrl_net_load` reads: the saved form of the largest network the
/// engine accepts (2^31 values of 8 bytes) plus room for the architecture.
let _maxSavedBytes = Network.maxElements * 8 + (1 << 26)

@_cdecl("rtrl_net_save")
public func rtrl_net_save(_ net: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> rtrl_status {
    let op: StaticString = "rtrl_net_save"
    return _status {
        let h = try _NetHandle.from(net, op)
        let path = try _string(path, op, "path")
        try AtomicFile.write(h.network.serialized(), to: path)
    }
}

@_cdecl("rtrl_net_load")
public func rtrl_net_load(_ path: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> rtrl_status {
    let op: StaticString = "rtrl_net_load"
    return _status {
        try _create(out, op) {
            let path = try _string(path, op, "path")
            let bytes = try AtomicFile.read(path, maxBytes: _maxSavedBytes)
            return try Network.deserialize(bytes)
        }
    }
}

@_cdecl("rtrl_net_save_size")
public func rtrl_net_save_size(_ net: OpaquePointer?, _ size: UnsafeMutablePointer<UInt>?) -> rtrl_status {
    let op: StaticString = "rtrl_net_save_size"
    return _status {
        let h = try _NetHandle.from(net, op)
        let size = try _required(size, op, "size")
        size.pointee = UInt(h.network.serialized().count)
    }
}

@_cdecl("rtrl_net_save_to_buffer")
public func rtrl_net_save_to_buffer(
    _ net: OpaquePointer?, _ buf: UnsafeMutableRawPointer?, _ cap: UInt, _ written: UnsafeMutablePointer<UInt>?
) -> rtrl_status {
    let op: StaticString = "rtrl_net_save_to_buffer"
    return _status {
        let h = try _NetHandle.from(net, op)
        let capacity = try _count(cap, op, "cap")
        guard buf != nil || capacity == 0 else { throw _Failure.invalid("\(op): buf is NULL but cap is \(capacity)") }
        let bytes = h.network.serialized()
        guard let buf, capacity >= bytes.count else {
            written?.pointee = UInt(bytes.count)
            throw _Failure(RTRL_ERR_BUFFER_TOO_SMALL, "\(op): the buffer has \(capacity) bytes, the network needs \(bytes.count)")
        }
        bytes.withUnsafeBytes { buf.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        written?.pointee = UInt(bytes.count)
    }
}

@_cdecl("rtrl_net_load_from_buffer")
public func rtrl_net_load_from_buffer(
    _ buf: UnsafeRawPointer?, _ len: UInt, _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> rtrl_status {
    let op: StaticString = "rtrl_net_load_from_buffer"
    return _status {
        try _create(out, op) {
            let length = try _count(len, op, "len")
            guard let buf else { throw _Failure.invalid("\(op): buf is NULL") }
            return try Network.deserialize(UnsafeRawBufferPointer(start: buf, count: length))
        }
    }
}
