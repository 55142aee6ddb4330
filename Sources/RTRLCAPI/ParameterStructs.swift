import CRTRL
import RTRL

/// The `struct_size` rule of the extensible parameter structs (`rtrl_net_params`,
/// `rtrl_train_params`): the library reads and writes only the first `struct_size` bytes
/// and uses its defaults beyond them. `struct_size` must be the size of one of the
/// struct's versions (fields are only ever appended, so each version is a prefix of the
/// next); any other size is an invalid argument.
protocol _ExtensibleStruct {
    /// The struct with every field at its default and `struct_size` = the library's size.
    static var defaults: Self { get }
    /// The byte size of version 1 of the struct (the smallest `struct_size` accepted).
    static var firstVersionSize: Int { get }
    /// The byte sizes of every version of the struct, oldest first (the last is `knownSize`).
    static var versionSizes: [Int] { get }
    /// The C name, for messages.
    static var cName: StaticString { get }
    var struct_size: Int { get set }
}

extension _ExtensibleStruct {
    /// The size this library knows (the newest version).
    static var knownSize: Int { MemoryLayout<Self>.size }

    /// `end`, the offset just past the last field of version 1, rounded up to the
    /// struct's alignment.
    static func _roundedSize(end: Int) -> Int {
        let a = MemoryLayout<Self>.alignment
        return (end + a - 1) / a * a
    }

    static func _checkSize(_ size: Int, _ op: StaticString) throws {
        guard versionSizes.contains(size) else {
            let sizes = versionSizes.map(String.init).joined(separator: " or ")
            throw _Failure.invalid("\(op): \(cName).struct_size = \(size); this library accepts \(sizes) (fill the struct with the matching *_default_params call)")
        }
    }

    /// Reads a caller's struct: its first `struct_size` bytes over the defaults.
    static func read(_ p: UnsafePointer<Self>, _ op: StaticString) throws -> Self {
        let size = UnsafeRawPointer(p).load(as: Int.self)
        try _checkSize(size, op)
        var value = defaults
        withUnsafeMutableBytes(of: &value) { dst in
            dst.baseAddress!.copyMemory(from: UnsafeRawPointer(p), byteCount: size)
        }
        value.struct_size = size
        return value
    }

    /// Writes `value` into a caller's struct: only its first `size` bytes, with
    /// `struct_size` = `size`.
    static func write(_ value: Self, to p: UnsafeMutablePointer<Self>, size: Int, _ op: StaticString) throws {
        try _checkSize(size, op)
        var v = value
        v.struct_size = size
        withUnsafeBytes(of: &v) { src in
            UnsafeMutableRawPointer(p).copyMemory(from: src.baseAddress!, byteCount: size)
        }
    }
}

extension rtrl_net_params: _ExtensibleStruct {
    static var defaults: rtrl_net_params {
        var p = rtrl_net_params()
        p.struct_size = MemoryLayout<rtrl_net_params>.size
        p.seed = 0
        p.precision = RTRL_PRECISION_F64
        p.hidden_activation = RTRL_ACTIVATION_TANH
        p.output_activation = RTRL_ACTIVATION_IDENTITY
        p.mu = 0.5
        return p
    }
    /// Version 1 ends with `mu`.
    static var firstVersionSize: Int {
        _roundedSize(end: MemoryLayout<rtrl_net_params>.offset(of: \rtrl_net_params.mu)! + MemoryLayout<Double>.size)
    }
    static var versionSizes: [Int] { [knownSize] }
    static var cName: StaticString { "rtrl_net_params" }
}

extension rtrl_train_params: _ExtensibleStruct {
    static var defaults: rtrl_train_params { rtrl_train_params(TrainingConfiguration(), size: MemoryLayout<rtrl_train_params>.size) }
    /// Version 1 ends with `divergence_guard`.
    static var firstVersionSize: Int {
        _roundedSize(end: MemoryLayout<rtrl_train_params>.offset(of: \rtrl_train_params.divergence_guard)! + MemoryLayout<Int32>.size)
    }
    /// Version 2 appended the second-order and sensitivity fields (ekf_r ... sensitivity).
    static var versionSizes: [Int] { [firstVersionSize, knownSize] }
    static var cName: StaticString { "rtrl_train_params" }

    /// The C form of a training configuration.
    init(_ c: TrainingConfiguration, size: Int) {
        self.init()
        struct_size = size
        optimizer = _cOptimizer(c.optimizer)
        learning_rate = c.learningRate
        momentum = c.momentum
        beta1 = c.beta1
        beta2 = c.beta2
        eps = c.epsilon
        clip_norm = c.clipNorm ?? 0
        loss = _cLoss(c.loss)
        teacher_forcing = c.teacherForcing ? 1 : 0
        update_every = UInt32(clamping: c.updateEvery)
        divergence_guard = c.divergenceGuard ? 1 : 0
        ekf_r = c.ekfR
        ekf_q = c.ekfQ
        p0 = c.p0
        readout = _cReadout(c.readout)
        rls_lambda = c.rlsLambda
        max_covariance_entries = UInt64(c.maxCovarianceEntries)
        sensitivity = _cSensitivity(c.sensitivity)
    }

    /// The training configuration it describes (enums checked here; ranges by the engine).
    func configuration(_ op: StaticString) throws -> TrainingConfiguration {
        var c = TrainingConfiguration()
        c.optimizer = try _optimizer(optimizer, op)
        c.learningRate = learning_rate
        c.momentum = momentum
        c.beta1 = beta1
        c.beta2 = beta2
        c.epsilon = eps
        c.clipNorm = clip_norm == 0 ? nil : clip_norm
        c.loss = try _loss(loss, op)
        c.teacherForcing = teacher_forcing != 0
        c.updateEvery = Int(update_every)
        c.divergenceGuard = divergence_guard != 0
        c.ekfR = ekf_r
        c.ekfQ = ekf_q
        c.p0 = p0
        c.readout = try _readout(readout, op)
        c.rlsLambda = rls_lambda
        c.maxCovarianceEntries = Int(clamping: max_covariance_entries)
        c.sensitivity = try _sensitivity(sensitivity, op)
        return c
    }
}

/// The creation parameters of a call: the caller's struct, or the defaults for NULL.
func _netParams(_ p: UnsafePointer<rtrl_net_params>?, _ op: StaticString) throws -> rtrl_net_params {
    guard let p else { return .defaults }
    return try rtrl_net_params.read(p, op)
}
