/// The saved form of a whole learner — architecture, training configuration, weights,
/// optimizer state, activations, remembered inputs, sensitivities, gradient buffer and
/// counters — so that a restored network continues bit for bit.
///
/// Layout (little-endian):
///
///     offset  size  field
///     0       8     magic 89 52 54 52 4C 0D 0A 1A  ("\x89RTRL\r\n\x1a")
///     8       4     format version (1)
///     12      4     precision (0 = f64, 1 = f32)
///     16      8     payload length L
///     24      L     payload (see `_writePayload`)
///     24+L    4     CRC-32C of bytes 0 ..< 24+L
///
/// Reading checks, in order: the magic, the version (a newer one is
/// `unsupportedVersion`), the length, the checksum, then every field; any failure is
/// `corrupt` and nothing is built.
enum _SavedFormat {
    static let magic: [UInt8] = [0x89, 0x52, 0x54, 0x52, 0x4C, 0x0D, 0x0A, 0x1A]
    static let version: UInt32 = 1
    static let headerSize = 24
    static let trailerSize = 4
}

/// Appends little-endian values to a byte array.
struct _ByteWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func f64(_ v: Double) { u64(v.bitPattern) }
    mutating func bool(_ v: Bool) { u8(v ? 1 : 0) }
    mutating func string(_ s: String) {
        let utf8 = Array(s.utf8)
        u32(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
    }
    mutating func array<S: _Scalar>(_ p: UnsafePointer<S>, _ n: Int) {
        u64(UInt64(n))
        if S.self == Double.self {
            let d = UnsafeRawPointer(p).assumingMemoryBound(to: Double.self)
            for i in 0..<n { u64(d[i].bitPattern) }
        } else {
            let f = UnsafeRawPointer(p).assumingMemoryBound(to: Float.self)
            for i in 0..<n { u32(f[i].bitPattern) }
        }
    }
}

/// Reads little-endian values with bounds checks; every failure is `corrupt`.
struct _ByteReader {
    let bytes: UnsafeRawBufferPointer
    var at: Int

    init(_ bytes: UnsafeRawBufferPointer, at: Int = 0) {
        self.bytes = bytes
        self.at = at
    }

    var remaining: Int { bytes.count - at }

    static func corrupt(_ what: String) -> RTRLError {
        RTRLError(.corrupt, "load: the data is not a valid rtrl network (\(what))")
    }

    mutating func need(_ n: Int, _ what: String) throws(RTRLError) {
        guard n >= 0 && n <= remaining else { throw Self.corrupt("truncated at \(what)") }
    }
    mutating func u8(_ what: String) throws(RTRLError) -> UInt8 {
        try need(1, what)
        defer { at += 1 }
        return bytes[at]
    }
    mutating func u32(_ what: String) throws(RTRLError) -> UInt32 {
        try need(4, what)
        defer { at += 4 }
        return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self))
    }
    mutating func u64(_ what: String) throws(RTRLError) -> UInt64 {
        try need(8, what)
        defer { at += 8 }
        return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self))
    }
    mutating func f64(_ what: String) throws(RTRLError) -> Double { Double(bitPattern: try u64(what)) }
    mutating func bool(_ what: String) throws(RTRLError) -> Bool {
        switch try u8(what) {
        case 0: return false
        case 1: return true
        default: throw Self.corrupt("\(what) is not a boolean")
        }
    }
    /// A count that must fit the remaining bytes at `unit` bytes per element.
    mutating func count(_ what: String, unit: Int = 1, max: Int = Int(Int32.max)) throws(RTRLError) -> Int {
        let v = try u64(what)
        guard v <= UInt64(max), Int(v) <= remaining / Swift.max(unit, 1) else {
            throw Self.corrupt("\(what) = \(v) is out of range")
        }
        return Int(v)
    }
    mutating func index(_ what: String, below bound: Int) throws(RTRLError) -> Int {
        let v = try u32(what)
        guard Int(v) < bound else { throw Self.corrupt("\(what) = \(v) is out of range") }
        return Int(v)
    }
    mutating func string(_ what: String) throws(RTRLError) -> String {
        let n = Int(try u32(what))
        try need(n, what)
        defer { at += n }
        guard let s = String(validating: UnsafeRawBufferPointer(rebasing: bytes[at ..< at + n]), as: UTF8.self) else {
            throw Self.corrupt("\(what) is not UTF-8")
        }
        return s
    }
    mutating func enumeration<E: RawRepresentable & CaseIterable>(_ type: E.Type, _ what: String) throws(RTRLError) -> E {
        let v = Int(try u8(what))
        let all = Array(E.allCases)
        guard v < all.count else { throw Self.corrupt("\(what) = \(v) is not a known value") }
        return all[v]
    }
    /// Reads an array into `p`, which must hold exactly `n` elements.
    mutating func array<S: _Scalar>(_ p: UnsafeMutablePointer<S>, _ n: Int, _ what: String) throws(RTRLError) {
        let size = S.self == Double.self ? 8 : 4
        let stored = try count(what, unit: size, max: Int.max)
        guard stored == n else { throw Self.corrupt("\(what) has \(stored) values, the architecture needs \(n)") }
        if S.self == Double.self {
            let d = UnsafeMutableRawPointer(p).assumingMemoryBound(to: Double.self)
            for i in 0..<n { d[i] = Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at + 8 * i, as: UInt64.self))) }
        } else {
            let f = UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
            for i in 0..<n { f[i] = Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at + 4 * i, as: UInt32.self))) }
        }
        at += n * size
    }
}

extension CaseIterable where Self: Equatable {
    /// The position of the case in `allCases`: its code in the saved format.
    var _code: UInt8 { UInt8(Array(Self.allCases).firstIndex(of: self)!) }
}

extension Network {
    /// The saved form of the whole learner (see the format above).
    ///
    /// - Complexity: O(size of the state), one allocation.
    public func serialized() -> [UInt8] {
        var w = _ByteWriter()
        w.bytes.reserveCapacity(_SavedFormat.headerSize + 64 + serializedStateBytes)
        w.bytes.append(contentsOf: _SavedFormat.magic)
        w.u32(_SavedFormat.version)
        w.u32(precision == .f64 ? 0 : 1)
        w.u64(0)  // payload length, patched below
        switch storage {
        case .f64(let e): _writePayload(&w, e)
        case .f32(let e): _writePayload(&w, e)
        }
        let payload = UInt64(w.bytes.count - _SavedFormat.headerSize)
        withUnsafeBytes(of: payload.littleEndian) { for k in 0..<8 { w.bytes[16 + k] = $0[k] } }
        let crc = w.bytes.withUnsafeBytes { _CRC32C.checksum($0) }
        w.u32(crc)
        return w.bytes
    }

    /// An estimate of the saved size, used to reserve the buffer once.
    var serializedStateBytes: Int {
        let scalar = precision == .f64 ? 8 : 4
        let counts = 5 * topo.numParams + topo.numFixed + plan.sensitivityEntries
            + 4 * (topo.inputs + topo.layers.reduce(0) { $0 + $1.size })
        return scalar * counts + 64 * (topo.layers.count + topo.connections.count) + 256
    }

    private func _writePayload<S: _Scalar>(_ w: inout _ByteWriter, _ e: _Engine<S>) {
        // Architecture.
        w.u32(UInt32(topo.inputs))
        w.u32(UInt32(topo.layers.count))
        for l in topo.layers {
            w.string(l.name)
            w.u32(UInt32(l.size))
            w.u8(l.activation._code)
            w.bool(l.bias)
        }
        w.u32(UInt32(topo.connections.count))
        for (c, spec) in topo.connections.enumerated() {
            w.u32(topo.source[c] < 0 ? UInt32.max : UInt32(topo.source[c]))
            w.u32(UInt32(topo.target[c]))
            w.u8(UInt8(spec.delay))
            w.u8(spec.kind._code)
            w.bool(spec.trainable)
            w.f64(spec.scale)
        }
        w.u32(UInt32(topo.outputLayer))
        w.u32(UInt32(topo.outputUnits.count))
        for u in topo.outputUnits { w.u32(UInt32(u)) }
        // Training configuration.
        let c = e.config
        w.u8(c.optimizer._code)
        w.f64(c.learningRate)
        w.f64(c.momentum)
        w.f64(c.beta1)
        w.f64(c.beta2)
        w.f64(c.epsilon)
        w.bool(c.clipNorm != nil)
        w.f64(c.clipNorm ?? 0)
        w.u8(c.loss._code)
        w.bool(c.teacherForcing)
        w.u32(UInt32(c.updateEvery))
        w.bool(c.divergenceGuard)
        w.f64(c.ekfR)
        w.f64(c.ekfQ)
        w.f64(c.p0)
        w.u8(c.readout._code)
        w.f64(c.rlsLambda)
        w.u64(UInt64(c.maxCovarianceEntries))
        w.u8(c.sensitivity._code)
        // Counters.
        w.u64(e.stepCount)
        w.u64(e.adamSteps)
        w.u64(UInt64(e.learnCount))
        w.u64(e.refusedUpdates)
        w.u8(UInt8(e.phase))
        w.u64(e.rng.state)
        // Values (each array prefixed by its length; optional ones may be empty).
        w.array(e.theta, topo.numParams)
        w.array(e.fixed, topo.numFixed)
        w.array(e.grad, topo.numParams)
        w.array(e.moment1.base, e.moment1.count)
        w.array(e.moment2.base, e.moment2.count)
        w.array(e.state, e.layout.count)
        w.array(e.sensitivities.base, e.sensitivities.count)
        let ap = e.approximate
        // The per-parameter sensitivities as vectors of N (0 where none is kept).
        let buffers = ap?.perParameterBuffers ?? 0
        let full = UnsafeMutablePointer<S>.allocate(capacity: max(buffers * topo.numParams, 1))
        defer { full.deallocate() }
        for k in 0..<buffers { ap!.expand(buffer: k, into: full + k * topo.numParams, numParams: topo.numParams, e.program) }
        w.array(full, buffers * topo.numParams)
        w.array(ap?.u.base ?? e.state, ap?.u.count ?? 0)
        w.array(ap?.v.base ?? e.state, ap?.v.count ?? 0)
        if let so = e.secondOrder {
            w.array(so.covariance.baseAddress!, so.covariance.count)
        } else {
            w.array(e.state, 0)
        }
    }

    /// Restores a learner from its saved form.
    ///
    /// - Throws: `corrupt` for anything that is not a complete, intact saved network;
    ///   `unsupportedVersion` for a newer format. Nothing is half-applied: either a whole
    ///   new network is returned or nothing is.
    public static func deserialize(_ bytes: UnsafeRawBufferPointer) throws(RTRLError) -> Network {
        let h = _SavedFormat.headerSize, t = _SavedFormat.trailerSize
        guard bytes.count >= h + t else {
            throw _ByteReader.corrupt("\(bytes.count) bytes is shorter than the smallest saved network")
        }
        guard _SavedFormat.magic.indices.allSatisfy({ bytes[$0] == _SavedFormat.magic[$0] }) else {
            throw _ByteReader.corrupt("wrong magic bytes")
        }
        var r = _ByteReader(bytes, at: 8)
        let version = try r.u32("version")
        guard version != 0 else { throw _ByteReader.corrupt("format version 0") }
        guard version <= _SavedFormat.version else {
            throw RTRLError(.unsupportedVersion, "load: the data is format version \(version); this library reads up to version \(_SavedFormat.version) (upgrade rtrl)")
        }
        let precisionCode = try r.u32("precision")
        guard precisionCode <= 1 else { throw _ByteReader.corrupt("precision = \(precisionCode)") }
        let payload = try r.u64("payload length")
        guard payload == UInt64(bytes.count - h - t) else {
            throw _ByteReader.corrupt("the payload length says \(payload) bytes, \(bytes.count - h - t) are present (truncated or extended)")
        }
        let stored = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: bytes.count - t, as: UInt32.self))
        let actual = _CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[0 ..< bytes.count - t]))
        guard stored == actual else { throw _ByteReader.corrupt("checksum mismatch") }

        var p = _ByteReader(UnsafeRawBufferPointer(rebasing: bytes[0 ..< bytes.count - t]), at: h)
        // Architecture, rebuilt through the builder so that every rule is checked again.
        let inputs = Int(try p.u32("n_inputs"))
        let nLayers = try p.count32("layer count", unit: 7)
        var specs: [LayerSpec] = []
        for i in 0..<nLayers {
            let name = try p.string("layer \(i) name")
            let size = Int(try p.u32("layer \(i) size"))
            let act = try p.enumeration(Activation.self, "layer \(i) activation")
            let bias = try p.bool("layer \(i) bias")
            specs.append(LayerSpec(name: name, size: size, activation: act, bias: bias))
        }
        var b: NetworkBuilder
        do {
            b = try NetworkBuilder(inputs: inputs)
            for s in specs { try b.addLayer(s.name, size: s.size, activation: s.activation, bias: s.bias) }
        } catch {
            throw _ByteReader.corrupt("invalid architecture: \(error.message)")
        }
        let nConnections = try p.count32("connection count", unit: 19)
        for i in 0..<nConnections {
            let from = try p.u32("connection \(i) source")
            let to = try p.index("connection \(i) target", below: nLayers)
            guard from == UInt32.max || Int(from) < nLayers else { throw _ByteReader.corrupt("connection \(i) source = \(from)") }
            let delay = Int(try p.u8("connection \(i) delay"))
            let kind = try p.enumeration(ConnectionKind.self, "connection \(i) kind")
            let trainable = try p.bool("connection \(i) trainable")
            let scale = try p.f64("connection \(i) scale")
            do {
                try b.connect(from: from == UInt32.max ? inputLayerName : specs[Int(from)].name, to: specs[to].name,
                              delay: delay, kind: kind, trainable: trainable, scale: scale)
            } catch {
                throw _ByteReader.corrupt("invalid connection \(i): \(error.message)")
            }
        }
        let outLayer = try p.index("output layer", below: nLayers)  // 0 layers: no index is valid (was max(nLayers, 1): specs[0] trapped)
        let nUnits = try p.count32("output unit count", unit: 4)
        var units: [Int] = []
        for k in 0..<nUnits { units.append(Int(try p.u32("output unit \(k)"))) }
        let topology: _Topology
        do {
            try b.setOutput(layer: specs[outLayer].name, units: units)
            topology = try _Topology(builder: b)
        } catch {
            throw _ByteReader.corrupt("invalid architecture: \(error.message)")
        }
        // Training configuration.
        var c = TrainingConfiguration()
        c.optimizer = try p.enumeration(OptimizerKind.self, "optimizer")
        c.learningRate = try p.f64("learning rate")
        c.momentum = try p.f64("momentum")
        c.beta1 = try p.f64("beta1")
        c.beta2 = try p.f64("beta2")
        c.epsilon = try p.f64("eps")
        let hasClip = try p.bool("clip flag")
        let clip = try p.f64("clip norm")
        c.clipNorm = hasClip ? clip : nil
        c.loss = try p.enumeration(LossFunction.self, "loss")
        c.teacherForcing = try p.bool("teacher forcing")
        c.updateEvery = Int(try p.u32("update_every"))
        c.divergenceGuard = try p.bool("divergence guard")
        c.ekfR = try p.f64("ekf_r")
        c.ekfQ = try p.f64("ekf_q")
        c.p0 = try p.f64("p0")
        c.readout = try p.enumeration(Readout.self, "readout")
        c.rlsLambda = try p.f64("rls_lambda")
        let maxCov = try p.u64("max covariance entries")
        guard maxCov <= UInt64(Int.max) else { throw _ByteReader.corrupt("max covariance entries = \(maxCov)") }
        c.maxCovarianceEntries = Int(maxCov)
        c.sensitivity = try p.enumeration(SensitivityMode.self, "sensitivity")
        do {
            try c.validate()
        } catch {
            throw _ByteReader.corrupt("invalid configuration: \(error.message)")
        }
        if c.loss == .crossEntropy && topology.layers[topology.outputLayer].activation != .softmax {
            throw _ByteReader.corrupt("cross_entropy without a softmax output layer")
        }
        let stepCount = try p.u64("step count")
        let adamSteps = try p.u64("adam steps")
        let learnCount = try p.u64("learn count")
        let refused = try p.u64("refused updates")
        let phase = try p.u8("phase")
        let rngState = try p.u64("generator state")
        guard phase <= 1, learnCount < UInt64(c.updateEvery) else {
            throw _ByteReader.corrupt("counters out of range")
        }
        // The values that follow must be present before anything is allocated: a small
        // crafted header must not make the reader allocate a large network.
        let scalar = precisionCode == 0 ? 8 : 4
        let weights = 2 * topology.numParams + topology.numFixed
        guard weights <= p.remaining / scalar else {
            throw _ByteReader.corrupt("the architecture needs \(weights) stored weights, the data is shorter (truncated or forged)")
        }
        let plan = _SensitivityPlan(topology)
        let values = _savedValues(topology, plan, c)
        guard values <= p.remaining / scalar else {
            throw _ByteReader.corrupt("the architecture and configuration need \(values) stored values, the data is shorter (truncated or forged)")
        }
        let net: Network
        do {
            net = try Network(topology: topology, plan: plan, seed: nil, precision: precisionCode == 0 ? .f64 : .f32)
        } catch {
            throw _ByteReader.corrupt("architecture too large: \(error.message)")
        }
        do {
            switch net.storage {
            case .f64(let e): try e.configure(c)
            case .f32(let e): try e.configure(c)
            }
        } catch {
            throw _ByteReader.corrupt("invalid configuration: \(error.message)")
        }
        switch net.storage {
        case .f64(let e): try _readValues(&p, e)
        case .f32(let e): try _readValues(&p, e)
        }
        guard p.remaining == 0 else { throw _ByteReader.corrupt("\(p.remaining) unexpected bytes at the end") }
        switch net.storage {
        case .f64(let e): e.restore(c, stepCount, adamSteps, Int(learnCount), refused, Int(phase), rngState)
        case .f32(let e): e.restore(c, stepCount, adamSteps, Int(learnCount), refused, Int(phase), rngState)
        }
        return net
    }

    private static func _readValues<S: _Scalar>(_ p: inout _ByteReader, _ e: _Engine<S>) throws(RTRLError) {
        try p.array(e.theta, e.topo.numParams, "parameters")
        try p.array(e.fixed, e.topo.numFixed, "fixed weights")
        try p.array(e.grad, e.topo.numParams, "gradient buffer")
        e.gradientSupport?.everywhere = true
        try p.array(e.moment1.base, e.moment1.count, "optimizer state 1")
        try p.array(e.moment2.base, e.moment2.count, "optimizer state 2")
        try p.array(e.state, e.layout.count, "network state")
        try p.array(e.sensitivities.base, e.sensitivities.count, "sensitivities")
        let ap = e.approximate
        let n = e.topo.numParams, buffers = ap?.perParameterBuffers ?? 0
        let full = UnsafeMutablePointer<S>.allocate(capacity: max(buffers * n, 1))
        defer { full.deallocate() }
        try p.array(full, buffers * n, "per-parameter sensitivities")
        for k in 0..<buffers { ap!.gather(buffer: k, from: full + k * n, e.program) }
        try p.array(ap?.u.base ?? e.state, ap?.u.count ?? 0, "uoro u")
        try p.array(ap?.v.base ?? e.state, ap?.v.count ?? 0, "uoro v")
        if let so = e.secondOrder {
            try p.array(so.covariance.baseAddress!, so.covariance.count, "covariance")
        } else {
            try p.array(e.state, 0, "covariance")
        }
    }

    /// Restores a learner from its saved form. See ``deserialize(_:)-(UnsafeRawBufferPointer)``.
    public static func deserialize(_ bytes: [UInt8]) throws(RTRLError) -> Network {
        let result = bytes.withUnsafeBytes { b in
            Result { () throws(RTRLError) -> Network in try deserialize(b) }
        }
        return try result.get()
    }
}

/// The number of scalars a saved learner with this architecture and configuration
/// stores (saturating): checked against the data before anything is allocated.
func _savedValues(_ topo: _Topology, _ plan: _SensitivityPlan, _ c: TrainingConfiguration) -> Int {
    var total = 0
    func add(_ x: Int) { let (r, o) = total.addingReportingOverflow(x); total = o ? Int.max : r }
    func square(_ x: Int) -> Int { let (r, o) = x.multipliedReportingOverflow(by: x); return o ? Int.max : r }
    let n = topo.numParams
    add(2 * n + topo.numFixed + _StateLayout(topo, plan).count)
    if c.optimizer == .momentum || c.optimizer == .adam { add(n) }
    if c.optimizer == .adam { add(n) }
    switch SensitivityPath(c.sensitivity, diagonalExact: plan.diagonalExact) {
    case .exact: add(plan.sensitivityEntries)
    case .exactDiagonal, .snap1: add(n * (plan.previousSensitivityRead ? 2 : 1))
    case .uoro:
        add(2 * n)
        for (l, p) in plan.layers.enumerated() where !p.pFree { add(2 * topo.layers[l].size) }
    }
    switch c.optimizer {
    case .ekf: add(square(n))
    case .dekf:
        for l in topo.layers.indices {
            var size = 0
            for block in topo.blocks where block.layer == l && block.trainable {
                size += block.kind == .dense ? block.cols : 1
            }
            for _ in 0..<topo.layers[l].size { add(square(size)) }
        }
    default: break
    }
    if c.readout == .rls {
        var d = 0
        for block in topo.blocks where block.layer == topo.outputLayer && block.trainable {
            d += block.kind == .dense ? block.cols : 1
        }
        add(square(d))
    }
    return total
}

extension _ByteReader {
    /// A u32 count that must fit the remaining bytes at `unit` bytes per element.
    mutating func count32(_ what: String, unit: Int) throws(RTRLError) -> Int {
        let v = Int(try u32(what))
        guard v <= remaining / unit else { throw Self.corrupt("\(what) = \(v) is out of range") }
        return v
    }
}

extension _Engine {
    /// Sets the configuration and counters of a learner being restored.
    func restore(_ c: TrainingConfiguration, _ steps: UInt64, _ adam: UInt64, _ learn: Int, _ refused: UInt64, _ phase: Int, _ rngState: UInt64) {
        rng = _SplitMix64(seed: rngState)
        config = c
        stepCount = steps
        adamSteps = adam
        learnCount = learn
        refusedUpdates = refused
        self.phase = phase
    }
}
