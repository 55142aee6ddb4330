extension _Engine {
    /// One learning step on the current step's prediction: E(t), its gradient added to
    /// the buffer, teacher forcing if configured; with `counting`, every
    /// `updateEvery`-th call also applies the optimizer.
    ///
    /// If E(t), or the output error dE/dy in the network's precision, is not finite the
    /// divergence guard refuses the step: nothing is added, nothing forced, the refusal is
    /// counted and `diverged` is thrown. (The second catches a target beyond an f32
    /// network's range, which teacher forcing would otherwise write into its state.)
    /// Once E(t) stands, teacher forcing follows the loss whatever becomes of the update:
    /// a refused optimizer, RLS-readout or Kalman update leaves the parameters, and the
    /// state carries on forced, as after an accepted one.
    ///
    /// `snapUpdateOwed`: `feed(_:deferringSnapUpdate:)` left the SnAp-1 or diagonal
    /// update to this call, which makes it on every path: with the gradient, or by itself
    /// where none is taken.
    func learn(_ t: UnsafePointer<Double>, counting: Bool, snapUpdateOwed: Bool = false) throws(RTRLError) -> Double {
        let e = _lossAndOutputError(target: t)
        if config.divergenceGuard {
            if !e.isFinite {
                if snapUpdateOwed { _snapUpdate() }
                refusedUpdates &+= 1
                throw RTRLError(.diverged, "update refused: the loss E(t) is not finite (\(e)); nothing was learned from this step")
            }
            if !_isFinite(scratch + scratchLayout.delta, topo.numOutputs) {
                if snapUpdateOwed { _snapUpdate() }
                refusedUpdates &+= 1
                throw RTRLError(.diverged, "update refused: the output error dE/dy is not finite in this network's precision (a target beyond its range?); nothing was learned from this step")
            }
        }
        defer { if config.teacherForcing { _forceTargets(t) } }
        if counting && config.optimizer.isKalman, let so = secondOrder {
            if snapUpdateOwed { _snapUpdate() }
            try _kalmanUpdate(target: t, state: so)
            return e
        }
        _addGradient(target: t, updatingSensitivities: snapUpdateOwed)
        // With an RLS readout, the step's update is the readout's and the optimizer's
        // together: the readout's is checked first and written last, so that a refusal
        // of either leaves every parameter as it was.
        var readout: _SecondOrderState<S>? = nil
        if let so = secondOrder, config.readout == .rls {
            _maskReadoutGradient(so)
            if counting {
                try _rlsReadoutPrepare(target: t, state: so)
                readout = so
            }
        }
        if counting {
            learnCount += 1
            if learnCount >= config.updateEvery { try _applyOptimizer() }
        }
        if let so = readout { _rlsReadoutCommit(target: t, state: so) }
        return e
    }

    /// Applies the optimizer to the buffer now and restarts the `updateEvery` count.
    ///
    /// - Throws: `invalidArgument` with the EKF and DEKF, which update inside `learn`.
    func apply() throws(RTRLError) {
        guard !config.optimizer.isKalman else {
            throw .invalid("apply: the \(config.optimizer.rawValue) optimizer updates inside learn; it has no gradient buffer to apply (use sgd, momentum or adam for accumulate + apply)")
        }
        try _applyOptimizer()
    }
}
