import CRTRL
import RTRL

// The training configuration.

@_cdecl("rtrl_net_configure")
public func rtrl_net_configure(_ net: OpaquePointer?, _ params: UnsafePointer<rtrl_train_params>?) -> rtrl_status {
    let op: StaticString = "rtrl_net_configure"
    return _status {
        let h = try _NetHandle.from(net, op)
        guard let params else { throw _Failure.invalid("\(op): params is NULL (start from rtrl_train_default_params)") }
        let c = try rtrl_train_params.read(params, op).configuration(op)
        try h.network.configure(c)
    }
}

@_cdecl("rtrl_net_get_config")
public func rtrl_net_get_config(_ net: OpaquePointer?, _ out: UnsafeMutablePointer<rtrl_train_params>?) -> rtrl_status {
    let op: StaticString = "rtrl_net_get_config"
    return _status {
        let h = try _NetHandle.from(net, op)
        let out = try _required(out, op, "out")
        let size = UnsafeRawPointer(out).load(as: Int.self)
        let value = rtrl_train_params(h.network.configuration, size: MemoryLayout<rtrl_train_params>.size)
        try rtrl_train_params.write(value, to: out, size: size, op)
    }
}
