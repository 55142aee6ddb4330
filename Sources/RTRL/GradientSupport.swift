/// Where the gradient buffer can be non-zero, on the per-parameter paths (SnAp-1 and
/// exact diagonal RTRL).
///
/// There the gradient of a dense weight W[i, j] of a layer with sensitivities is
/// e_i s_ij: a row of W gets a gradient only at a step whose error e_i at its unit is
/// non-zero. In a fully recurrent network with k output units that is k rows of n, so an
/// optimizer pass over all N parameters would be almost all zeros. The support records,
/// per unit of those layers, whether its rows were written since the buffer was last
/// cleared; every other parameter (biases, diagonal blocks, the layers without
/// sensitivities) is always in the support. Applying SGD and clearing the buffer then
/// cost O(rows written x row length + the rest) instead of O(N), with the same bits:
/// an entry outside the support is +0, and theta - eta * (+0) is theta.
///
/// Derived from the step program; its only state is which rows are written.
final class _GradientSupport {
    /// A layer's dense trainable block: `rows` rows of `rowLength` parameters from
    /// `offset`, row i written when the layer's unit i (flag `flagBase + i`) is set.
    struct DenseBlock {
        var offset: Int
        var rowLength: Int
        var rows: Int
        var flagBase: Int
    }

    let blocks: UnsafeMutableBufferPointer<DenseBlock>
    /// The parameters outside every dense block, always in the support.
    let always: UnsafeMutableBufferPointer<Range<Int>>
    /// One flag per unit of the layers with sensitivities, at the unit's index in
    /// ``_ApproximateState/unitOffset``: 1 if its rows may be non-zero.
    let flags: UnsafeMutableBufferPointer<UInt8>
    /// True when the buffer may be non-zero anywhere (after a load, a copy of another
    /// buffer or a change of path): the next clear is a full one.
    var everywhere: Bool

    /// The support of the per-parameter path whose sensitivity state is `state`, for a
    /// buffer of `numParams` that is zero (`everywhere` false) or may hold anything
    /// (`everywhere` true).
    init<S: _Scalar>(_ program: _StepProgram<S>, _ state: _ApproximateState<S>, numParams: Int, everywhere: Bool) {
        var blocks: [DenseBlock] = []
        for step in program.steps where !step.pFree {
            for q in step.edges {
                let e = program.edges[q]
                guard e.paramOffset >= 0 && e.kind == .dense && e.sourceSize > 0 && step.size > 0 else { continue }
                blocks.append(DenseBlock(offset: e.paramOffset, rowLength: e.sourceSize, rows: step.size,
                                         flagBase: state.unitOffset[step.layer]))
            }
        }
        let units = state.stateSize
        blocks.sort { $0.offset < $1.offset }
        var rest: [Range<Int>] = []
        var at = 0
        for b in blocks {
            if b.offset > at { rest.append(at..<b.offset) }
            at = b.offset + b.rowLength * b.rows
        }
        if numParams > at { rest.append(at..<numParams) }
        self.blocks = .allocate(capacity: max(blocks.count, 1))
        _ = self.blocks.initialize(from: blocks)
        always = .allocate(capacity: max(rest.count, 1))
        _ = always.initialize(from: rest)
        flags = .allocate(capacity: max(units, 1))
        flags.initialize(repeating: 0)
        blockCount = blocks.count
        alwaysCount = rest.count
        unitCount = units
        self.everywhere = everywhere
    }

    private let blockCount: Int
    private let alwaysCount: Int
    private let unitCount: Int

    deinit {
        blocks.deallocate()
        always.deallocate()
        flags.deallocate()
    }

    /// The bytes it holds (for the network's memory figure).
    var bytes: Int {
        blockCount * MemoryLayout<DenseBlock>.stride + alwaysCount * MemoryLayout<Range<Int>>.stride
            + unitCount
    }

    /// Calls `body(start, count)` for every run of parameters that may be non-zero (all of
    /// them, as one run, when `everywhere`), each once, in no particular order.
    ///
    /// - Complexity: O(units of the layers with P + the parameters in the support).
    @inline(__always)
    func forEachRun(numParams: Int, _ body: (Int, Int) -> Void) {
        if everywhere {
            body(0, numParams)
            return
        }
        for r in 0..<alwaysCount { body(always[r].lowerBound, always[r].count) }
        for k in 0..<blockCount {
            let b = blocks[k]
            for i in 0..<b.rows where flags[b.flagBase + i] != 0 {
                body(b.offset + i * b.rowLength, b.rowLength)
            }
        }
    }

    /// After the buffer was cleared: no row written.
    func cleared() {
        flags.update(repeating: 0)
        everywhere = false
    }

    /// Takes `other`'s record (for a copy of its buffer).
    func copy(from other: _GradientSupport) {
        flags.baseAddress!.update(from: other.flags.baseAddress!, count: min(flags.count, other.flags.count))
        everywhere = other.everywhere
    }
}
