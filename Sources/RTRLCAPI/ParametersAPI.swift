import CRTRL
import RTRL

// Sizes, the flat parameter vector and named blocks.

/// The handle behind `net`, or nil for NULL (for the calls that return 0 on NULL).
@inline(__always)
private func _peek(_ net: OpaquePointer?) -> _NetHandle? {
    guard let net else { return nil }
    return Unmanaged<_NetHandle>.fromOpaque(UnsafeRawPointer(net)).takeUnretainedValue()
}

@_cdecl("rtrl_net_num_params")
public func rtrl_net_num_params(_ net: OpaquePointer?) -> UInt {
    UInt(_peek(net)?.network.numParams ?? 0)
}

@_cdecl("rtrl_net_num_inputs")
public func rtrl_net_num_inputs(_ net: OpaquePointer?) -> UInt {
    UInt(_peek(net)?.network.numInputs ?? 0)
}

@_cdecl("rtrl_net_num_outputs")
public func rtrl_net_num_outputs(_ net: OpaquePointer?) -> UInt {
    UInt(_peek(net)?.network.numOutputs ?? 0)
}

@_cdecl("rtrl_net_param_block_count")
public func rtrl_net_param_block_count(_ net: OpaquePointer?) -> UInt {
    UInt(_peek(net)?.paramBlocks.count ?? 0)
}

@_cdecl("rtrl_net_block_count")
public func rtrl_net_block_count(_ net: OpaquePointer?) -> UInt {
    UInt(_peek(net)?.blocks.count ?? 0)
}

@_cdecl("rtrl_net_layer_count")
public func rtrl_net_layer_count(_ net: OpaquePointer?) -> UInt {
    UInt(_peek(net)?.layers.count ?? 0)
}

@_cdecl("rtrl_net_connection_count")
public func rtrl_net_connection_count(_ net: OpaquePointer?) -> UInt {
    UInt(_peek(net)?.connections.count ?? 0)
}

@_cdecl("rtrl_net_get_params")
public func rtrl_net_get_params(_ net: OpaquePointer?, _ params: UnsafeMutablePointer<Double>?, _ n: UInt) -> rtrl_status {
    let op: StaticString = "rtrl_net_get_params"
    return _status {
        let h = try _NetHandle.from(net, op)
        try h.network.parameters(into: try _output(params, n, op, "params"))
    }
}

@_cdecl("rtrl_net_set_params")
public func rtrl_net_set_params(_ net: OpaquePointer?, _ params: UnsafePointer<Double>?, _ n: UInt) -> rtrl_status {
    let op: StaticString = "rtrl_net_set_params"
    return _status {
        let h = try _NetHandle.from(net, op)
        try h.network.setParameters(try _input(params, n, op, "params"))
    }
}

/// Element `index` of `list`, or an invalid argument naming the valid range.
func _element<T>(_ list: [T], _ index: UInt, _ op: StaticString, _ what: StaticString) throws -> T {
    guard index < UInt(list.count) else {
        throw _Failure.invalid("\(op): index \(index) is out of range (the network has \(list.count) \(what))")
    }
    return list[Int(index)]
}

@_cdecl("rtrl_net_param_block")
public func rtrl_net_param_block(
    _ net: OpaquePointer?, _ index: UInt, _ name: UnsafeMutablePointer<UnsafePointer<CChar>?>?,
    _ offset: UnsafeMutablePointer<UInt>?, _ rows: UnsafeMutablePointer<UInt>?, _ cols: UnsafeMutablePointer<UInt>?
) -> rtrl_status {
    let op: StaticString = "rtrl_net_param_block"
    return _status {
        let h = try _NetHandle.from(net, op)
        let b = try _element(h.paramBlocks, index, op, "trainable blocks")
        name?.pointee = h.cName(b.name)
        offset?.pointee = UInt(b.offset ?? 0)
        rows?.pointee = UInt(b.rows)
        cols?.pointee = UInt(b.cols)
    }
}

@_cdecl("rtrl_net_block")
public func rtrl_net_block(
    _ net: OpaquePointer?, _ index: UInt, _ name: UnsafeMutablePointer<UnsafePointer<CChar>?>?,
    _ rows: UnsafeMutablePointer<UInt>?, _ cols: UnsafeMutablePointer<UInt>?, _ trainable: UnsafeMutablePointer<Int32>?
) -> rtrl_status {
    let op: StaticString = "rtrl_net_block"
    return _status {
        let h = try _NetHandle.from(net, op)
        let b = try _element(h.blocks, index, op, "blocks")
        name?.pointee = h.cName(b.name)
        rows?.pointee = UInt(b.rows)
        cols?.pointee = UInt(b.cols)
        trainable?.pointee = b.trainable ? 1 : 0
    }
}

@_cdecl("rtrl_net_block_info")
public func rtrl_net_block_info(
    _ net: OpaquePointer?, _ name: UnsafePointer<CChar>?,
    _ rows: UnsafeMutablePointer<UInt>?, _ cols: UnsafeMutablePointer<UInt>?, _ trainable: UnsafeMutablePointer<Int32>?
) -> rtrl_status {
    let op: StaticString = "rtrl_net_block_info"
    return _status {
        let h = try _NetHandle.from(net, op)
        let b = try h.network.blockInfo(named: try _string(name, op, "name"))
        rows?.pointee = UInt(b.rows)
        cols?.pointee = UInt(b.cols)
        trainable?.pointee = b.trainable ? 1 : 0
    }
}

@_cdecl("rtrl_net_get_block")
public func rtrl_net_get_block(
    _ net: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ values: UnsafeMutablePointer<Double>?, _ n: UInt
) -> rtrl_status {
    let op: StaticString = "rtrl_net_get_block"
    return _status {
        let h = try _NetHandle.from(net, op)
        let name = try _string(name, op, "name")
        try h.network.block(named: name, into: try _output(values, n, op, "values"))
    }
}

@_cdecl("rtrl_net_set_block")
public func rtrl_net_set_block(
    _ net: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ values: UnsafePointer<Double>?, _ n: UInt
) -> rtrl_status {
    let op: StaticString = "rtrl_net_set_block"
    return _status {
        let h = try _NetHandle.from(net, op)
        let name = try _string(name, op, "name")
        try h.network.setBlock(named: name, try _input(values, n, op, "values"))
    }
}
