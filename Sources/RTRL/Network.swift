/// A recurrent network that learns online with exact Real-Time Recurrent Learning.
///
/// Create one from a preset (``fullyRecurrent(inputs:units:outputs:activation:seed:precision:)``,
/// ``elman(inputs:hidden:outputs:hiddenActivation:outputActivation:seed:precision:)``,
/// ``jordan(inputs:hidden:outputs:mu:hiddenActivation:outputActivation:seed:precision:)``)
/// or a ``NetworkBuilder``; then, once per time step, ``feed(_:)-([Double])`` x(t) and
/// ``learn(_:)-([Double])`` from the target y*(t), or do both with ``step(_:target:)``.
///
/// Every call validates its arguments first; a call that throws leaves the network
/// exactly as it was (the divergence guard's `diverged` is the one documented
/// exception: the step's forward pass stands, its update is refused).
///
/// A network may be used from one thread at a time.
public final class Network {
    enum _Storage {
        case f64(_Engine<Double>)
        case f32(_Engine<Float>)
    }

    let storage: _Storage
    let topo: _Topology
    let plan: _SensitivityPlan

    /// The largest number of scalars (weights, optimizer state, activations and
    /// sensitivities together) a network may hold: 2^31, 16 GiB in f64.
    public static let maxElements = 1 << 31

    init(topology: _Topology, plan: _SensitivityPlan? = nil, seed: UInt64?, precision: Precision) throws(RTRLError) {
        guard topology.numParams <= Int(Int32.max), topology.numFixed <= Int(Int32.max) else {
            throw RTRLError(.outOfMemory, "build: the network has \(topology.numParams) parameters; at most \(Int32.max) are supported")
        }
        let plan = plan ?? _SensitivityPlan(topology)
        // Weights, gradient buffer, state and scratch; the sensitivities come on top and
        // are allocated only if they fit too (see `_Engine.init`).
        let base = 2 * topology.numParams + topology.numFixed
            + _StateLayout(topology, plan).count + _ScratchLayout(topology, plan).count
        guard base <= Network.maxElements else {
            throw RTRLError(.outOfMemory, "build: the network would hold \(base) values before any sensitivity (parameters \(topology.numParams)); at most \(Network.maxElements) are supported")
        }
        topo = topology
        self.plan = plan
        switch precision {
        case .f64:
            let e = _Engine<Double>(topology: topology, plan: plan, seed: seed ?? 0, maxElements: Network.maxElements)
            if let seed { e.initializeWeights(seed: seed) }
            storage = .f64(e)
        case .f32:
            let e = _Engine<Float>(topology: topology, plan: plan, seed: seed ?? 0, maxElements: Network.maxElements)
            if let seed { e.initializeWeights(seed: seed) }
            storage = .f32(e)
        }
    }

    // MARK: Architecture

    /// The floating-point type the network computes in.
    public var precision: Precision {
        switch storage { case .f64: .f64; case .f32: .f32 }
    }
    /// m, the length of x(t).
    public var numInputs: Int { topo.inputs }
    /// The length of y(t) and of a target.
    public var numOutputs: Int { topo.numOutputs }
    /// N, the number of trainable parameters.
    public var numParams: Int { topo.numParams }
    /// The layers, in creation order.
    public var layers: [LayerSpec] { topo.layers }
    /// The connections, in creation order.
    public var connections: [ConnectionSpec] { topo.connections }
    /// The layers in the order they are evaluated each step.
    public var evaluationOrder: [String] { topo.order.map { topo.layers[$0].name } }
    /// The output layer's name.
    public var outputLayer: String { topo.layers[topo.outputLayer].name }
    /// The units of the output layer that form y(t), in order.
    public var outputUnits: [Int] { topo.outputUnits }

    /// The trainable blocks in flat-vector order (name, offset, rows, cols).
    public var paramBlocks: [BlockInfo] {
        topo.blocks.filter(\.trainable).map(Self.info)
    }
    /// Every block, trainable or fixed (fixed ones have `offset == nil`).
    public var blocks: [BlockInfo] { topo.blocks.map(Self.info) }

    private static func info(_ b: _Topology.Block) -> BlockInfo {
        BlockInfo(name: b.name, rows: b.rows, cols: b.cols, trainable: b.trainable,
                  offset: b.trainable ? b.offset : nil)
    }

    /// The number of sensitivity entries the network keeps (both buffers of a
    /// double-buffered layer counted) — the dominant term of its memory.
    public var sensitivityEntries: Int { plan.sensitivityEntries }

    /// How the sensitivities are kept under the current configuration.
    public var sensitivityPath: SensitivityPath {
        switch storage { case .f64(let e): e.path; case .f32(let e): e.path }
    }

    /// The bytes the network holds now: weights, buffers, optimizer and second-order
    /// state, activations, sensitivities and scratch.
    public var memoryBytes: Int {
        switch storage {
        case .f64(let e): 8 * e.allocatedElements
        case .f32(let e): 4 * e.allocatedElements
        }
    }

    /// Which layers keep a sensitivity matrix, with its column count (0: none kept).
    public var sensitivityColumns: [String: Int] {
        var r: [String: Int] = [:]
        for (l, p) in plan.layers.enumerated() { r[topo.layers[l].name] = p.hasP ? p.cols : 0 }
        return r
    }

    // MARK: Counters

    /// Samples fed since creation (reset_state does not change it).
    public var stepCount: UInt64 {
        switch storage { case .f64(let e): e.stepCount; case .f32(let e): e.stepCount }
    }
    /// Steps and updates refused by the divergence guard since creation.
    public var refusedUpdates: UInt64 {
        switch storage { case .f64(let e): e.refusedUpdates; case .f32(let e): e.refusedUpdates }
    }
    /// `learn` calls since the gradient buffer was last applied.
    public var pendingLearnCalls: Int {
        switch storage { case .f64(let e): e.learnCount; case .f32(let e): e.learnCount }
    }

    // MARK: Training configuration

    /// The current training configuration.
    public var configuration: TrainingConfiguration {
        switch storage { case .f64(let e): e.config; case .f32(let e): e.config }
    }

    /// Sets the training configuration: validates every field, then resets the optimizer
    /// state (momentum's v, Adam's m, v and step count) and the `updateEvery` count.
    /// Weights, state and the gradient buffer stay.
    ///
    /// - Throws: `invalidArgument` for a bad field, or `cross_entropy` without a softmax
    ///   output layer.
    public func configure(_ c: TrainingConfiguration) throws(RTRLError) {
        try c.validate()
        if c.loss == .crossEntropy && topo.layers[topo.outputLayer].activation != .softmax {
            throw .invalid("configure: loss cross_entropy needs a softmax output layer; \"\(outputLayer)\" is \(topo.layers[topo.outputLayer].activation.rawValue)")
        }
        switch storage {
        case .f64(let e): try e.configure(c)
        case .f32(let e): try e.configure(c)
        }
    }

    // MARK: Validation

    @inline(__always)
    func _checkInput(_ op: StaticString, _ x: UnsafeBufferPointer<Double>) throws(RTRLError) {
        guard x.count == topo.inputs else {
            throw .invalid("\(op): x has \(x.count) values, the network has \(topo.inputs) inputs")
        }
        for i in 0..<x.count where !x[i].isFinite {
            throw .invalid("\(op): x[\(i)] is not finite (\(x[i]))")
        }
    }

    @inline(__always)
    func _checkTarget(_ op: StaticString, _ t: UnsafeBufferPointer<Double>) throws(RTRLError) {
        guard t.count == topo.numOutputs else {
            throw .invalid("\(op): the target has \(t.count) values, the network has \(topo.numOutputs) outputs")
        }
        for i in 0..<t.count where t[i].isInfinite {
            throw .invalid("\(op): target[\(i)] is infinite (\(t[i])); use NaN for \"no target\"")
        }
    }

    /// In an f32 network, every value must stay finite as a Float (|v| < 3.4e38).
    func _checkRange(_ op: StaticString, _ v: UnsafeBufferPointer<Double>) throws(RTRLError) {
        guard precision == .f32 else { return }
        for i in 0..<v.count where !Float(v[i]).isFinite {
            throw .invalid("\(op): value [\(i)] (\(v[i])) is out of the range of an f32 network (|v| <= \(Float.greatestFiniteMagnitude))")
        }
    }

    @inline(__always)
    func _checkLength(_ op: StaticString, _ what: StaticString, _ count: Int, _ expected: Int) throws(RTRLError) {
        guard count == expected else {
            throw .invalid("\(op): \(what) has room for \(count) values, \(expected) are needed")
        }
    }

    // MARK: Stepping

    /// Advances one step with input x(t): the forward pass and the sensitivity update.
    ///
    /// - Throws: `invalidArgument` if x does not have `numInputs` values or one is not
    ///   finite; `diverged` if the step drove an activation to a non-finite value (with
    ///   the divergence guard on): the step is undone and the network is as before.
    /// - Complexity: O(n x columns(P) x fan-in) per step; no allocation.
    public func feed(_ x: UnsafeBufferPointer<Double>) throws(RTRLError) {
        try _checkInput("feed", x)
        try _feed(x.baseAddress)
    }

    @inline(__always)
    func _feed(_ x: UnsafePointer<Double>?) throws(RTRLError) {
        switch storage {
        case .f64(let e): try e.feed(x)
        case .f32(let e): try e.feed(x)
        }
    }

    /// Writes y(t), the prediction of the last forward pass, into `y` (`numOutputs` values).
    public func output(into y: UnsafeMutableBufferPointer<Double>) throws(RTRLError) {
        try _checkLength("output", "y", y.count, topo.numOutputs)
        _output(y.baseAddress!)
    }

    @inline(__always)
    func _output(_ y: UnsafeMutablePointer<Double>) {
        switch storage {
        case .f64(let e): e._writePrediction(y)
        case .f32(let e): e._writePrediction(y)
        }
    }

    /// E(t) for the current prediction, its gradient added to the buffer, teacher forcing
    /// if configured; every `updateEvery`-th call applies the optimizer and clears the
    /// buffer. NaN in the target means "no target for this unit".
    ///
    /// - Returns: E(t).
    /// - Throws: `invalidArgument` for a wrong length or an infinite target; `diverged`
    ///   when the divergence guard refuses the update.
    public func learn(_ target: UnsafeBufferPointer<Double>) throws(RTRLError) -> Double {
        try _checkTarget("learn", target)
        return try _learn(target.baseAddress!, counting: true)
    }

    /// Like ``learn(_:)-(UnsafeBufferPointer<Double>)`` but only adds dE(t)/dtheta to the
    /// buffer: no update and no count toward `updateEvery`.
    public func accumulate(_ target: UnsafeBufferPointer<Double>) throws(RTRLError) -> Double {
        try _checkTarget("accumulate", target)
        return try _learn(target.baseAddress!, counting: false)
    }

    @inline(__always)
    func _learn(_ t: UnsafePointer<Double>, counting: Bool) throws(RTRLError) -> Double {
        switch storage {
        case .f64(let e): return try e.learn(t, counting: counting)
        case .f32(let e): return try e.learn(t, counting: counting)
        }
    }

    /// Applies the optimizer to the gradient buffer, clears it and restarts the
    /// `updateEvery` count.
    ///
    /// - Throws: `diverged` when the divergence guard refuses the update (the buffer is
    ///   cleared, weights and optimizer state are unchanged).
    public func apply() throws(RTRLError) {
        switch storage {
        case .f64(let e): try e.apply()
        case .f32(let e): try e.apply()
        }
    }

    /// Copies the gradient buffer into `g` (`numParams` values).
    public func gradient(into g: UnsafeMutableBufferPointer<Double>) throws(RTRLError) {
        try _checkLength("gradient", "g", g.count, topo.numParams)
        switch storage {
        case .f64(let e): for i in 0..<g.count { g[i] = e.grad[i] }
        case .f32(let e): for i in 0..<g.count { g[i] = Double(e.grad[i]) }
        }
    }

    /// Clears the gradient buffer (only).
    public func zeroGrad() {
        switch storage {
        case .f64(let e): e._clearGradient()
        case .f32(let e): e._clearGradient()
        }
    }

    /// feed + output + learn: advances one step with x(t), writes the prediction y(t)
    /// (made before learning) into `y` if given, then learns from `target` if given.
    /// Both x and the target are validated before anything changes.
    ///
    /// - Returns: E(t), or `nil` without a target.
    public func step(
        _ x: UnsafeBufferPointer<Double>, target: UnsafeBufferPointer<Double>?,
        output y: UnsafeMutableBufferPointer<Double>?
    ) throws(RTRLError) -> Double? {
        try _checkInput("step", x)
        if let target { try _checkTarget("step", target) }
        if let y { try _checkLength("step", "y", y.count, topo.numOutputs) }
        // One switch for the three parts: each switch on the storage retains the engine.
        switch storage {
        case .f64(let e): return try _step(e, x.baseAddress, target?.baseAddress, y?.baseAddress)
        case .f32(let e): return try _step(e, x.baseAddress, target?.baseAddress, y?.baseAddress)
        }
    }

    @inline(__always)
    private func _step<S: _Scalar>(_ e: _Engine<S>, _ x: UnsafePointer<Double>?, _ t: UnsafePointer<Double>?,
                                   _ y: UnsafeMutablePointer<Double>?) throws(RTRLError) -> Double? {
        // With a target, learn makes the SnAp-1 update in its pass for the gradient.
        let owed = try e.feed(x, deferringSnapUpdate: t != nil)
        if let y { e._writePrediction(y) }
        guard let t else { return nil }
        return try e.learn(t, counting: true, snapUpdateOwed: owed)
    }

    /// Sets activations, remembered inputs and sensitivities back to 0 (a new sequence);
    /// never weights, the gradient buffer or optimizer state.
    public func resetState() {
        switch storage {
        case .f64(let e): e.resetState()
        case .f32(let e): e.resetState()
        }
    }

    // MARK: Parameters

    /// Copies the flat parameter vector into `p` (`numParams` values).
    public func parameters(into p: UnsafeMutableBufferPointer<Double>) throws(RTRLError) {
        try _checkLength("get_params", "the buffer", p.count, topo.numParams)
        switch storage {
        case .f64(let e): for i in 0..<p.count { p[i] = e.theta[i] }
        case .f32(let e): for i in 0..<p.count { p[i] = Double(e.theta[i]) }
        }
    }

    /// Replaces the flat parameter vector (`numParams` finite values).
    public func setParameters(_ p: UnsafeBufferPointer<Double>) throws(RTRLError) {
        guard p.count == topo.numParams else {
            throw .invalid("set_params: got \(p.count) values, the network has \(topo.numParams) parameters")
        }
        for i in 0..<p.count where !p[i].isFinite {
            throw .invalid("set_params: value [\(i)] is not finite (\(p[i]))")
        }
        try _checkRange("set_params", p)
        switch storage {
        case .f64(let e): for i in 0..<p.count { e.theta[i] = p[i] }
        case .f32(let e): for i in 0..<p.count { e.theta[i] = Float(p[i]) }
        }
    }

    /// The block called `name` (trainable or fixed).
    public func blockInfo(named name: String) throws(RTRLError) -> BlockInfo {
        guard let b = topo.blocks.first(where: { $0.name == name }) else {
            throw .invalid("unknown block \"\(name)\" (blocks: \(topo.blocks.map(\.name).joined(separator: ", ")))")
        }
        return Self.info(b)
    }

    /// Copies the block called `name` (rows x cols values, row-major) into `out`.
    public func block(named name: String, into out: UnsafeMutableBufferPointer<Double>) throws(RTRLError) {
        let (b, base) = try _block(name)
        try _checkLength("get_block", "the buffer", out.count, b.count)
        switch storage {
        case .f64(let e): let p = (base ? e.theta : e.fixed) + b.offset; for i in 0..<b.count { out[i] = p[i] }
        case .f32(let e): let p = (base ? e.theta : e.fixed) + b.offset; for i in 0..<b.count { out[i] = Double(p[i]) }
        }
    }

    /// Replaces the block called `name` with `values` (rows x cols finite values, row-major).
    public func setBlock(named name: String, _ values: UnsafeBufferPointer<Double>) throws(RTRLError) {
        let (b, base) = try _block(name)
        guard values.count == b.count else {
            throw .invalid("set_block \"\(name)\": got \(values.count) values, the block has \(b.rows) x \(b.cols) = \(b.count)")
        }
        for i in 0..<values.count where !values[i].isFinite {
            throw .invalid("set_block \"\(name)\": value [\(i)] is not finite (\(values[i]))")
        }
        try _checkRange("set_block", values)
        switch storage {
        case .f64(let e): let p = (base ? e.theta : e.fixed) + b.offset; for i in 0..<b.count { p[i] = values[i] }
        case .f32(let e): let p = (base ? e.theta : e.fixed) + b.offset; for i in 0..<b.count { p[i] = Float(values[i]) }
        }
    }

    private func _block(_ name: String) throws(RTRLError) -> (_Topology.Block, trainable: Bool) {
        guard let b = topo.blocks.first(where: { $0.name == name }) else {
            throw .invalid("unknown block \"\(name)\" (blocks: \(topo.blocks.map(\.name).joined(separator: ", ")))")
        }
        return (b, b.trainable)
    }

    // MARK: Copies

    /// An independent copy of the whole learner (weights, state, buffer, optimizer state,
    /// counters); the copy continues exactly as the original would.
    ///
    /// - Complexity: O(size of the learner), one copy of every buffer.
    public func copy() -> Network {
        switch storage {
        case .f64(let e): Network(topo, plan, .f64(e.clone()))
        case .f32(let e): Network(topo, plan, .f32(e.clone()))
        }
    }

    private init(_ topo: _Topology, _ plan: _SensitivityPlan, _ storage: _Storage) {
        self.topo = topo
        self.plan = plan
        self.storage = storage
    }
}

// MARK: - Array conveniences

extension Network {
    /// Advances one step with input x(t). See ``feed(_:)-(UnsafeBufferPointer<Double>)``.
    public func feed(_ x: [Double]) throws(RTRLError) {
        try x.withUnsafeBufferPointer { (b) throws(RTRLError) in try feed(b) }
    }

    /// y(t), the prediction of the last forward pass.
    public func output() -> [Double] {
        var y = [Double](repeating: 0, count: numOutputs)
        y.withUnsafeMutableBufferPointer { _output($0.baseAddress!) }
        return y
    }

    /// See ``learn(_:)-(UnsafeBufferPointer<Double>)``.
    @discardableResult
    public func learn(_ target: [Double]) throws(RTRLError) -> Double {
        try target.withUnsafeBufferPointer { (b) throws(RTRLError) in try learn(b) }
    }

    /// See ``accumulate(_:)-(UnsafeBufferPointer<Double>)``.
    @discardableResult
    public func accumulate(_ target: [Double]) throws(RTRLError) -> Double {
        try target.withUnsafeBufferPointer { (b) throws(RTRLError) in try accumulate(b) }
    }

    /// The gradient buffer.
    public func gradient() -> [Double] {
        var g = [Double](repeating: 0, count: numParams)
        g.withUnsafeMutableBufferPointer { try! gradient(into: $0) }
        return g
    }

    /// feed + output + learn; returns the prediction made before learning and E(t)
    /// (`nil` without a target).
    @discardableResult
    public func step(_ x: [Double], target: [Double]? = nil) throws(RTRLError) -> (output: [Double], loss: Double?) {
        var y = [Double](repeating: 0, count: numOutputs)
        let loss = try x.withUnsafeBufferPointer { (xb) throws(RTRLError) -> Double? in
            try y.withUnsafeMutableBufferPointer { (yb) throws(RTRLError) -> Double? in
                if let target {
                    return try target.withUnsafeBufferPointer { (tb) throws(RTRLError) -> Double? in
                        try step(xb, target: tb, output: yb)
                    }
                }
                return try step(xb, target: nil, output: yb)
            }
        }
        return (y, loss)
    }

    /// The flat parameter vector.
    public func parameters() -> [Double] {
        var p = [Double](repeating: 0, count: numParams)
        p.withUnsafeMutableBufferPointer { try! parameters(into: $0) }
        return p
    }

    /// Replaces the flat parameter vector.
    public func setParameters(_ p: [Double]) throws(RTRLError) {
        try p.withUnsafeBufferPointer { (b) throws(RTRLError) in try setParameters(b) }
    }

    /// The block called `name`, row-major.
    public func block(named name: String) throws(RTRLError) -> [Double] {
        let info = try blockInfo(named: name)
        var out = [Double](repeating: 0, count: info.count)
        try out.withUnsafeMutableBufferPointer { (b) throws(RTRLError) in try block(named: name, into: b) }
        return out
    }

    /// Replaces the block called `name`.
    public func setBlock(named name: String, _ values: [Double]) throws(RTRLError) {
        try values.withUnsafeBufferPointer { (b) throws(RTRLError) in try setBlock(named: name, b) }
    }
}
