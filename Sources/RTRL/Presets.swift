extension Network {
    /// The Williams–Zipser fully recurrent network: one layer `units` (with bias) that
    /// sees x(t) and its own activations of the previous step; the outputs are units
    /// 0..<outputs.
    ///
    /// Blocks, in flat order: `input->units`, `units->units` (delay 1), `units.bias`.
    public static func fullyRecurrent(
        inputs: Int, units: Int, outputs: Int, activation: Activation = .tanh,
        seed: UInt64 = 0, precision: Precision = .f64
    ) throws(RTRLError) -> Network {
        guard outputs >= 1 && outputs <= units else {
            throw .invalid("fully_recurrent: n_outputs must be in 1...n_units (\(units)), got \(outputs)")
        }
        var b = try NetworkBuilder(inputs: inputs)
        try b.addLayer("units", size: units, activation: activation, bias: true)
        try b.connect(from: inputLayerName, to: "units")
        try b.connect(from: "units", to: "units", delay: 1)
        try b.setOutput(layer: "units", units: Array(0..<outputs))
        return try b.build(seed: seed, precision: precision)
    }

    /// Elman's simple recurrent network: `hidden` (with bias) sees x(t) and its own
    /// previous activations; `output` (with bias) reads `hidden`.
    ///
    /// Blocks, in flat order: `input->hidden`, `hidden->hidden` (delay 1), `hidden.bias`,
    /// `hidden->output`, `output.bias`.
    public static func elman(
        inputs: Int, hidden: Int, outputs: Int,
        hiddenActivation: Activation = .tanh, outputActivation: Activation = .identity,
        seed: UInt64 = 0, precision: Precision = .f64
    ) throws(RTRLError) -> Network {
        var b = try NetworkBuilder(inputs: inputs)
        try b.addLayer("hidden", size: hidden, activation: hiddenActivation, bias: true)
        try b.addLayer("output", size: outputs, activation: outputActivation, bias: true)
        try b.connect(from: inputLayerName, to: "hidden")
        try b.connect(from: "hidden", to: "hidden", delay: 1)
        try b.connect(from: "hidden", to: "output")
        try b.setOutput(layer: "output")
        return try b.build(seed: seed, precision: precision)
    }

    /// Jordan's network: a `state` layer (identity, no bias) keeps
    /// s(t) = mu s(t-1) + y(t-1) through two fixed delay-1 connections; `hidden` (with
    /// bias) sees x(t) and s(t); `output` (with bias) reads `hidden`.
    ///
    /// Trainable blocks, in flat order: `input->hidden`, `state->hidden`, `hidden.bias`,
    /// `hidden->output`, `output.bias`. Fixed: `state->state` (diagonal, every entry mu,
    /// delay 1) and `output->state` (identity, 1.0, delay 1).
    public static func jordan(
        inputs: Int, hidden: Int, outputs: Int, mu: Double = 0.5,
        hiddenActivation: Activation = .tanh, outputActivation: Activation = .identity,
        seed: UInt64 = 0, precision: Precision = .f64
    ) throws(RTRLError) -> Network {
        guard mu.isFinite else { throw .invalid("jordan: mu must be finite, got \(mu)") }
        var b = try NetworkBuilder(inputs: inputs)
        try b.addLayer("state", size: outputs, activation: .identity, bias: false)
        try b.addLayer("hidden", size: hidden, activation: hiddenActivation, bias: true)
        try b.addLayer("output", size: outputs, activation: outputActivation, bias: true)
        try b.connect(from: inputLayerName, to: "hidden")
        try b.connect(from: "state", to: "hidden")
        try b.connect(from: "hidden", to: "output")
        try b.connect(from: "state", to: "state", delay: 1, kind: .diagonal, trainable: false, scale: mu)
        try b.connect(from: "output", to: "state", delay: 1, kind: .identity, trainable: false, scale: 1.0)
        try b.setOutput(layer: "output")
        return try b.build(seed: seed, precision: precision)
    }
}
