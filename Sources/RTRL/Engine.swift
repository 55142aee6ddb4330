/// The learner of one network in one precision: its weights, its state (activations,
/// remembered inputs, sensitivities), its gradient buffer and optimizer state, and the
/// schedule that updates them one step at a time.
///
/// The engine trusts its caller: lengths and finiteness are checked by ``Network``
/// before any call reaches it. All storage is allocated at creation; a step allocates
/// nothing.
final class _Engine<S: _Scalar> {
    let topo: _Topology
    let plan: _SensitivityPlan
    var config = TrainingConfiguration()

    // MARK: Parameters and learning state (serialised)

    /// theta, the flat vector of trainable parameters (N).
    let theta: UnsafeMutablePointer<S>
    /// The fixed (non-trainable) dense and diagonal blocks.
    let fixed: UnsafeMutablePointer<S>
    /// The gradient buffer: the sum of dE(t)/dtheta since it was last applied or cleared.
    let grad: UnsafeMutablePointer<S>
    /// Optimizer state: momentum's v, or Adam's m.
    let moment1: UnsafeMutablePointer<S>
    /// Optimizer state: Adam's v.
    let moment2: UnsafeMutablePointer<S>
    /// The number of Adam updates since `configure`.
    var adamSteps: UInt64 = 0
    /// `learn` calls since the buffer was last applied.
    var learnCount = 0
    /// Samples fed since creation.
    var stepCount: UInt64 = 0
    /// Updates refused by the divergence guard since creation.
    var refusedUpdates: UInt64 = 0
    /// Covariances of the EKF, DEKF or RLS readout, when the configuration uses one.
    var secondOrder: _SecondOrderState<S>?

    // MARK: Network state (serialised)

    /// Activations, remembered inputs, derivatives, the prediction y and every P.
    let state: UnsafeMutablePointer<S>
    let layout: _StateLayout
    /// Which of the two buffers of a double-buffered quantity holds step t.
    var phase = 0

    // MARK: Scratch (not part of the state)

    let scratch: UnsafeMutablePointer<S>
    let scratchLayout: _ScratchLayout

    /// Per connection: where its weights live (nil for identity connections and empty blocks).
    let weights: [UnsafeMutablePointer<S>?]
    /// The compiled per-step schedule.
    let program: _StepProgram<S>

    var numParams: Int { topo.numParams }

    init(topology: _Topology, plan: _SensitivityPlan) {
        topo = topology
        self.plan = plan
        let n = topology.numParams
        theta = .allocate(capacity: max(n, 1))
        fixed = .allocate(capacity: max(topology.numFixed, 1))
        grad = .allocate(capacity: max(n, 1))
        moment1 = .allocate(capacity: max(n, 1))
        moment2 = .allocate(capacity: max(n, 1))
        for p in [theta, grad, moment1, moment2] { p.initialize(repeating: 0, count: max(n, 1)) }
        fixed.initialize(repeating: 0, count: max(topology.numFixed, 1))
        layout = _StateLayout(topology, plan)
        state = .allocate(capacity: max(layout.count, 1))
        state.initialize(repeating: 0, count: max(layout.count, 1))
        scratchLayout = _ScratchLayout(topology, plan)
        scratch = .allocate(capacity: max(scratchLayout.count, 1))
        scratch.initialize(repeating: 0, count: max(scratchLayout.count, 1))
        var w = [UnsafeMutablePointer<S>?](repeating: nil, count: topology.connections.count)
        for block in topology.blocks {
            if let c = block.connection { w[c] = (block.trainable ? theta : fixed) + block.offset }
        }
        weights = w
        program = _StepProgram(topology, plan, layout, scratchLayout, theta: theta, fixed: fixed)
    }

    deinit {
        for p in [theta, fixed, grad, moment1, moment2, state, scratch] { p.deallocate() }
    }

    /// Draws the initial weights: dense blocks uniform in ±scale/sqrt(fan-in), in
    /// connection creation order, row-major, from one SplitMix64 stream; diagonal blocks
    /// at `scale`; biases at 0.
    func initializeWeights(seed: UInt64) {
        var rng = _SplitMix64(seed: seed)
        for (c, spec) in topo.connections.enumerated() {
            guard let w = weights[c], let bi = topo.connectionBlock[c] else { continue }
            let block = topo.blocks[bi]
            switch spec.kind {
            case .dense:
                let bound = spec.scale / Double(topo.fanIn[block.layer]).squareRoot()
                for k in 0..<block.count { w[k] = S(rng.nextSymmetric(bound)) }
            case .diagonal:
                for k in 0..<block.count { w[k] = S(spec.scale) }
            case .identity:
                break
            }
        }
    }

    // MARK: State access

    @inline(__always) func x(delay: Int) -> UnsafeMutablePointer<S> {
        state + ((phase ^ delay) == 0 ? layout.input.0 : layout.input.1)
    }
    /// a_L(t - delay) of the layer computed by `step`.
    @inline(__always) func activation(_ step: _LayerStep<S>, delay: Int) -> UnsafeMutablePointer<S> {
        state + ((phase ^ delay) == 0 ? step.activationOffset.0 : step.activationOffset.1)
    }
    /// a_L(t - delay) of layer `l` (creation index).
    @inline(__always) func activation(layer l: Int, delay: Int) -> UnsafeMutablePointer<S> {
        activation(program.steps[program.stepOfLayer[l]], delay: delay)
    }
    /// P_L(t - delay); only for layers with `hasP`.
    @inline(__always) func sensitivity(_ step: _LayerStep<S>, delay: Int) -> UnsafeMutablePointer<S> {
        state + ((phase ^ delay) == 0 ? step.sensitivityOffset.0 : step.sensitivityOffset.1)
    }
    /// phi'(z_L(t)) of the layer computed by `step`.
    @inline(__always) func derivative(_ step: _LayerStep<S>) -> UnsafeMutablePointer<S> {
        state + (phase == 0 ? step.derivativeOffset.0 : step.derivativeOffset.1)
    }
    /// y(t), the prediction of the last forward pass.
    @inline(__always) var prediction: UnsafeMutablePointer<S> { state + (phase == 0 ? layout.prediction.0 : layout.prediction.1) }

    /// The source vector of an edge at step t - delay: x or a_S.
    @inline(__always) func sourceVector(_ e: _Edge<S>) -> UnsafeMutablePointer<S> {
        e.source < 0 ? x(delay: e.delay) : activation(layer: e.source, delay: e.delay)
    }

    // MARK: One step

    /// Advances one step with input x(t): the forward pass z_L, a_L for every layer in
    /// evaluation order, each followed by its sensitivity update; then y(t).
    ///
    /// - Complexity: O(sum over layers of n_L x columns(P_L) x fan-in) — the sensitivity
    ///   products dominate; independent of the number of steps already run.
    ///
    /// With the divergence guard on, a step that drives an activation to a non-finite
    /// value is undone — the two buffers of the state swap back, so the network is exactly
    /// as before the call — counted, and `diverged` is thrown.
    func feed(_ input: UnsafePointer<Double>?) throws(RTRLError) {
        phase ^= 1
        let xt = x(delay: 0)
        if let input { for i in 0..<topo.inputs { xt[i] = S(input[i]) } }
        let guarded = config.divergenceGuard
        for k in 0..<program.steps.count {
            let step = program.steps[k]
            _forward(step)
            if guarded && !_isFinite(activation(step, delay: 0), step.size) {
                phase ^= 1
                refusedUpdates &+= 1
                throw RTRLError(.diverged, "feed: the input drove layer \"\(topo.layers[step.layer].name)\" to a non-finite activation; the step was undone (the network is as before the call)")
            }
            if step.hasP { _updateSensitivity(step) }
        }
        let a = activation(program.steps[program.outputStep], delay: 0)
        let y = prediction
        for k in 0..<program.outputUnits.count { y[k] = a[program.outputUnits[k]] }
        stepCount &+= 1
    }

    /// Takes a new training configuration (already validated) and resets the optimizer
    /// state (including any covariance, back to I / p0) and the `updateEvery` count.
    ///
    /// - Throws: `invalidArgument` when an RLS readout does not fit the output layer;
    ///   `outOfMemory` when the covariances would exceed `maxCovarianceEntries`.
    func configure(_ c: TrainingConfiguration) throws(RTRLError) {
        let plan = try _secondOrderPlan(c)
        let so = plan.map {
            _SecondOrderState<S>(groups: $0.groups, numParams: numParams, numRows: topo.numOutputs,
                                 readoutEdges: $0.readoutEdges, readoutSize: $0.readoutSize, p0: c.p0)
        }
        secondOrder = so
        config = c
        moment1.update(repeating: 0, count: max(numParams, 1))
        moment2.update(repeating: 0, count: max(numParams, 1))
        adamSteps = 0
        learnCount = 0
    }

    /// The Kalman groups and RLS readout a configuration needs (nil when it needs none),
    /// checked against the output layer and `maxCovarianceEntries`.
    func _secondOrderPlan(_ c: TrainingConfiguration) throws(RTRLError) -> (groups: [[Int]], readoutEdges: [Int], readoutSize: Int)? {
        var groups: [[Int]] = []
        var readout: [Int] = []
        var d = 0
        switch c.optimizer {
        case .ekf:
            groups = numParams > 0 ? [Array(0..<numParams)] : []
        case .dekf:
            groups = _unitGroups()
        default:
            break
        }
        if c.readout == .rls {
            let out = program.steps[program.outputStep]
            let name = topo.layers[out.layer].name
            guard out.activation == .identity else {
                throw .invalid("configure: readout rls needs an identity output layer; \"\(name)\" is \(out.activation.rawValue)")
            }
            for k in out.edges {
                let e = program.edges[k]
                guard e.paramOffset >= 0 else { continue }
                guard e.kind == .dense else {
                    throw .invalid("configure: readout rls supports dense blocks and a bias into the output layer; \"\(name)\" has a trainable diagonal block")
                }
                readout.append(k)
                d += e.sourceSize
            }
            if out.biasOffset >= 0 { d += 1 }
            guard d > 0 else { throw .invalid("configure: readout rls: the output layer \"\(name)\" has no trainable blocks") }
        }
        if groups.isEmpty && d == 0 { return nil }
        let entries = _SecondOrderState<S>.entries(groups: groups, readoutSize: d)
        guard entries <= c.maxCovarianceEntries else {
            throw RTRLError(.outOfMemory, "configure: \(c.optimizer.isKalman ? c.optimizer.rawValue : "the rls readout") needs \(entries) covariance entries, more than max_covariance_entries = \(c.maxCovarianceEntries) (use dekf, a smaller network, or raise the bound)")
        }
        return (groups, readout, d)
    }

    /// The decoupled EKF's groups: for each layer and each of its units, the unit's
    /// incoming trainable weights (its row of every dense block, its entry of every
    /// diagonal block, its bias).
    func _unitGroups() -> [[Int]] {
        var groups: [[Int]] = []
        for l in topo.layers.indices {
            let step = program.steps[program.stepOfLayer[l]]
            for i in 0..<step.size {
                var g: [Int] = []
                for k in step.edges {
                    let e = program.edges[k]
                    guard e.paramOffset >= 0 else { continue }
                    if e.kind == .dense {
                        g.append(contentsOf: (e.paramOffset + i * e.sourceSize)..<(e.paramOffset + (i + 1) * e.sourceSize))
                    } else {
                        g.append(e.paramOffset + i)
                    }
                }
                if step.biasOffset >= 0 { g.append(step.biasOffset + i) }
                if !g.isEmpty { groups.append(g) }
            }
        }
        return groups
    }

    /// Clears activations, remembered inputs, derivatives, the prediction and every
    /// sensitivity; weights, the gradient buffer and optimizer state stay.
    func resetState() {
        state.update(repeating: 0, count: layout.count)
    }
}

/// True when the n values at p are all finite.
@inline(__always)
func _isFinite<S: _Scalar>(_ p: UnsafePointer<S>, _ n: Int) -> Bool {
    var ok = true
    for i in 0..<n { ok = ok && p[i].isFinite }
    return ok
}

/// Where each part of the state lives in the engine's state storage.
struct _StateLayout: Sendable {
    /// x in one of two buffers.
    var input: (Int, Int) = (0, 0)
    /// Per layer: a_L in one of two buffers.
    var activation: [[Int]] = []
    /// Per layer: phi'(z_L) in one of two buffers.
    var derivative: [[Int]] = []
    /// y, the prediction, in one of two buffers.
    var prediction: (Int, Int) = (0, 0)
    /// Per layer: P_L in one of two buffers (for layers that keep one).
    var sensitivity: [[Int]] = []
    var count = 0

    init(_ topo: _Topology, _ plan: _SensitivityPlan) {
        var at = 0
        func take(_ n: Int) -> Int { defer { at += n }; return at }
        input = (take(topo.inputs), take(topo.inputs))
        for l in topo.layers {
            activation.append([take(l.size), take(l.size)])
            derivative.append([take(l.size), take(l.size)])
        }
        prediction = (take(topo.numOutputs), take(topo.numOutputs))
        for (l, p) in zip(topo.layers, plan.layers) {
            if p.hasP {
                sensitivity.append([take(l.size * p.cols), take(l.size * p.cols)])
            } else {
                sensitivity.append([0, 0])
            }
        }
        count = at
    }
}

/// Scratch space for one step; never part of the state.
struct _ScratchLayout: Sendable {
    /// z_L(t) of the layer being computed.
    var z = 0
    /// D W (or J W) of the connection being multiplied, or D w for a row scaling.
    var scaledWeights = 0
    /// Softmax: r = a^T W.
    var softmaxRow = 0
    /// dE/dy for the output units.
    var delta = 0
    /// Per layer: the back-propagated error within a step (vector–Jacobian products).
    var error: [Int] = []
    /// Per layer: the vectors v_L(t), v_L(t-1) multiplied into P_L at the end of a VJP.
    var vjp: [[Int]] = []
    var count = 0

    init(_ topo: _Topology, _ plan: _SensitivityPlan) {
        var at = 0
        func take(_ n: Int) -> Int { defer { at += n }; return at }
        let maxLayer = topo.layers.map(\.size).max() ?? 0
        var maxProduct = 0
        for c in topo.connections.indices {
            let n = topo.layers[topo.target[c]].size
            maxProduct = max(maxProduct, n * max(topo.size(ofSource: topo.source[c]), n))
        }
        z = take(maxLayer)
        scaledWeights = take(maxProduct)
        softmaxRow = take(max(maxLayer, topo.inputs))
        delta = take(topo.numOutputs)
        for l in topo.layers.indices {
            error.append(take(topo.layers[l].size))
            vjp.append([take(topo.layers[l].size), take(topo.layers[l].size)])
        }
        count = at
    }
}
