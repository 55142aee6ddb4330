#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CRTRL
import RTRL

// Converting C arguments into Swift values. Every conversion validates: a failure is an
// invalid argument naming the call and the parameter, never a trap.

/// A `size_t` argument as an `Int`; larger than `Int.max` is an invalid argument.
@inline(__always)
func _count(_ n: UInt, _ op: StaticString, _ what: StaticString) throws -> Int {
    guard let v = Int(exactly: n) else {
        throw _Failure.invalid("\(op): \(what) = \(n) is too large")
    }
    return v
}

/// A caller's read-only array of `n` values; NULL only with `n == 0`.
@inline(__always)
func _input<T>(_ p: UnsafePointer<T>?, _ n: UInt, _ op: StaticString, _ what: StaticString) throws -> UnsafeBufferPointer<T> {
    let count = try _count(n, op, what)
    guard p != nil || count == 0 else {
        throw _Failure.invalid("\(op): \(what) is NULL but its length is \(count)")
    }
    return UnsafeBufferPointer(start: p, count: count)
}

/// A caller's writable array of `n` values; NULL only with `n == 0`.
@inline(__always)
func _output<T>(_ p: UnsafeMutablePointer<T>?, _ n: UInt, _ op: StaticString, _ what: StaticString) throws -> UnsafeMutableBufferPointer<T> {
    let count = try _count(n, op, what)
    guard p != nil || count == 0 else {
        throw _Failure.invalid("\(op): \(what) is NULL but its length is \(count)")
    }
    return UnsafeMutableBufferPointer(start: p, count: count)
}

/// A required out-pointer.
@inline(__always)
func _required<T>(_ p: UnsafeMutablePointer<T>?, _ op: StaticString, _ what: StaticString) throws -> UnsafeMutablePointer<T> {
    guard let p else { throw _Failure.invalid("\(op): \(what) is NULL") }
    return p
}

/// A NUL-terminated UTF-8 string argument.
func _string(_ p: UnsafePointer<CChar>?, _ op: StaticString, _ what: StaticString) throws -> String {
    guard let p else { throw _Failure.invalid("\(op): \(what) is NULL") }
    let length = strlen(p)
    let bytes = UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self)
    guard let s = String(validating: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self) else {
        throw _Failure.invalid("\(op): \(what) is not valid UTF-8")
    }
    return s
}

// MARK: Enumerations (switch on the raw value: any integer from C is safe)

func _activation(_ v: rtrl_activation, _ op: StaticString) throws -> Activation {
    switch v.rawValue {
    case RTRL_ACTIVATION_IDENTITY.rawValue: return .identity
    case RTRL_ACTIVATION_LOGISTIC.rawValue: return .logistic
    case RTRL_ACTIVATION_TANH.rawValue: return .tanh
    case RTRL_ACTIVATION_RELU.rawValue: return .relu
    case RTRL_ACTIVATION_SOFTMAX.rawValue: return .softmax
    default: throw _Failure.invalid("\(op): unknown rtrl_activation value \(v.rawValue)")
    }
}

func _cActivation(_ a: Activation) -> rtrl_activation {
    switch a {
    case .identity: RTRL_ACTIVATION_IDENTITY
    case .logistic: RTRL_ACTIVATION_LOGISTIC
    case .tanh: RTRL_ACTIVATION_TANH
    case .relu: RTRL_ACTIVATION_RELU
    case .softmax: RTRL_ACTIVATION_SOFTMAX
    }
}

func _connectionKind(_ v: rtrl_connection_kind, _ op: StaticString) throws -> ConnectionKind {
    switch v.rawValue {
    case RTRL_CONNECTION_DENSE.rawValue: return .dense
    case RTRL_CONNECTION_DIAGONAL.rawValue: return .diagonal
    case RTRL_CONNECTION_IDENTITY.rawValue: return .identity
    default: throw _Failure.invalid("\(op): unknown rtrl_connection_kind value \(v.rawValue)")
    }
}

func _cConnectionKind(_ k: ConnectionKind) -> rtrl_connection_kind {
    switch k {
    case .dense: RTRL_CONNECTION_DENSE
    case .diagonal: RTRL_CONNECTION_DIAGONAL
    case .identity: RTRL_CONNECTION_IDENTITY
    }
}

func _optimizer(_ v: rtrl_optimizer, _ op: StaticString) throws -> OptimizerKind {
    switch v.rawValue {
    case RTRL_OPTIMIZER_SGD.rawValue: return .sgd
    case RTRL_OPTIMIZER_MOMENTUM.rawValue: return .momentum
    case RTRL_OPTIMIZER_ADAM.rawValue: return .adam
    case RTRL_OPTIMIZER_EKF.rawValue: return .ekf
    case RTRL_OPTIMIZER_DEKF.rawValue: return .dekf
    default: throw _Failure.invalid("\(op): unknown rtrl_optimizer value \(v.rawValue)")
    }
}

func _readout(_ v: rtrl_readout, _ op: StaticString) throws -> Readout {
    switch v.rawValue {
    case RTRL_READOUT_GRADIENT.rawValue: return .gradient
    case RTRL_READOUT_RLS.rawValue: return .rls
    default: throw _Failure.invalid("\(op): unknown rtrl_readout value \(v.rawValue)")
    }
}

func _sensitivity(_ v: rtrl_sensitivity, _ op: StaticString) throws -> SensitivityMode {
    switch v.rawValue {
    case RTRL_SENSITIVITY_EXACT.rawValue: return .exact
    case RTRL_SENSITIVITY_SNAP1.rawValue: return .snap1
    case RTRL_SENSITIVITY_UORO.rawValue: return .uoro
    default: throw _Failure.invalid("\(op): unknown rtrl_sensitivity value \(v.rawValue)")
    }
}

func _cSensitivity(_ m: SensitivityMode) -> rtrl_sensitivity {
    switch m {
    case .exact: RTRL_SENSITIVITY_EXACT
    case .snap1: RTRL_SENSITIVITY_SNAP1
    case .uoro: RTRL_SENSITIVITY_UORO
    }
}

func _cReadout(_ r: Readout) -> rtrl_readout {
    switch r {
    case .gradient: RTRL_READOUT_GRADIENT
    case .rls: RTRL_READOUT_RLS
    }
}

func _cOptimizer(_ o: OptimizerKind) -> rtrl_optimizer {
    switch o {
    case .sgd: RTRL_OPTIMIZER_SGD
    case .momentum: RTRL_OPTIMIZER_MOMENTUM
    case .adam: RTRL_OPTIMIZER_ADAM
    case .ekf: RTRL_OPTIMIZER_EKF
    case .dekf: RTRL_OPTIMIZER_DEKF
    }
}

func _loss(_ v: rtrl_loss, _ op: StaticString) throws -> LossFunction {
    switch v.rawValue {
    case RTRL_LOSS_MSE.rawValue: return .mse
    case RTRL_LOSS_CROSS_ENTROPY.rawValue: return .crossEntropy
    default: throw _Failure.invalid("\(op): unknown rtrl_loss value \(v.rawValue)")
    }
}

func _cLoss(_ l: LossFunction) -> rtrl_loss {
    switch l {
    case .mse: RTRL_LOSS_MSE
    case .crossEntropy: RTRL_LOSS_CROSS_ENTROPY
    }
}

func _precision(_ v: rtrl_precision, _ op: StaticString) throws -> Precision {
    switch v.rawValue {
    case RTRL_PRECISION_F64.rawValue: return .f64
    case RTRL_PRECISION_F32.rawValue: return .f32
    default: throw _Failure.invalid("\(op): unknown rtrl_precision value \(v.rawValue)")
    }
}

func _cPrecision(_ p: Precision) -> rtrl_precision {
    switch p {
    case .f64: RTRL_PRECISION_F64
    case .f32: RTRL_PRECISION_F32
    }
}
