import CRTRL
import RTRL

// Stepping and learning: feed, output, learn, accumulate, apply, the gradient buffer.
// The per-step calls reach the network without retaining the handle (`_NetHandle.with`).

@_cdecl("rtrl_net_feed")
public func rtrl_net_feed(_ net: OpaquePointer?, _ x: UnsafePointer<Double>?, _ nx: UInt) -> rtrl_status {
    let op: StaticString = "rtrl_net_feed"
    return _status {
        try _NetHandle.with(net, op) { h in try h.network.feed(try _input(x, nx, op, "x")) }
    }
}

@_cdecl("rtrl_net_output")
public func rtrl_net_output(_ net: OpaquePointer?, _ y: UnsafeMutablePointer<Double>?, _ ny: UInt) -> rtrl_status {
    let op: StaticString = "rtrl_net_output"
    return _status {
        try _NetHandle.with(net, op) { h in try h.network.output(into: try _output(y, ny, op, "y")) }
    }
}

/// learn or accumulate: `*loss` = E(t) on success, NaN on failure.
private func _learn(
    _ op: StaticString, _ net: OpaquePointer?, _ target: UnsafePointer<Double>?, _ ny: UInt,
    _ loss: UnsafeMutablePointer<Double>?, counting: Bool
) -> rtrl_status {
    loss?.pointee = .nan
    return _status {
        try _NetHandle.with(net, op) { h in
            let t = try _input(target, ny, op, "target")
            let e = counting ? try h.network.learn(t) : try h.network.accumulate(t)
            loss?.pointee = e
        }
    }
}

@_cdecl("rtrl_net_learn")
public func rtrl_net_learn(
    _ net: OpaquePointer?, _ target: UnsafePointer<Double>?, _ ny: UInt, _ loss: UnsafeMutablePointer<Double>?
) -> rtrl_status {
    _learn("rtrl_net_learn", net, target, ny, loss, counting: true)
}

@_cdecl("rtrl_net_accumulate")
public func rtrl_net_accumulate(
    _ net: OpaquePointer?, _ target: UnsafePointer<Double>?, _ ny: UInt, _ loss: UnsafeMutablePointer<Double>?
) -> rtrl_status {
    _learn("rtrl_net_accumulate", net, target, ny, loss, counting: false)
}

@_cdecl("rtrl_net_apply")
public func rtrl_net_apply(_ net: OpaquePointer?) -> rtrl_status {
    _status { try _NetHandle.with(net, "rtrl_net_apply") { h in try h.network.apply() } }
}

@_cdecl("rtrl_net_gradient")
public func rtrl_net_gradient(_ net: OpaquePointer?, _ g: UnsafeMutablePointer<Double>?, _ n: UInt) -> rtrl_status {
    let op: StaticString = "rtrl_net_gradient"
    return _status {
        let h = try _NetHandle.from(net, op)
        try h.network.gradient(into: try _output(g, n, op, "g"))
    }
}

@_cdecl("rtrl_net_zero_grad")
public func rtrl_net_zero_grad(_ net: OpaquePointer?) -> rtrl_status {
    _status { try _NetHandle.from(net, "rtrl_net_zero_grad").network.zeroGrad() }
}

@_cdecl("rtrl_net_step")
public func rtrl_net_step(
    _ net: OpaquePointer?, _ x: UnsafePointer<Double>?, _ nx: UInt,
    _ target: UnsafePointer<Double>?, _ ny: UInt,
    _ yOut: UnsafeMutablePointer<Double>?, _ loss: UnsafeMutablePointer<Double>?
) -> rtrl_status {
    let op: StaticString = "rtrl_net_step"
    loss?.pointee = .nan
    return _status {
        try _NetHandle.with(net, op) { h in
            let xs = try _input(x, nx, op, "x")
            // NULL target and y_out: ny is not used. Otherwise both have length ny.
            let t = try target.map { try _input($0, ny, op, "target") }
            let y = try yOut.map { try _output($0, ny, op, "y_out") }
            let e = try h.network.step(xs, target: t, output: y)
            loss?.pointee = e ?? .nan
        }
    }
}

@_cdecl("rtrl_net_reset_state")
public func rtrl_net_reset_state(_ net: OpaquePointer?) -> rtrl_status {
    _status { try _NetHandle.from(net, "rtrl_net_reset_state").network.resetState() }
}
