import RTRL

/// A parity scenario: a network, a training configuration and a run, read from a small
/// text file that the C test (Tests/c/scenario.c) reads too. One directive per line,
/// whitespace-separated, `#` starts a comment:
///
///     net fully_recurrent IN UNITS OUT ACT
///     net elman IN HIDDEN OUT HIDDEN_ACT OUTPUT_ACT
///     net jordan IN HIDDEN OUT MU HIDDEN_ACT OUTPUT_ACT
///     builder IN                                  (then layer / connect / output lines)
///     layer NAME SIZE ACT BIAS(0|1)
///     connect FROM TO DELAY KIND TRAINABLE(1|0|-1) SCALE
///     output LAYER [UNIT ...]
///     seed N
///     precision f64|f32
///     train OPTIMIZER LR MOMENTUM BETA1 BETA2 EPS CLIP LOSS TEACHER_FORCING UPDATE_EVERY GUARD
///     run learn STEPS GAP
///     run accumulate STEPS APPLY_EVERY GAP
///     data SEED
///
/// GAP > 0 makes the target of output unit k at step t NaN when (t + k) % GAP == 0.
struct Scenario {
    enum Architecture {
        case fullyRecurrent(inputs: Int, units: Int, outputs: Int, activation: Activation)
        case elman(inputs: Int, hidden: Int, outputs: Int, hiddenActivation: Activation, outputActivation: Activation)
        case jordan(inputs: Int, hidden: Int, outputs: Int, mu: Double, hiddenActivation: Activation, outputActivation: Activation)
        case builder(NetworkBuilder)
    }

    enum Mode {
        case learn
        case accumulate(applyEvery: Int)
    }

    var architecture: Architecture?
    var seed: UInt64 = 0
    var precision: Precision = .f64
    var configuration = TrainingConfiguration()
    var mode: Mode = .learn
    var steps = 0
    var gap = 0
    var dataSeed: UInt64 = 1

    struct ParseError: Error, CustomStringConvertible {
        var description: String
    }

    init(text: String) throws {
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            guard let directive = words.first else { continue }
            do {
                try apply(directive, Array(words.dropFirst()))
            } catch let e as ParseError {
                throw ParseError(description: "line \(number + 1): \(e.description)")
            }
        }
        guard architecture != nil else { throw ParseError(description: "no net or builder line") }
    }

    private mutating func apply(_ directive: String, _ w: [String]) throws {
        switch directive {
        case "net":
            guard let kind = w.first else { throw ParseError(description: "net needs a kind") }
            switch kind {
            case "fully_recurrent":
                architecture = .fullyRecurrent(inputs: try int(w, 1), units: try int(w, 2), outputs: try int(w, 3),
                                               activation: try activation(w, 4))
            case "elman":
                architecture = .elman(inputs: try int(w, 1), hidden: try int(w, 2), outputs: try int(w, 3),
                                      hiddenActivation: try activation(w, 4), outputActivation: try activation(w, 5))
            case "jordan":
                architecture = .jordan(inputs: try int(w, 1), hidden: try int(w, 2), outputs: try int(w, 3),
                                       mu: try double(w, 4), hiddenActivation: try activation(w, 5), outputActivation: try activation(w, 6))
            default:
                throw ParseError(description: "unknown net \(kind)")
            }
        case "builder":
            architecture = .builder(try NetworkBuilder(inputs: try int(w, 0)))
        case "layer", "connect", "output":
            guard case .builder(var b)? = architecture else { throw ParseError(description: "\(directive) before builder") }
            switch directive {
            case "layer":
                try b.addLayer(try word(w, 0), size: try int(w, 1), activation: try activation(w, 2), bias: try int(w, 3) != 0)
            case "connect":
                let t = try int(w, 4)
                guard let kind = ConnectionKind(rawValue: try word(w, 3)) else { throw ParseError(description: "unknown kind") }
                try b.connect(from: try word(w, 0), to: try word(w, 1), delay: try int(w, 2), kind: kind,
                              trainable: t < 0 ? nil : t != 0, scale: try double(w, 5))
            default:
                let units = try (1..<max(w.count, 1)).map { try int(w, $0) }
                try b.setOutput(layer: try word(w, 0), units: units.isEmpty ? nil : units)
            }
            architecture = .builder(b)
        case "seed":
            seed = try uint64(w, 0)
        case "precision":
            guard let p = Precision(rawValue: try word(w, 0)) else { throw ParseError(description: "unknown precision") }
            precision = p
        case "train":
            var c = TrainingConfiguration()
            guard let o = OptimizerKind(rawValue: try word(w, 0)) else { throw ParseError(description: "unknown optimizer") }
            c.optimizer = o
            c.learningRate = try double(w, 1)
            c.momentum = try double(w, 2)
            c.beta1 = try double(w, 3)
            c.beta2 = try double(w, 4)
            c.epsilon = try double(w, 5)
            let clip = try double(w, 6)
            c.clipNorm = clip == 0 ? nil : clip
            guard let l = LossFunction(rawValue: try word(w, 7)) else { throw ParseError(description: "unknown loss") }
            c.loss = l
            c.teacherForcing = try int(w, 8) != 0
            c.updateEvery = try int(w, 9)
            c.divergenceGuard = try int(w, 10) != 0
            configuration = c
        case "run":
            switch try word(w, 0) {
            case "learn":
                mode = .learn
                steps = try int(w, 1)
                gap = try int(w, 2)
            case "accumulate":
                steps = try int(w, 1)
                mode = .accumulate(applyEvery: try int(w, 2))
                gap = try int(w, 3)
            default:
                throw ParseError(description: "unknown run mode")
            }
        case "data":
            dataSeed = try uint64(w, 0)
        default:
            throw ParseError(description: "unknown directive \(directive)")
        }
    }

    private func word(_ w: [String], _ i: Int) throws -> String {
        guard i < w.count else { throw ParseError(description: "missing field \(i + 1)") }
        return w[i]
    }
    private func int(_ w: [String], _ i: Int) throws -> Int {
        guard let v = Int(try word(w, i)) else { throw ParseError(description: "field \(i + 1) is not an integer") }
        return v
    }
    private func uint64(_ w: [String], _ i: Int) throws -> UInt64 {
        guard let v = UInt64(try word(w, i)) else { throw ParseError(description: "field \(i + 1) is not an unsigned integer") }
        return v
    }
    private func double(_ w: [String], _ i: Int) throws -> Double {
        guard let v = Double(try word(w, i)) else { throw ParseError(description: "field \(i + 1) is not a number") }
        return v
    }
    private func activation(_ w: [String], _ i: Int) throws -> Activation {
        guard let a = Activation(rawValue: try word(w, i)) else { throw ParseError(description: "unknown activation") }
        return a
    }

    /// The network the scenario describes, initialised from its seed and precision.
    func makeNetwork() throws -> Network {
        switch architecture! {
        case let .fullyRecurrent(i, u, o, a):
            return try .fullyRecurrent(inputs: i, units: u, outputs: o, activation: a, seed: seed, precision: precision)
        case let .elman(i, h, o, ha, oa):
            return try .elman(inputs: i, hidden: h, outputs: o, hiddenActivation: ha, outputActivation: oa,
                              seed: seed, precision: precision)
        case let .jordan(i, h, o, mu, ha, oa):
            return try .jordan(inputs: i, hidden: h, outputs: o, mu: mu, hiddenActivation: ha, outputActivation: oa,
                               seed: seed, precision: precision)
        case let .builder(b):
            return try b.build(seed: seed, precision: precision)
        }
    }
}
