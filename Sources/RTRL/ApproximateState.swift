/// The sensitivities of the O(N) paths: one per parameter (SnAp-1, and exact RTRL on
/// graphs whose recurrence is diagonal) or UORO's rank-one factors. Allocated by
/// `configure` (or at creation for a diagonal graph); saved with the learner.
final class _ApproximateState<S: _Scalar> {
    let path: SensitivityPath
    /// SnAp-1 / diagonal: s_j = d a_{i(j)} / d theta_j for the parameters j whose unit can
    /// get an error, stored as `perParameterLayout` says; two buffers when a layer without
    /// P reads one with P through a delay-1 connection, else one.
    let perParameter: _Buffer<S>
    let perParameterBuffers: Int
    /// Which s_j are kept, and where (SnAp-1 / diagonal only).
    let perParameterLayout: _PerParameterLayout?
    /// UORO: u (one entry per unit of the layers with P) and v (N), two buffers each.
    let u: _Buffer<S>
    let v: _Buffer<S>
    /// UORO scratch: nu^T I_t (N) and the random signs nu.
    let w: _Buffer<S>
    let signs: _Buffer<S>
    /// UORO: the number of units of the layers with P, and each such layer's first unit
    /// in u (by creation index; -1 for layers without P).
    let stateSize: Int
    let unitOffset: UnsafeMutableBufferPointer<Int>

    init(_ engine: _Engine<S>, path: SensitivityPath) {
        self.path = path
        let n = engine.numParams
        var offsets = [Int](repeating: -1, count: engine.topo.layers.count)
        var units = 0
        for (l, p) in engine.plan.layers.enumerated() where !p.pFree {
            offsets[l] = units
            units += engine.topo.layers[l].size
        }
        stateSize = units
        let buffer = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(offsets.count, 1))
        _ = buffer.initialize(from: offsets)
        unitOffset = buffer
        switch path {
        case .exactDiagonal, .snap1:
            let layout = _PerParameterLayout(engine.program, layerSizes: engine.topo.layers.map(\.size),
                                             unitOffset: buffer, units: units)
            perParameterLayout = layout
            perParameterBuffers = engine.plan.previousSensitivityRead ? 2 : 1
            perParameter = _Buffer(count: perParameterBuffers * layout.entries)
            u = .empty; v = .empty; w = .empty; signs = .empty
        case .uoro:
            perParameterBuffers = 0
            perParameter = .empty
            perParameterLayout = nil
            u = _Buffer(count: 2 * units)
            v = _Buffer(count: 2 * n)
            w = _Buffer(count: n)
            signs = _Buffer(count: units)
        case .exact:
            perParameterBuffers = 0
            perParameter = .empty
            perParameterLayout = nil
            u = .empty; v = .empty; w = .empty; signs = .empty
        }
    }

    deinit { unitOffset.baseAddress?.deallocate() }

    /// A copy of the saved quantities for another engine of the same network.
    func clone(for engine: _Engine<S>) -> _ApproximateState<S> {
        let c = _ApproximateState(engine, path: path)
        c.perParameter.base.update(from: perParameter.base, count: perParameter.count)
        c.u.base.update(from: u.base, count: u.count)
        c.v.base.update(from: v.base, count: v.count)
        return c
    }

    /// Every saved quantity back to 0 (a new sequence).
    func zero() {
        perParameter.zero()
        u.zero()
        v.zero()
    }

    /// The number of scalars it holds (saved and scratch), its index counted in scalars.
    var count: Int {
        perParameter.count + u.count + v.count + w.count + signs.count
            + ((perParameterLayout?.bytes ?? 0) + MemoryLayout<S>.size - 1) / MemoryLayout<S>.size
    }

    /// The ranks of `layer`'s units among its kept ones (``_PerParameterLayout/rank``).
    @inline(__always) func rank(layer: Int) -> UnsafeMutablePointer<Int32> {
        perParameterLayout!.rank.baseAddress! + unitOffset[layer]
    }

    /// s(t - delay) for the engine's current phase (in `perParameterLayout`'s order).
    @inline(__always) func perParameter(phase: Int, delay: Int) -> UnsafeMutablePointer<S> {
        perParameterBuffers == 2 && (phase ^ delay) == 1 ? perParameter.base + perParameterLayout!.entries : perParameter.base
    }

    /// Writes buffer `k` of the per-parameter sensitivities as a vector of N (0 where none
    /// is kept) into `full`, or reads it back from there: the saved form.
    func expand(buffer k: Int, into full: UnsafeMutablePointer<S>, numParams n: Int, _ program: _StepProgram<S>) {
        full.update(repeating: 0, count: n)
        guard let layout = perParameterLayout else { return }
        let s = perParameter.base + k * layout.entries
        layout.forEachRun(program, unitOffset: unitOffset) { p, at, count in (full + p).update(from: s + at, count: count) }
    }
    func gather(buffer k: Int, from full: UnsafePointer<S>, _ program: _StepProgram<S>) {
        guard let layout = perParameterLayout else { return }
        let s = perParameter.base + k * layout.entries
        layout.forEachRun(program, unitOffset: unitOffset) { p, at, count in (s + at).update(from: full + p, count: count) }
    }
    /// u(t - delay) and v(t - delay) for the engine's current phase.
    @inline(__always) func u(phase: Int, delay: Int) -> UnsafeMutablePointer<S> {
        u.base + ((phase ^ delay) == 0 ? 0 : stateSize)
    }
    @inline(__always) func v(phase: Int, delay: Int, numParams n: Int) -> UnsafeMutablePointer<S> {
        v.base + ((phase ^ delay) == 0 ? 0 : n)
    }
}
