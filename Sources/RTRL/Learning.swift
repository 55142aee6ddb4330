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
        _addGradient(target: t)
        if config.teacherForcing { _forceTargets(t) }
        if counting {
            learnCount += 1
            if learnCount >= config.updateEvery { try _applyOptimizer() }
        }
        return e
    }

    /// Applies the optimizer to the buffer now and restarts the `updateEvery` count.
    func apply() throws(RTRLError) {
        try _applyOptimizer()
    }
}
