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
    /// Optimizer state: momentum's v, or Adam's m (N values; empty for SGD and the EKF).
    var moment1 = _Buffer<S>.empty
    /// Optimizer state: Adam's v (N values; empty otherwise).
    var moment2 = _Buffer<S>.empty
    /// The number of Adam updates since `configure`.
    var adamSteps: UInt64 = 0
    /// `learn` calls since the buffer was last applied.
    var learnCount = 0
    /// Samples fed since creation.
    var stepCount: UInt64 = 0
    /// Steps and updates refused by the divergence guard since creation.
    var refusedUpdates: UInt64 = 0
    /// Covariances of the EKF, DEKF or RLS readout, when the configuration uses one.
    var secondOrder: _SecondOrderState<S>?

    // MARK: Network state (serialised)

    /// Activations, remembered inputs, derivatives and the prediction, each in two buffers.
    let state: UnsafeMutablePointer<S>
    let layout: _StateLayout
    /// Which of the two buffers of each quantity holds step t.
    var phase = 0
    /// How the sensitivities are kept: exact P, one per parameter (exact on diagonal
    /// graphs, SnAp-1 otherwise), or UORO's rank one.
    var path: SensitivityPath = .exact
    /// The exact sensitivity matrices P_L(t), P_L(t-1) (allocated while `path` is exact),
    /// and the scratch of their products.
    var sensitivities = _Buffer<S>.empty
    var productScratch = _Buffer<S>.empty
    /// SnAp-1 or UORO state (allocated while `path` is one of them).
    var approximate: _ApproximateState<S>?
    /// Which rows of the gradient buffer may be non-zero (on the per-parameter paths).
    var gradientSupport: _GradientSupport?
    /// The generator of UORO's random signs (seeded from the network's seed; saved).
    var rng: _SplitMix64

    // MARK: Scratch (not part of the state)

    let scratch: UnsafeMutablePointer<S>
    let scratchLayout: _ScratchLayout

    /// Per connection: where its weights live (nil for identity connections and empty blocks).
    let weights: [UnsafeMutablePointer<S>?]
    /// The compiled per-step schedule.
    let program: _StepProgram<S>

    var numParams: Int { topo.numParams }

    /// A network with zero weights and zero state, configured with the defaults. Exact
    /// sensitivities are allocated only if they fit in `maxElements` (otherwise a feed
    /// in the exact path fails until a cheaper path is configured).
    init(topology: _Topology, plan: _SensitivityPlan, seed: UInt64, maxElements: Int) {
        topo = topology
        self.plan = plan
        let n = topology.numParams
        theta = .allocate(capacity: max(n, 1))
        fixed = .allocate(capacity: max(topology.numFixed, 1))
        grad = .allocate(capacity: max(n, 1))
        for p in [theta, grad] { p.initialize(repeating: 0, count: max(n, 1)) }
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
        rng = _SplitMix64(seed: seed ^ 0x5EED_0F_0A_0F_0ECA)
        path = plan.diagonalExact ? .exactDiagonal : .exact
        if path == .exact && plan.sensitivityEntries <= maxElements - baseElements - scratchLayout.productCount {
            sensitivities = _Buffer(count: plan.sensitivityEntries)
            productScratch = _Buffer(count: scratchLayout.productCount)
        } else if path == .exactDiagonal {
            let ap = _ApproximateState(self, path: path)
            approximate = ap
            gradientSupport = _GradientSupport(program, ap, numParams: n, everywhere: false)
        }
    }

    deinit {
        for p in [theta, fixed, grad, state, scratch] { p.deallocate() }
    }

    /// Every scalar the engine holds now.
    var allocatedElements: Int {
        baseElements + moment1.count + moment2.count + sensitivities.count + productScratch.count
            + (approximate?.count ?? 0)
            + (secondOrder.map { $0.covariance.count + $0.scratchCount } ?? 0)
            + ((gradientSupport?.bytes ?? 0) + MemoryLayout<S>.size - 1) / MemoryLayout<S>.size
    }

    /// The scalars every network holds whatever its configuration: weights, gradient
    /// buffer, state and scratch.
    var baseElements: Int { 2 * numParams + topo.numFixed + layout.count + scratchLayout.count }

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
    /// P_L(t - delay); only for layers with `hasP`, while the exact path runs.
    @inline(__always) func sensitivity(_ step: _LayerStep<S>, delay: Int) -> UnsafeMutablePointer<S> {
        sensitivities.base + ((phase ^ delay) == 0 ? step.sensitivityOffset.0 : step.sensitivityOffset.1)
    }
    /// phi'(z_L(t)) of the layer computed by `step`.
    @inline(__always) func derivative(_ step: _LayerStep<S>) -> UnsafeMutablePointer<S> {
        state + (phase == 0 ? step.derivativeOffset.0 : step.derivativeOffset.1)
    }
    /// y(t), the prediction of the last forward pass.
    @inline(__always) var prediction: UnsafeMutablePointer<S> { state + (phase == 0 ? layout.prediction.0 : layout.prediction.1) }
    /// Writes y(t), the prediction of the last forward pass, into `y` (`numOutputs` values).
    @inline(__always) func _writePrediction(_ y: UnsafeMutablePointer<Double>) {
        let p = prediction
        for k in 0..<topo.numOutputs { y[k] = Double(p[k]) }
    }

    /// The source vector of an edge at step t - delay: x or a_S.
    @inline(__always) func sourceVector(_ e: _Edge<S>) -> UnsafeMutablePointer<S> {
        e.source < 0 ? x(delay: e.delay) : activation(layer: e.source, delay: e.delay)
    }

    // MARK: One step

    /// Advances one step with input x(t): the forward pass z_L, a_L for every layer in
    /// evaluation order, each followed by its exact sensitivity update (or, on the other
    /// paths, the per-parameter or rank-one update after the pass); then y(t).
    ///
    /// - Complexity: exact: O(sum over layers of n_L x columns(P_L) x fan-in) — the
    ///   sensitivity products dominate; SnAp-1, diagonal and UORO: O(forward pass + N).
    ///   Independent of the number of steps already run.
    ///
    /// With the divergence guard on, a step that drives an activation to a non-finite
    /// value is undone — the two buffers of the state swap back, so the network is exactly
    /// as before the call — counted, and `diverged` is thrown.
    ///
    /// `deferringSnapUpdate`: for a `learn` that follows at once (`Network.step`), the
    /// SnAp-1 or diagonal update is left to it, which makes it in the same pass over the
    /// sensitivities as the gradient.
    ///
    /// - Returns: true when the update was left: the caller must then call
    ///   `learn(_:counting:snapUpdateOwed:)` with `snapUpdateOwed` before anything else.
    @discardableResult
    func feed(_ input: UnsafePointer<Double>?, deferringSnapUpdate: Bool = false) throws(RTRLError) -> Bool {
        if path == .exact && sensitivities.count != plan.sensitivityEntries {
            throw RTRLError(.outOfMemory, "feed: exact RTRL for this network needs \(plan.sensitivityEntries) sensitivity entries, more than a network may hold (\(Network.maxElements)); configure sensitivity snap1 or uoro")
        }
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
            if step.hasP && path == .exact { _updateSensitivity(step) }
        }
        var deferred = false
        switch path {
        case .exact: break
        case .exactDiagonal, .snap1:
            if deferringSnapUpdate { deferred = true } else { _snapUpdate() }
        case .uoro: _uoroUpdate()
        }
        let a = activation(program.steps[program.outputStep], delay: 0)
        let y = prediction
        for k in 0..<program.outputUnits.count { y[k] = a[program.outputUnits[k]] }
        stepCount &+= 1
        return deferred
    }

    /// Takes a new training configuration (already validated) and resets the optimizer
    /// state (including any covariance, back to I / p0) and the `updateEvery` count.
    /// A change of sensitivity path starts the new path's sensitivities at 0; the same
    /// path keeps them (they are network state, not optimizer state).
    ///
    /// Everything is checked and allocated before anything changes.
    ///
    /// - Throws: `invalidArgument` when an RLS readout does not fit the output layer;
    ///   `outOfMemory` when the covariances exceed `maxCovarianceEntries`, or the
    ///   sensitivities of the chosen path exceed what a network may hold.
    func configure(_ c: TrainingConfiguration) throws(RTRLError) {
        let second = try _secondOrderPlan(c)
        let newPath = SensitivityPath(c.sensitivity, diagonalExact: plan.diagonalExact)
        var newSensitivities = sensitivities, newProductScratch = productScratch
        var newApproximate = approximate
        var newSupport = gradientSupport
        if newPath != path || (newPath == .exact && sensitivities.count != plan.sensitivityEntries) {
            newSensitivities = .empty
            newProductScratch = .empty
            newApproximate = nil
            newSupport = nil
            switch newPath {
            case .exact:
                guard plan.sensitivityEntries <= Network.maxElements - baseElements - scratchLayout.productCount else {
                    throw RTRLError(.outOfMemory, "configure: exact RTRL for this network needs \(plan.sensitivityEntries) sensitivity entries, more than a network may hold (\(Network.maxElements)); use sensitivity snap1 or uoro")
                }
                newSensitivities = _Buffer(count: plan.sensitivityEntries)
                newProductScratch = _Buffer(count: scratchLayout.productCount)
            case .exactDiagonal, .snap1:
                let ap = _ApproximateState(self, path: newPath)
                newApproximate = ap
                newSupport = _GradientSupport(program, ap, numParams: numParams, everywhere: true)
            case .uoro:
                newApproximate = _ApproximateState(self, path: newPath)
            }
        }
        let so = second.map {
            _SecondOrderState<S>(groups: $0.groups, numParams: numParams, numRows: topo.numOutputs,
                                 readoutEdges: $0.readoutEdges, readoutSize: $0.readoutSize, p0: c.p0)
        }
        secondOrder = so
        config = c
        path = newPath
        sensitivities = newSensitivities
        productScratch = newProductScratch
        approximate = newApproximate
        gradientSupport = newSupport
        moment1 = c.optimizer == .momentum || c.optimizer == .adam ? _Buffer(count: numParams) : .empty
        moment2 = c.optimizer == .adam ? _Buffer(count: numParams) : .empty
        adamSteps = 0
        learnCount = 0
    }

    /// An independent copy of the whole learner, made by copying every buffer (no
    /// parsing, so it cannot fail).
    func clone() -> _Engine<S> {
        let e = _Engine(topology: topo, plan: plan, seed: 0, maxElements: 0)
        e.theta.update(from: theta, count: max(numParams, 1))
        e.fixed.update(from: fixed, count: max(topo.numFixed, 1))
        e.grad.update(from: grad, count: max(numParams, 1))
        e.state.update(from: state, count: max(layout.count, 1))
        e.config = config
        e.path = path
        e.moment1 = moment1.clone()
        e.moment2 = moment2.clone()
        e.sensitivities = sensitivities.clone()
        e.productScratch = _Buffer(count: productScratch.count)
        e.approximate = approximate.map { $0.clone(for: e) }
        if let support = gradientSupport, let ap = e.approximate {
            let s = _GradientSupport(e.program, ap, numParams: numParams, everywhere: true)
            s.copy(from: support)
            e.gradientSupport = s
        }
        e.secondOrder = secondOrder.map { $0.clone() }
        e.adamSteps = adamSteps
        e.learnCount = learnCount
        e.stepCount = stepCount
        e.refusedUpdates = refusedUpdates
        e.phase = phase
        e.rng = rng
        return e
    }

    /// Clears the gradient buffer: the runs its support says may be non-zero, or all of it.
    ///
    /// - Complexity: O(N), or O(the support) on the per-parameter paths.
    func _clearGradient() {
        if let support = gradientSupport {
            let g = grad
            support.forEachRun(numParams: numParams) { start, count in (g + start).update(repeating: 0, count: count) }
            support.cleared()
        } else {
            grad.update(repeating: 0, count: numParams)
        }
    }

    /// Clears the sensitivities only (both buffers; every path), keeping activations: the
    /// recursion starts again as at t0. Used when they overflowed.
    func _clearSensitivities() {
        sensitivities.zero()
        approximate?.zero()
    }

    /// Clears activations, remembered inputs, derivatives, the prediction and every
    /// sensitivity; weights, the gradient buffer and optimizer state stay.
    func resetState() {
        state.update(repeating: 0, count: layout.count)
        sensitivities.zero()
        approximate?.zero()
    }
}

/// How an engine keeps its sensitivities (the resolved form of `SensitivityMode`).
public enum SensitivityPath: String, Sendable, CaseIterable {
    init(_ mode: SensitivityMode, diagonalExact: Bool) {
        switch mode {
        case .exact: self = diagonalExact ? .exactDiagonal : .exact
        case .snap1: self = .snap1
        case .uoro: self = .uoro
        }
    }

    /// Exact RTRL with the sensitivity matrices P_L.
    case exact
    /// Exact RTRL with one sensitivity per parameter: the graph's recurrence is diagonal.
    case exactDiagonal = "exact-diagonal"
    /// SnAp-1: one sensitivity per parameter, the unit it writes to (Menick et al. 2021).
    case snap1
    /// UORO: an unbiased rank-one estimate (Tallec & Ollivier 2018).
    case uoro
}

/// An owned, zero-initialised array of scalars (or none), aligned to a cache line.
///
/// The exact path's sensitivity matrices live here, and its product kernel reads and
/// writes them a whole vector register (64 bytes) at a time: a large `malloc` block
/// starts 16 bytes into a page, and then every such access straddles two cache lines
/// (about 12 % of the n = 32 step on AVX-512).
final class _Buffer<S: _Scalar> {
    let base: UnsafeMutablePointer<S>
    let count: Int

    /// The alignment of `base`, in bytes.
    static var alignment: Int { 64 }

    init(count: Int) {
        self.count = count
        base = UnsafeMutableRawPointer
            .allocate(byteCount: max(count, 1) * MemoryLayout<S>.stride, alignment: Self.alignment)
            .bindMemory(to: S.self, capacity: max(count, 1))
        base.initialize(repeating: 0, count: max(count, 1))
    }

    static var empty: _Buffer<S> { _Buffer(count: 0) }

    /// An independent copy.
    func clone() -> _Buffer<S> {
        let c = _Buffer(count: count)
        c.base.update(from: base, count: count)
        return c
    }

    func zero() { base.update(repeating: 0, count: count) }

    deinit { UnsafeMutableRawPointer(base).deallocate() }
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
    /// Per layer: P_L in one of two buffers (for layers that keep one), as offsets into
    /// the separate sensitivity storage.
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
        count = at
        var p0 = 0
        for (l, p) in zip(topo.layers, plan.layers) {
            if p.hasP {
                sensitivity.append([p0, p0 + l.size * p.cols])
                p0 += 2 * l.size * p.cols
            } else {
                sensitivity.append([0, 0])
            }
        }
    }
}

/// Scratch space for one step; never part of the state.
struct _ScratchLayout: Sendable {
    /// z_L(t) of the layer being computed.
    var z = 0
    /// The size of the exact path's product scratch, D W (or J W) of the connection being
    /// multiplied or D w for a row scaling: allocated with the exact sensitivities.
    var productCount = 0
    /// Softmax: r = a^T W.
    var softmaxRow = 0
    /// dE/dy for the output units.
    var delta = 0
    /// Per-unit scratch of the layer at hand: SnAp-1's recurrent coefficient c (also
    /// UORO's tangent), the diagonal of the softmax Jacobian, and u_L = D_L^T e_L.
    var coefficient = 0
    var unitDerivative = 0
    var unitError = 0
    /// Per layer: the back-propagated error within a step (vector–Jacobian products).
    var error: [Int] = []
    /// Per layer: the errors v_L(t), v_L(t-1) that meet its sensitivities (only the
    /// second is used: e_L(t) lives in `error`).
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
        productCount = maxProduct
        softmaxRow = take(max(maxLayer, topo.inputs))
        delta = take(topo.numOutputs)
        coefficient = take(maxLayer)
        unitDerivative = take(maxLayer)
        unitError = take(maxLayer)
        for l in topo.layers.indices {
            error.append(take(topo.layers[l].size))
            vjp.append([take(topo.layers[l].size), take(topo.layers[l].size)])
        }
        count = at
    }
}
