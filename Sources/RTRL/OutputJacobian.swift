extension _Engine {
    /// H(t) = d y(t) / d theta for the output units with a target: one row of N values per
    /// such unit, in the order of the outputs, written into `h` (row-major, stride N).
    ///
    /// A row is the back-propagation of a unit vector (``_backpropagate(into:updatingSensitivities:seed:)``):
    /// the unit's row of P_out when the output layer keeps a P.
    ///
    /// - Returns: the number of rows written (|Theta(t)|).
    /// - Complexity: O(|Theta(t)| x N), plus one within-step back-propagation per row for
    ///   an output layer without P.
    func _outputJacobian(target t: UnsafePointer<Double>, into h: UnsafeMutablePointer<S>) -> Int {
        let n = numParams
            let units = program.outputUnits
        var rows = 0
        for k in 0..<units.count where !t[k].isNaN {
            let row = h + rows * n
            row.update(repeating: 0, count: n)
            let u = units[k]
            _backpropagate(into: row) { eo in eo[u] = 1 }
            rows += 1
        }
        return rows
    }
}
