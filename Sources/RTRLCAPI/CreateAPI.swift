import CRTRL
import RTRL

// Creating, copying and releasing networks.

@_cdecl("rtrl_net_create_fully_recurrent")
public func rtrl_net_create_fully_recurrent(
    _ nInputs: UInt, _ nUnits: UInt, _ nOutputs: UInt,
    _ params: UnsafePointer<rtrl_net_params>?, _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> rtrl_status {
    let op: StaticString = "rtrl_net_create_fully_recurrent"
    return _status {
        try _create(out, op) {
            let p = try _netParams(params, op)
            return try Network.fullyRecurrent(
                inputs: try _count(nInputs, op, "n_inputs"), units: try _count(nUnits, op, "n_units"),
                outputs: try _count(nOutputs, op, "n_outputs"),
                activation: try _activation(p.hidden_activation, op),
                seed: p.seed, precision: try _precision(p.precision, op))
        }
    }
}

@_cdecl("rtrl_net_create_elman")
public func rtrl_net_create_elman(
    _ nInputs: UInt, _ nHidden: UInt, _ nOutputs: UInt,
    _ params: UnsafePointer<rtrl_net_params>?, _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> rtrl_status {
    let op: StaticString = "rtrl_net_create_elman"
    return _status {
        try _create(out, op) {
            let p = try _netParams(params, op)
            return try Network.elman(
                inputs: try _count(nInputs, op, "n_inputs"), hidden: try _count(nHidden, op, "n_hidden"),
                outputs: try _count(nOutputs, op, "n_outputs"),
                hiddenActivation: try _activation(p.hidden_activation, op),
                outputActivation: try _activation(p.output_activation, op),
                seed: p.seed, precision: try _precision(p.precision, op))
        }
    }
}

@_cdecl("rtrl_net_create_jordan")
public func rtrl_net_create_jordan(
    _ nInputs: UInt, _ nHidden: UInt, _ nOutputs: UInt,
    _ params: UnsafePointer<rtrl_net_params>?, _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> rtrl_status {
    let op: StaticString = "rtrl_net_create_jordan"
    return _status {
        try _create(out, op) {
            let p = try _netParams(params, op)
            return try Network.jordan(
                inputs: try _count(nInputs, op, "n_inputs"), hidden: try _count(nHidden, op, "n_hidden"),
                outputs: try _count(nOutputs, op, "n_outputs"), mu: p.mu,
                hiddenActivation: try _activation(p.hidden_activation, op),
                outputActivation: try _activation(p.output_activation, op),
                seed: p.seed, precision: try _precision(p.precision, op))
        }
    }
}

@_cdecl("rtrl_net_free")
public func rtrl_net_free(_ net: OpaquePointer?) {
    _NetHandle.release(net)
}

@_cdecl("rtrl_net_clone")
public func rtrl_net_clone(_ net: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> rtrl_status {
    let op: StaticString = "rtrl_net_clone"
    return _status {
        try _create(out, op) { try _NetHandle.from(net, op).network.copy() }
    }
}
