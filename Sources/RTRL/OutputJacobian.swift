extension _Engine {
    /// H(t) = d y(t) / d theta for the output units with a target: one row of N values per
    /// such unit, in the order of the outputs, written into `h` (row-major, stride N).
    ///
    /// A row is the unit's row of P_out mapped to flat columns when the output layer keeps
    /// a P; otherwise the vector–Jacobian product of a unit vector (one per row).
    ///
    /// - Returns: the number of rows written (|Theta(t)|).
    /// - Complexity: O(|Theta(t)| x N), plus one within-step back-propagation per row for
    ///   an output layer without P.
    func _outputJacobian(target t: UnsafePointer<Double>, into h: UnsafeMutablePointer<S>) -> Int {
        let n = numParams
        let out = program.steps[program.outputStep]
        let units = program.outputUnits
        var rows = 0
        for k in 0..<units.count where !t[k].isNaN {
            let row = h + rows * n
            row.update(repeating: 0, count: n)
            let u = units[k]
            if out.hasP {
                _addScaledRow(1, sensitivity(out, delay: 0) + u * out.cols, out.segments, into: row)
            } else if out.pFree {
                _backpropagateWithinStep(into: row) { eo in eo[u] = 1 }
            }
            rows += 1
        }
        return rows
    }
}
