import RTRL

extension StreamConfiguration {
    /// The keys of a configuration file: the long option names of `rtrl-stream` (an `_`
    /// may stand for a `-`).
    public static let configurationKeys: [String] = [
        "in", "in-pattern", "topic", "shard", "out", "out-pattern",
        "preset", "inputs", "hidden", "outputs", "mu", "seed", "precision",
        "hidden-activation", "output-activation",
        "optimizer", "learning-rate", "momentum", "beta1", "beta2", "eps", "clip-norm", "loss",
        "teacher-forcing", "update-every", "divergence-guard", "sensitivity",
        "ekf-r", "ekf-q", "p0", "readout", "rls-lambda", "max-covariance-entries", "forecast",
        "max-streams", "checkpoint-dir", "checkpoint-every", "stats-every",
        "max-message-size", "hwm", "linger",
        "curve-secret-key", "curve-allow", "curve-server-key",
    ]

    /// Reads a JSON configuration file and applies its settings on top of these (see
    /// ``apply(json:relativeTo:)``). Relative paths in the file are taken relative to
    /// the file's directory.
    public mutating func apply(configFile path: String) throws(StreamError) {
        let bytes: [UInt8]
        do {
            bytes = try AtomicFile.read(path, maxBytes: 1 << 20)
        } catch {
            throw StreamError(.io, "config file \(error.description)")
        }
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[...$0]) } ?? ""
        do {
            try apply(jsonBytes: bytes, relativeTo: dir)
        } catch {
            throw StreamError(error.code, "config file \(path): \(error.message)")
        }
    }

    /// Parses `bytes` as a JSON object and applies it (see ``apply(json:relativeTo:)``).
    public mutating func apply(jsonBytes bytes: [UInt8], relativeTo directory: String = "") throws(StreamError) {
        let r = bytes.withUnsafeBytes { b in Result { () throws(JSONParseError) -> JSONValue in try JSONParser.parse(b) } }
        let value: JSONValue
        switch r {
        case .success(let v): value = v
        case .failure(let e): throw .invalid("not valid JSON: \(e.description)")
        }
        guard case .object(let object) = value else { throw .invalid("the configuration must be a JSON object, not \(value.typeName)") }
        try apply(json: object, relativeTo: directory)
    }

    /// Applies the settings of a configuration object. Keys are the long option names
    /// (``configurationKeys``); numbers must be JSON numbers, integers exact integers,
    /// names strings; `topic` is a string or an array of strings; `shard` is `"I/N"`;
    /// `shard`, `clip-norm`,
    /// `checkpoint-dir`, the activations and the key files may be `null` (unset). An
    /// unknown key or a value of the wrong type is an error, and nothing is changed.
    /// Relative file and directory paths are resolved against `directory` (if not empty).
    public mutating func apply(json object: JSONObject, relativeTo directory: String = "") throws(StreamError) {
        var c = self
        for (rawKey, value) in object.members {
            let key = String(rawKey.map { $0 == "_" ? "-" : $0 })
            let r = _ConfigValue(key: key, value: value, directory: directory)
            switch key {
            case "in": c.inputEndpoint = try r.string()
            case "in-pattern": c.inputPattern = try r.choice(InputPattern.self)
            case "topic": c.topics = try r.strings()
            case "shard": c.shard = try r.optional { () throws(StreamError) in try StreamShard(parsing: r.string()) }
            case "out": c.outputEndpoint = try r.string()
            case "out-pattern": c.outputPattern = try r.choice(OutputPattern.self)
            case "preset": c.preset = try r.choice(Preset.self)
            case "inputs": c.inputs = try r.int()
            case "hidden": c.hidden = try r.int()
            case "outputs": c.outputs = try r.int()
            case "mu": c.mu = try r.double()
            case "seed": c.seed = try r.uint64()
            case "precision": c.precision = try r.choice(Precision.self)
            case "hidden-activation": c.hiddenActivation = try r.optional { () throws(StreamError) in try r.choice(Activation.self) }
            case "output-activation": c.outputActivation = try r.optional { () throws(StreamError) in try r.choice(Activation.self) }
            case "optimizer": c.training.optimizer = try r.choice(OptimizerKind.self)
            case "learning-rate": c.training.learningRate = try r.double()
            case "momentum": c.training.momentum = try r.double()
            case "beta1": c.training.beta1 = try r.double()
            case "beta2": c.training.beta2 = try r.double()
            case "eps": c.training.epsilon = try r.double()
            case "clip-norm": c.training.clipNorm = try r.optional { () throws(StreamError) in try r.double() }
            case "loss": c.training.loss = try r.choice(LossFunction.self)
            case "teacher-forcing": c.training.teacherForcing = try r.bool()
            case "update-every": c.training.updateEvery = try r.int()
            case "divergence-guard": c.training.divergenceGuard = try r.bool()
            case "sensitivity": c.training.sensitivity = try r.choice(SensitivityMode.self)
            case "ekf-r": c.training.ekfR = try r.double()
            case "ekf-q": c.training.ekfQ = try r.double()
            case "p0": c.training.p0 = try r.double()
            case "readout": c.training.readout = try r.choice(Readout.self)
            case "rls-lambda": c.training.rlsLambda = try r.double()
            case "max-covariance-entries": c.training.maxCovarianceEntries = try r.int()
            case "forecast": c.forecast = try r.bool()
            case "max-streams": c.maxStreams = try r.int()
            case "checkpoint-dir": c.checkpointDirectory = try r.optional { () throws(StreamError) in try r.path() }
            case "checkpoint-every": c.checkpointEvery = try r.double()
            case "stats-every": c.statsEvery = try r.double()
            case "max-message-size": c.maxMessageSize = try r.int()
            case "hwm": c.highWaterMark = try r.int()
            case "linger": c.lingerMilliseconds = try r.int()
            case "curve-secret-key": c.curveSecretKeyFile = try r.optional { () throws(StreamError) in try r.path() }
            case "curve-allow": c.curveAllowDirectory = try r.optional { () throws(StreamError) in try r.path() }
            case "curve-server-key": c.curveServerKeyFile = try r.optional { () throws(StreamError) in try r.path() }
            default:
                throw .invalid("unknown key \"\(rawKey)\" (known: \(Self.configurationKeys.joined(separator: ", ")))")
            }
        }
        self = c
    }
}

/// One value of a configuration file, read as the type its key needs.
struct _ConfigValue {
    let key: String
    let value: JSONValue
    let directory: String

    func wrongType(_ expected: String) -> StreamError {
        .invalid("\"\(key)\" must be \(expected), not \(value.typeName)")
    }

    func string() throws(StreamError) -> String {
        guard case .string(let s) = value else { throw wrongType("a string") }
        return s
    }

    func strings() throws(StreamError) -> [String] {
        switch value {
        case .string(let s): return [s]
        case .array(let items):
            var out: [String] = []
            for item in items {
                guard case .string(let s) = item else { throw wrongType("a string or an array of strings") }
                out.append(s)
            }
            return out
        default: throw wrongType("a string or an array of strings")
        }
    }

    func path() throws(StreamError) -> String {
        let s = try string()
        guard !s.isEmpty else { throw .invalid("\"\(key)\" is an empty path") }
        if s.hasPrefix("/") || directory.isEmpty { return s }
        return directory + s
    }

    func choice<E: RawRepresentable & CaseIterable>(_: E.Type) throws(StreamError) -> E where E.RawValue == String {
        let s = try string()
        guard let e = E(rawValue: s) else {
            throw .invalid("\"\(key)\": unknown value \"\(s)\" (one of: \(E.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return e
    }

    func double() throws(StreamError) -> Double {
        guard case .number(let n) = value else { throw wrongType("a number") }
        let d = n.double
        guard d.isFinite else { throw .invalid("\"\(key)\" = \(n.text) is out of the double range") }
        return d
    }

    func int() throws(StreamError) -> Int {
        guard case .number(let n) = value else { throw wrongType("an integer") }
        guard let v = n.int64 else { throw .invalid("\"\(key)\" must be an integer, got \(n.text)") }
        return Int(v)
    }

    func uint64() throws(StreamError) -> UInt64 {
        guard case .number(let n) = value, let v = n.uint64 else {
            throw .invalid("\"\(key)\" must be an integer in 0...\(UInt64.max)")
        }
        return v
    }

    func bool() throws(StreamError) -> Bool {
        guard case .bool(let b) = value else { throw wrongType("true or false") }
        return b
    }

    func optional<T>(_ read: () throws(StreamError) -> T) throws(StreamError) -> T? {
        if case .null = value { return nil }
        return try read()
    }
}
