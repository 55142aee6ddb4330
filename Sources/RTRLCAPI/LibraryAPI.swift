import CRTRL
import RTRL

// Library-wide calls: version, status names, the last error, the parameter defaults.

/// "MAJOR.MINOR.PATCH", static storage.
nonisolated(unsafe) private let _versionString = _staticCString(
    "\(RTRL_VERSION_MAJOR).\(RTRL_VERSION_MINOR).\(RTRL_VERSION_PATCH)")

/// The fixed name of each status, static storage.
nonisolated(unsafe) private let _statusNames: [Int32: UnsafePointer<CChar>] = [
    RTRL_OK.rawValue: _staticCString("RTRL_OK: success"),
    RTRL_ERR_INVALID_ARGUMENT.rawValue: _staticCString("RTRL_ERR_INVALID_ARGUMENT: invalid argument"),
    RTRL_ERR_OUT_OF_MEMORY.rawValue: _staticCString("RTRL_ERR_OUT_OF_MEMORY: out of memory"),
    RTRL_ERR_IO.rawValue: _staticCString("RTRL_ERR_IO: input/output error"),
    RTRL_ERR_CORRUPT.rawValue: _staticCString("RTRL_ERR_CORRUPT: corrupt data"),
    RTRL_ERR_VERSION.rawValue: _staticCString("RTRL_ERR_VERSION: unsupported format version"),
    RTRL_ERR_BUFFER_TOO_SMALL.rawValue: _staticCString("RTRL_ERR_BUFFER_TOO_SMALL: buffer too small"),
    RTRL_ERR_DIVERGED.rawValue: _staticCString("RTRL_ERR_DIVERGED: update refused by the divergence guard"),
    RTRL_ERR_STREAM.rawValue: _staticCString("RTRL_ERR_STREAM: stream error"),
    RTRL_ERR_INTERNAL.rawValue: _staticCString("RTRL_ERR_INTERNAL: internal error"),
]

nonisolated(unsafe) private let _unknownStatus = _staticCString("unknown rtrl_status")

@_cdecl("rtrl_version")
public func rtrl_version() -> UnsafePointer<CChar> {
    _versionString
}

@_cdecl("rtrl_abi_version")
public func rtrl_abi_version() -> Int32 {
    RTRL_ABI_VERSION
}

@_cdecl("rtrl_status_string")
public func rtrl_status_string(_ status: rtrl_status) -> UnsafePointer<CChar> {
    _statusNames[status.rawValue] ?? _unknownStatus
}

@_cdecl("rtrl_last_error")
public func rtrl_last_error() -> UnsafePointer<CChar> {
    _LastError.current
}

@_cdecl("rtrl_net_default_params")
public func rtrl_net_default_params(_ params: UnsafeMutablePointer<rtrl_net_params>?, _ structSize: UInt) -> rtrl_status {
    _status {
        let p = try _required(params, "rtrl_net_default_params", "params")
        let size = try _count(structSize, "rtrl_net_default_params", "struct_size")
        try rtrl_net_params.write(.defaults, to: p, size: size, "rtrl_net_default_params")
    }
}

@_cdecl("rtrl_train_default_params")
public func rtrl_train_default_params(_ params: UnsafeMutablePointer<rtrl_train_params>?, _ structSize: UInt) -> rtrl_status {
    _status {
        let p = try _required(params, "rtrl_train_default_params", "params")
        let size = try _count(structSize, "rtrl_train_default_params", "struct_size")
        try rtrl_train_params.write(.defaults, to: p, size: size, "rtrl_train_default_params")
    }
}

@_cdecl("rtrl_set_num_threads")
public func rtrl_set_num_threads(_ threads: Int32) -> rtrl_status {
    _status { try RTRLRuntime.setBLASThreads(Int(threads)) }
}

@_cdecl("rtrl_num_threads")
public func rtrl_num_threads() -> Int32 {
    Int32(clamping: RTRLRuntime.blasThreads)
}
