import RTRL

/// Small networks that exercise every per-parameter (SnAp-1 / exact diagonal) layout, shared
/// by the tests of the gradient's support and of the fused sensitivity update:
///
/// - "fully_recurrent": only the output units get an error; the other rows are not kept;
/// - "elman", "jordan": the presets (one sensitivity buffer, updated in place);
/// - "stacked": two layers with sensitivities, the lower one's error from the upper;
/// - "delayed_readout": a layer without P reads s(t-1): two sensitivity buffers;
/// - "diagonal": element-wise recurrence, the exact per-parameter path.
func perParameterGraph(_ name: String, _ precision: Precision) throws -> Network {
    switch name {
    case "fully_recurrent":
        return try Network.fullyRecurrent(inputs: 2, units: 7, outputs: 2, seed: 5, precision: precision)
    case "elman":
        return try Network.elman(inputs: 2, hidden: 6, outputs: 2, seed: 6, precision: precision)
    case "jordan":
        return try Network.jordan(inputs: 2, hidden: 5, outputs: 2, seed: 7, precision: precision)
    case "stacked":  // two layers with sensitivities; the lower one's error comes from the upper
        var b = try NetworkBuilder(inputs: 2)
        try b.addLayer("h1", size: 5, activation: .tanh)
        try b.addLayer("h2", size: 4, activation: .tanh)
        try b.addLayer("output", size: 2, activation: .identity)
        try b.connect(from: "input", to: "h1")
        try b.connect(from: "h1", to: "h1", delay: 1)
        try b.connect(from: "h1", to: "h2")
        try b.connect(from: "h2", to: "h2", delay: 1)
        try b.connect(from: "h2", to: "output")
        try b.setOutput(layer: "output")
        return try b.build(seed: 8, precision: precision)
    case "delayed_readout":  // a layer without P reads s(t-1): two sensitivity buffers
        var b = try NetworkBuilder(inputs: 2)
        try b.addLayer("hidden", size: 5, activation: .tanh)
        try b.addLayer("output", size: 2, activation: .identity)
        try b.connect(from: "input", to: "hidden")
        try b.connect(from: "hidden", to: "hidden", delay: 1)
        try b.connect(from: "hidden", to: "output", delay: 1)
        try b.setOutput(layer: "output")
        return try b.build(seed: 9, precision: precision)
    default:  // "diagonal": element-wise recurrence, the exact per-parameter path
        var b = try NetworkBuilder(inputs: 2)
        try b.addLayer("hidden", size: 5, activation: .tanh)
        try b.addLayer("output", size: 2, activation: .identity)
        try b.connect(from: "input", to: "hidden")
        try b.connect(from: "hidden", to: "hidden", delay: 1, kind: .diagonal, scale: 0.5)
        try b.connect(from: "hidden", to: "output")
        try b.setOutput(layer: "output")
        return try b.build(seed: 10, precision: precision)
    }
}
