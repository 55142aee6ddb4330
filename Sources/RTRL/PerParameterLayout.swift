/// Which per-parameter sensitivities the SnAp-1 and diagonal paths keep, and where.
///
/// On those paths the gradient of a parameter j writing to unit i of a layer with
/// sensitivities is e_i s_j (``_Engine/_addPerParameterGradient(_:error:sensitivities:into:marking:)``),
/// and s_j's own update reads only s_j. So s_j is needed only if unit i can ever have an
/// error e_i (or, with two buffers, an error v_i through a delay-1 connection): if it can
/// be reached backwards within a step from an output unit, along delay-0 connections and
/// the delay-1 connections into layers without sensitivities — the paths
/// ``_Engine/_backpropagate(into:updatingSensitivities:seed:)`` takes. The others are never read. In a fully
/// recurrent network only the output units are reached (the rest reach the loss only
/// through the recurrence, which these paths drop), so of its n rows of W only the
/// output units' are kept; in Elman's network every hidden unit is reached through the
/// output layer and all are kept.
///
/// The kept values are stored compactly: for each layer with sensitivities in evaluation
/// order, each of its trainable blocks (dense: one row of the block per kept unit;
/// diagonal and bias: one value per kept unit). Saved learners hold the full vector of N
/// (0 where nothing is kept), so the saved form does not depend on this layout.
///
/// Derived from the step program; holds no state of its own.
final class _PerParameterLayout {
    /// Per unit of the layers with sensitivities (by ``_ApproximateState/unitOffset``):
    /// its rank among its layer's kept units, or -1 if it never gets an error.
    let rank: UnsafeMutableBufferPointer<Int32>
    /// Per edge: the first stored value of its block, or -1 (not stored).
    let edgeBase: UnsafeMutableBufferPointer<Int>
    /// Per layer (by creation index): the first stored value of its bias, or -1.
    let biasBase: UnsafeMutableBufferPointer<Int>
    /// The values kept per buffer.
    let entries: Int

    init<S: _Scalar>(_ program: _StepProgram<S>, layerSizes: [Int], unitOffset: UnsafeMutableBufferPointer<Int>,
                     units: Int) {
        // Which units can have an error e (within the step) or v (through delay 1).
        var e = layerSizes.map { [Bool](repeating: false, count: $0) }
        var v = e
        let outputLayer = program.steps[program.outputStep].layer
        for k in 0..<program.outputUnits.count { e[outputLayer][program.outputUnits[k]] = true }
        for position in stride(from: program.steps.count - 1, through: 0, by: -1) {
            let step = program.steps[position]
            let l = step.layer
            guard e[l].contains(true) else { continue }
            // u_L = D_L^T e_L: the same units, all of them for softmax.
            let u = step.activation == .softmax ? [Bool](repeating: true, count: step.size) : e[l]
            for q in step.edges {
                let edge = program.edges[q]
                guard edge.source >= 0 && (edge.delay == 0 || step.pFree) else { continue }
                let s = edge.source
                for i in 0..<layerSizes[s] {
                    let reached = edge.kind == .dense ? true : u[i]
                    if !reached { continue }
                    if edge.delay == 0 { e[s][i] = true } else { v[s][i] = true }
                }
            }
        }
        var rank = [Int32](repeating: -1, count: max(units, 1))
        var kept = [Int](repeating: 0, count: layerSizes.count)
        for step in program.steps where !step.pFree {
            let l = step.layer, at = unitOffset[l]
            for i in 0..<step.size where e[l][i] || v[l][i] {
                rank[at + i] = Int32(kept[l])
                kept[l] += 1
            }
        }
        var edgeBase = [Int](repeating: -1, count: max(program.edges.count, 1))
        var biasBase = [Int](repeating: -1, count: max(layerSizes.count, 1))
        var at = 0
        for step in program.steps where !step.pFree {
            let count = kept[step.layer]
            for q in step.edges {
                let edge = program.edges[q]
                guard edge.paramOffset >= 0 else { continue }
                edgeBase[q] = at
                at += count * (edge.kind == .dense ? edge.sourceSize : 1)
            }
            if step.biasOffset >= 0 {
                biasBase[step.layer] = at
                at += count
            }
        }
        entries = at
        self.rank = .allocate(capacity: rank.count)
        _ = self.rank.initialize(from: rank)
        self.edgeBase = .allocate(capacity: edgeBase.count)
        _ = self.edgeBase.initialize(from: edgeBase)
        self.biasBase = .allocate(capacity: biasBase.count)
        _ = self.biasBase.initialize(from: biasBase)
    }

    deinit {
        rank.deallocate()
        edgeBase.deallocate()
        biasBase.deallocate()
    }

    /// The bytes of the index (for the network's memory figure).
    var bytes: Int {
        rank.count * MemoryLayout<Int32>.stride + (edgeBase.count + biasBase.count) * MemoryLayout<Int>.stride
    }

    /// Calls `body(parameter, stored, count)` for every run of kept values: parameters
    /// parameter..<parameter + count of the flat vector are stored at stored..<stored + count.
    ///
    /// - Complexity: O(units of the layers with P x their blocks).
    func forEachRun<S: _Scalar>(_ program: _StepProgram<S>, unitOffset: UnsafeMutableBufferPointer<Int>,
                                _ body: (Int, Int, Int) -> Void) {
        for step in program.steps where !step.pFree {
            let r = rank.baseAddress! + unitOffset[step.layer]
            for q in step.edges {
                let edge = program.edges[q]
                guard edge.paramOffset >= 0 else { continue }
                let width = edge.kind == .dense ? edge.sourceSize : 1
                for i in 0..<step.size where r[i] >= 0 {
                    body(edge.paramOffset + i * width, edgeBase[q] + Int(r[i]) * width, width)
                }
            }
            if step.biasOffset >= 0 {
                for i in 0..<step.size where r[i] >= 0 { body(step.biasOffset + i, biasBase[step.layer] + Int(r[i]), 1) }
            }
        }
    }
}
