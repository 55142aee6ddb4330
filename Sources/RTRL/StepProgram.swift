/// The per-step schedule of one network, compiled from its topology and sensitivity plan
/// into flat, reference-free records that the step loop reads without retaining or
/// copying anything.
///
/// Everything here is derived; nothing is part of the saved state.
struct _Edge<S: _Scalar> {
    /// The source layer, or -1 for `input`.
    var source: Int
    var delay: Int
    var kind: ConnectionKind
    var sourceSize: Int
    /// The block's values (nil for identity connections and empty blocks).
    var weights: UnsafeMutablePointer<S>?
    /// The copy factor of an identity connection.
    var scale: S
    /// Offset of the block in the flat vector if it is trainable, else -1.
    var paramOffset: Int
    /// Column of the block's first parameter in the target layer's P (if it keeps one
    /// and the block is trainable), else -1.
    var localColumn: Int
    /// Pieces of W P_S for this edge (into `_StepProgram.pieces`), if the source keeps a P.
    var pieces: Range<Int>
    /// The source keeps no P and gets the error within the step (VJP into `error`).
    var sourcePFree: Bool
    /// The source keeps a P (the VJP meets it through `vjp`).
    var sourceHasP: Bool
}

/// One layer's work in a step.
struct _LayerStep<S: _Scalar> {
    var layer: Int
    var size: Int
    var activation: Activation
    var bias: UnsafeMutablePointer<S>?
    /// Offset of the bias in the flat vector, else -1.
    var biasOffset: Int
    /// Column of the bias's first entry in this layer's P, else -1.
    var biasLocalColumn: Int
    /// The incoming connections, in creation order (into `_StepProgram.edges`).
    var edges: Range<Int>
    var hasP: Bool
    var pFree: Bool
    /// Its P(t-1) is read by a delay-1 connection.
    var delay1Source: Bool
    var cols: Int
    /// Column runs of P no product writes (into `_StepProgram.zeroRuns`).
    var zeroRuns: Range<Int>
    /// Column segments of P (into `_StepProgram.segments`).
    var segments: Range<Int>
    /// State offsets, each in two buffers (step t and t - 1): a_L, phi'(z_L), P_L.
    var activationOffset: (Int, Int)
    var derivativeOffset: (Int, Int)
    var sensitivityOffset: (Int, Int)
    /// Scratch offsets: the VJP error of this layer and its v(t), v(t-1).
    var errorOffset: Int
    var vjpOffset: (Int, Int)
}

final class _StepProgram<S: _Scalar> {
    /// The layers in evaluation order.
    let steps: UnsafeMutableBufferPointer<_LayerStep<S>>
    /// Position in `steps` of each layer (by creation index).
    let stepOfLayer: UnsafeMutableBufferPointer<Int>
    let edges: UnsafeMutableBufferPointer<_Edge<S>>
    let pieces: UnsafeMutableBufferPointer<_SensitivityPlan.Piece>
    let zeroRuns: UnsafeMutableBufferPointer<Range<Int>>
    let segments: UnsafeMutableBufferPointer<_SensitivityPlan.Segment>
    /// The output units (indices into the output layer).
    let outputUnits: UnsafeMutableBufferPointer<Int>
    /// Position in `steps` of the output layer.
    let outputStep: Int

    init(_ topo: _Topology, _ plan: _SensitivityPlan, _ layout: _StateLayout, _ scratch: _ScratchLayout,
         theta: UnsafeMutablePointer<S>, fixed: UnsafeMutablePointer<S>) {
        var steps: [_LayerStep<S>] = []
        var edges: [_Edge<S>] = []
        var pieces: [_SensitivityPlan.Piece] = []
        var zero: [Range<Int>] = []
        var segments: [_SensitivityPlan.Segment] = []
        var stepOf = [Int](repeating: 0, count: topo.layers.count)
        for l in topo.order {
            let lp = plan.layers[l]
            let spec = topo.layers[l]
            let e0 = edges.count
            for c in topo.incoming[l] {
                let cs = topo.connections[c]
                let s = topo.source[c]
                var weights: UnsafeMutablePointer<S>? = nil
                var paramOffset = -1, local = -1
                if let bi = topo.connectionBlock[c] {
                    let b = topo.blocks[bi]
                    weights = (b.trainable ? theta : fixed) + b.offset
                    if b.trainable {
                        paramOffset = b.offset
                        if lp.hasP { local = plan.local(layer: l, global: b.offset) }
                    }
                }
                let p0 = pieces.count
                if let product = lp.products.first(where: { $0.connection == c }) {
                    pieces.append(contentsOf: product.pieces)
                }
                edges.append(_Edge(
                    source: s, delay: cs.delay, kind: cs.kind, sourceSize: topo.size(ofSource: s),
                    weights: weights, scale: S(cs.scale), paramOffset: paramOffset, localColumn: local,
                    pieces: p0..<pieces.count,
                    sourcePFree: s >= 0 && plan.layers[s].pFree,
                    sourceHasP: s >= 0 && plan.layers[s].hasP))
            }
            var bias: UnsafeMutablePointer<S>? = nil
            var biasOffset = -1, biasLocal = -1
            if let bi = topo.biasBlock[l] {
                biasOffset = topo.blocks[bi].offset
                bias = theta + biasOffset
                if lp.hasP { biasLocal = plan.local(layer: l, global: biasOffset) }
            }
            let z0 = zero.count
            zero.append(contentsOf: lp.zeroRuns)
            let s0 = segments.count
            segments.append(contentsOf: lp.segments)
            stepOf[l] = steps.count
            steps.append(_LayerStep(
                layer: l, size: spec.size, activation: spec.activation, bias: bias,
                biasOffset: biasOffset, biasLocalColumn: biasLocal, edges: e0..<edges.count,
                hasP: lp.hasP, pFree: lp.pFree, delay1Source: lp.delay1Source, cols: lp.cols,
                zeroRuns: z0..<zero.count, segments: s0..<segments.count,
                activationOffset: (layout.activation[l][0], layout.activation[l][1]),
                derivativeOffset: (layout.derivative[l][0], layout.derivative[l][1]),
                sensitivityOffset: (layout.sensitivity[l][0], layout.sensitivity[l][1]),
                errorOffset: scratch.error[l], vjpOffset: (scratch.vjp[l][0], scratch.vjp[l][1])))
        }
        func copy<T>(_ a: [T]) -> UnsafeMutableBufferPointer<T> {
            let p = UnsafeMutableBufferPointer<T>.allocate(capacity: max(a.count, 1))
            _ = p.initialize(from: a)
            return UnsafeMutableBufferPointer(rebasing: p[0..<a.count])
        }
        self.steps = copy(steps)
        self.stepOfLayer = copy(stepOf)
        self.edges = copy(edges)
        self.pieces = copy(pieces)
        self.zeroRuns = copy(zero)
        self.segments = copy(segments)
        self.outputUnits = copy(topo.outputUnits)
        self.outputStep = stepOf[topo.outputLayer]
    }

    deinit {
        steps.baseAddress?.deallocate()
        stepOfLayer.baseAddress?.deallocate()
        edges.baseAddress?.deallocate()
        pieces.baseAddress?.deallocate()
        zeroRuns.baseAddress?.deallocate()
        segments.baseAddress?.deallocate()
        outputUnits.baseAddress?.deallocate()
    }
}
