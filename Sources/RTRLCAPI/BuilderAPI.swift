import CRTRL
import RTRL

// The builder: describing a network layer by layer, then building it.

@_cdecl("rtrl_builder_create")
public func rtrl_builder_create(_ nInputs: UInt, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> rtrl_status {
    let op: StaticString = "rtrl_builder_create"
    return _status {
        let out = try _required(out, op, "out")
        out.pointee = nil
        let builder = try NetworkBuilder(inputs: try _count(nInputs, op, "n_inputs"))
        out.pointee = _BuilderHandle.publish(builder)
    }
}

@_cdecl("rtrl_builder_add_layer")
public func rtrl_builder_add_layer(
    _ builder: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ size: UInt,
    _ act: rtrl_activation, _ bias: Int32
) -> rtrl_status {
    let op: StaticString = "rtrl_builder_add_layer"
    return _status {
        let b = try _BuilderHandle.from(builder, op)
        let name = try _string(name, op, "name")
        let size = try _count(size, op, "size")
        let activation = try _activation(act, op)
        try b.builder.addLayer(name, size: size, activation: activation, bias: bias != 0)
    }
}

@_cdecl("rtrl_builder_connect")
public func rtrl_builder_connect(
    _ builder: OpaquePointer?, _ from: UnsafePointer<CChar>?, _ to: UnsafePointer<CChar>?,
    _ delay: Int32, _ kind: rtrl_connection_kind, _ trainable: Int32, _ scale: Double
) -> rtrl_status {
    let op: StaticString = "rtrl_builder_connect"
    return _status {
        let b = try _BuilderHandle.from(builder, op)
        let from = try _string(from, op, "from")
        let to = try _string(to, op, "to")
        let kind = try _connectionKind(kind, op)
        let isTrainable: Bool?
        switch trainable {
        case 1: isTrainable = true
        case 0: isTrainable = false
        case -1: isTrainable = nil
        default: throw _Failure.invalid("\(op): trainable must be 1, 0 or -1 (the kind's default), got \(trainable)")
        }
        try b.builder.connect(from: from, to: to, delay: Int(delay), kind: kind, trainable: isTrainable, scale: scale)
    }
}

@_cdecl("rtrl_builder_set_output")
public func rtrl_builder_set_output(
    _ builder: OpaquePointer?, _ layer: UnsafePointer<CChar>?, _ units: UnsafePointer<UInt>?, _ nUnits: UInt
) -> rtrl_status {
    let op: StaticString = "rtrl_builder_set_output"
    return _status {
        let b = try _BuilderHandle.from(builder, op)
        let layer = try _string(layer, op, "layer")
        var chosen: [Int]? = nil
        if units != nil || nUnits != 0 {
            // No layer has more units than this: a longer list is rejected before it is read.
            guard nUnits <= UInt(NetworkBuilder.maxLayerSize) else {
                throw _Failure.invalid("\(op): n_units = \(nUnits) exceeds the largest layer size \(NetworkBuilder.maxLayerSize)")
            }
            let list = try _input(units, nUnits, op, "units")
            var values: [Int] = []
            values.reserveCapacity(list.count)
            for (i, u) in list.enumerated() {
                guard let v = Int(exactly: u) else {
                    throw _Failure.invalid("\(op): units[\(i)] = \(u) is out of range")
                }
                values.append(v)
            }
            chosen = values
        }
        try b.builder.setOutput(layer: layer, units: chosen)
    }
}

@_cdecl("rtrl_builder_build")
public func rtrl_builder_build(
    _ builder: OpaquePointer?, _ params: UnsafePointer<rtrl_net_params>?, _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> rtrl_status {
    let op: StaticString = "rtrl_builder_build"
    return _status {
        try _create(out, op) {
            let b = try _BuilderHandle.from(builder, op)
            let p = try _netParams(params, op)
            return try b.builder.build(seed: p.seed, precision: try _precision(p.precision, op))
        }
    }
}

@_cdecl("rtrl_builder_free")
public func rtrl_builder_free(_ builder: OpaquePointer?) {
    _BuilderHandle.release(builder)
}
