import CRTRL
import RTRL

// Counters and the architecture, for printing a network and for the bindings.

@_cdecl("rtrl_net_step_count")
public func rtrl_net_step_count(_ net: OpaquePointer?, _ out: UnsafeMutablePointer<UInt64>?) -> rtrl_status {
    let op: StaticString = "rtrl_net_step_count"
    return _status {
        let h = try _NetHandle.from(net, op)
        try _required(out, op, "out").pointee = h.network.stepCount
    }
}

@_cdecl("rtrl_net_refused_updates")
public func rtrl_net_refused_updates(_ net: OpaquePointer?, _ out: UnsafeMutablePointer<UInt64>?) -> rtrl_status {
    let op: StaticString = "rtrl_net_refused_updates"
    return _status {
        let h = try _NetHandle.from(net, op)
        try _required(out, op, "out").pointee = h.network.refusedUpdates
    }
}

@_cdecl("rtrl_net_memory")
public func rtrl_net_memory(_ net: OpaquePointer?, _ out: UnsafeMutablePointer<UInt>?) -> rtrl_status {
    let op: StaticString = "rtrl_net_memory"
    return _status {
        let h = try _NetHandle.from(net, op)
        try _required(out, op, "bytes").pointee = UInt(h.network.memoryBytes)
    }
}

@_cdecl("rtrl_net_sensitivity")
public func rtrl_net_sensitivity(
    _ net: OpaquePointer?, _ mode: UnsafeMutablePointer<rtrl_sensitivity>?, _ diagonal: UnsafeMutablePointer<Int32>?
) -> rtrl_status {
    let op: StaticString = "rtrl_net_sensitivity"
    return _status {
        let h = try _NetHandle.from(net, op)
        let path = h.network.sensitivityPath
        let m: SensitivityMode = switch path {
        case .exact, .exactDiagonal: .exact
        case .snap1: .snap1
        case .uoro: .uoro
        }
        try _required(mode, op, "mode").pointee = _cSensitivity(m)
        diagonal?.pointee = path == .exactDiagonal ? 1 : 0
    }
}

@_cdecl("rtrl_net_precision")
public func rtrl_net_precision(_ net: OpaquePointer?, _ out: UnsafeMutablePointer<rtrl_precision>?) -> rtrl_status {
    let op: StaticString = "rtrl_net_precision"
    return _status {
        let h = try _NetHandle.from(net, op)
        try _required(out, op, "out").pointee = _cPrecision(h.network.precision)
    }
}

@_cdecl("rtrl_net_layer")
public func rtrl_net_layer(
    _ net: OpaquePointer?, _ index: UInt, _ name: UnsafeMutablePointer<UnsafePointer<CChar>?>?,
    _ size: UnsafeMutablePointer<UInt>?, _ act: UnsafeMutablePointer<rtrl_activation>?, _ bias: UnsafeMutablePointer<Int32>?
) -> rtrl_status {
    let op: StaticString = "rtrl_net_layer"
    return _status {
        let h = try _NetHandle.from(net, op)
        let l = try _element(h.layers, index, op, "layers")
        name?.pointee = h.cName(l.name)
        size?.pointee = UInt(l.size)
        act?.pointee = _cActivation(l.activation)
        bias?.pointee = l.bias ? 1 : 0
    }
}

@_cdecl("rtrl_net_connection")
public func rtrl_net_connection(
    _ net: OpaquePointer?, _ index: UInt,
    _ from: UnsafeMutablePointer<UnsafePointer<CChar>?>?, _ to: UnsafeMutablePointer<UnsafePointer<CChar>?>?,
    _ delay: UnsafeMutablePointer<Int32>?, _ kind: UnsafeMutablePointer<rtrl_connection_kind>?,
    _ trainable: UnsafeMutablePointer<Int32>?, _ scale: UnsafeMutablePointer<Double>?
) -> rtrl_status {
    let op: StaticString = "rtrl_net_connection"
    return _status {
        let h = try _NetHandle.from(net, op)
        let c = try _element(h.connections, index, op, "connections")
        from?.pointee = h.cName(c.from)
        to?.pointee = h.cName(c.to)
        delay?.pointee = Int32(c.delay)
        kind?.pointee = _cConnectionKind(c.kind)
        trainable?.pointee = c.trainable ? 1 : 0
        scale?.pointee = c.scale
    }
}

@_cdecl("rtrl_net_output_units")
public func rtrl_net_output_units(
    _ net: OpaquePointer?, _ layer: UnsafeMutablePointer<UnsafePointer<CChar>?>?,
    _ units: UnsafeMutablePointer<UInt>?, _ cap: UInt, _ n: UnsafeMutablePointer<UInt>?
) -> rtrl_status {
    let op: StaticString = "rtrl_net_output_units"
    return _status {
        let h = try _NetHandle.from(net, op)
        let dst = try _output(units, cap, op, "units")
        layer?.pointee = h.cName(h.outputLayer)
        n?.pointee = UInt(h.outputUnits.count)
        if units == nil { return }  // the size query
        guard dst.count >= h.outputUnits.count else {
            throw _Failure(RTRL_ERR_BUFFER_TOO_SMALL, "\(op): units has room for \(dst.count) values, the network has \(h.outputUnits.count) output units")
        }
        for (k, u) in h.outputUnits.enumerated() { dst[k] = UInt(u) }
    }
}
