#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RTRL

/// What an `rtrl_net *` points to: the network, its architecture (immutable, cached for
/// the introspection calls) and the C strings of every name the network hands out,
/// which live as long as the handle.
final class _NetHandle {
    let network: Network
    let layers: [LayerSpec]
    let connections: [ConnectionSpec]
    /// Every block, trainable or fixed, in the network's order.
    let blocks: [BlockInfo]
    /// The trainable blocks in flat-vector order.
    let paramBlocks: [BlockInfo]
    let outputLayer: String
    let outputUnits: [Int]
    /// One C copy of each distinct name (layers, "input", blocks).
    private var names: [String: UnsafeMutablePointer<CChar>] = [:]

    init(_ network: Network) {
        self.network = network
        layers = network.layers
        connections = network.connections
        blocks = network.blocks
        paramBlocks = network.paramBlocks
        outputLayer = network.outputLayer
        outputUnits = network.outputUnits
        for l in layers { _intern(l.name) }
        for c in connections { _intern(c.from); _intern(c.to) }
        for b in blocks { _intern(b.name) }
    }

    deinit {
        for p in names.values { free(p) }
    }

    private func _intern(_ s: String) {
        if names[s] == nil, let p = strdup(s) { names[s] = p }
    }

    /// The network-owned C string of a name interned at creation (NULL only if memory
    /// ran out while creating the handle).
    func cName(_ s: String) -> UnsafePointer<CChar>? {
        names[s].map { UnsafePointer($0) }
    }

    /// A handle owned by the caller (one retain, released by `rtrl_net_free`).
    static func publish(_ network: Network) -> OpaquePointer {
        OpaquePointer(Unmanaged.passRetained(_NetHandle(network)).toOpaque())
    }

    /// Runs `body` on the object behind a caller's handle without retaining it: the
    /// caller owns the handle for the duration of the call (the per-step calls use this;
    /// a retain and release cost about 5 % of a small network's step).
    @inline(__always)
    static func with<R>(_ p: OpaquePointer?, _ op: StaticString, _ body: (_NetHandle) throws -> R) throws -> R {
        guard let p else { throw _Failure.invalid("\(op): net is NULL") }
        return try Unmanaged<_NetHandle>.fromOpaque(UnsafeRawPointer(p))._withUnsafeGuaranteedRef(body)
    }

    /// The object behind a caller's handle.
    static func from(_ p: OpaquePointer?, _ op: StaticString) throws -> _NetHandle {
        guard let p else { throw _Failure.invalid("\(op): net is NULL") }
        return Unmanaged<_NetHandle>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
    }

    /// Releases a caller's handle (NULL: nothing).
    static func release(_ p: OpaquePointer?) {
        guard let p else { return }
        Unmanaged<_NetHandle>.fromOpaque(UnsafeRawPointer(p)).release()
    }
}

/// Clears a creation call's out-pointer, runs `make`, and stores the new network's handle.
/// On failure `*out` stays NULL.
func _create(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ op: StaticString, _ make: () throws -> Network) throws {
    guard let out else { throw _Failure.invalid("\(op): out is NULL") }
    out.pointee = nil
    let network = try make()
    out.pointee = _NetHandle.publish(network)
}
