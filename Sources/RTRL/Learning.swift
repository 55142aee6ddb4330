extension _Engine {
    /// One learning step on the current step's prediction: E(t), its gradient added to
    /// the buffer, teacher forcing if configured; with `counting`, every
    /// `updateEvery`-th call also applies the optimizer.
    ///
    /// If E(t) is not finite the divergence guard refuses the step: nothing is added,
    /// the refusal is counted and `diverged` is thrown.
    func learn(_ t: UnsafePointer<Double>, counting: Bool) throws(RTRLError) -> Double {
        let e = _lossAndOutputError(target: t)
        if !e.isFinite && config.divergenceGuard {
            refusedUpdates &+= 1
            throw RTRLError(.diverged, "update refused: the loss E(t) is not finite (\(e)); nothing was learned from this step")
        }
        if counting && config.optimizer.isKalman, let so = secondOrder {
            try _kalmanUpdate(target: t, state: so)
            if config.teacherForcing { _forceTargets(t) }
            return e
        }
        _addGradient(target: t)
        if let so = secondOrder, config.readout == .rls {
            _maskReadoutGradient(so)
            if counting { try _rlsReadoutUpdate(target: t, state: so) }
        }
        if config.teacherForcing { _forceTargets(t) }
        if counting {
            learnCount += 1
            if learnCount >= config.updateEvery { try _applyOptimizer() }
        }
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
