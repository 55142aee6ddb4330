#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import COpenBLAS
import RTRLKernels

/// The floating-point types the engine computes in (`Double`, `Float`): the elementary
/// functions and the BLAS level-1/2/3 kernels the engine needs, bound to the type.
///
/// Matrices are row-major; `ld*` are leading dimensions (row strides).
protocol _Scalar: BinaryFloatingPoint, Sendable where RawSignificand: FixedWidthInteger {
    static func _exp(_ x: Self) -> Self
    static func _log(_ x: Self) -> Self
    static func _tanh(_ x: Self) -> Self
    /// 1 when x is infinite or NaN, else 0, by integer arithmetic on the exponent bits (no
    /// comparison, no branch: loops over it vectorise).
    static func _nonFinite(_ x: Self) -> UInt64
    /// True when theta_i - eta (scale g_i) is infinite or NaN for some i < n: the
    /// divergence guard's check of an SGD update (nothing written).
    static func _sgdWouldBeNonFinite(
        _ theta: UnsafePointer<Self>, _ g: UnsafePointer<Self>, _ n: Int, _ eta: Self, _ scale: Self) -> Bool
    /// theta_i -= eta (scale g_i) and g_i = 0 for i < n, in the engine's kernel (vectorised
    /// for the CPU; no FMA, so the bits are the same on every CPU).
    static func _sgdUpdate(
        _ theta: UnsafeMutablePointer<Self>, _ g: UnsafeMutablePointer<Self>, _ n: Int, _ eta: Self, _ scale: Self)
    /// True when v_i = mu velocity_i + scale g_i or theta_i - eta v_i is infinite or NaN for
    /// some i < n: the divergence guard's check of a momentum update (nothing written).
    static func _momentumWouldBeNonFinite(
        _ theta: UnsafePointer<Self>, _ g: UnsafePointer<Self>, _ velocity: UnsafePointer<Self>, _ n: Int,
        eta: Self, scale: Self, mu: Self) -> Bool
    /// velocity_i = mu velocity_i + scale g_i, theta_i -= eta velocity_i and g_i = 0 for i < n,
    /// in the engine's kernel (no FMA).
    static func _momentumUpdate(
        _ theta: UnsafeMutablePointer<Self>, _ g: UnsafeMutablePointer<Self>, _ velocity: UnsafeMutablePointer<Self>,
        _ n: Int, eta: Self, scale: Self, mu: Self)
    /// True when some m_i, v_i or theta_i of the Adam update `c` (``_AdamCoefficients``)
    /// would be infinite or NaN, i < n: the divergence guard's check (nothing written).
    static func _adamWouldBeNonFinite(
        _ theta: UnsafePointer<Self>, _ g: UnsafePointer<Self>, _ m: UnsafePointer<Self>, _ v: UnsafePointer<Self>,
        _ n: Int, _ c: _AdamCoefficients<Self>) -> Bool
    /// The Adam update `c` of theta_i, m_i, v_i, and g_i = 0, for i < n, in the engine's
    /// kernel (no FMA).
    static func _adamUpdate(
        _ theta: UnsafeMutablePointer<Self>, _ g: UnsafeMutablePointer<Self>, _ m: UnsafeMutablePointer<Self>,
        _ v: UnsafeMutablePointer<Self>, _ n: Int, _ c: _AdamCoefficients<Self>)
    /// C = alpha A B + beta C, with A (m x k), B (k x n), C (m x n).
    static func _gemm(
        _ m: Int, _ n: Int, _ k: Int, _ alpha: Self,
        _ a: UnsafePointer<Self>, _ lda: Int, _ b: UnsafePointer<Self>, _ ldb: Int,
        _ beta: Self, _ c: UnsafeMutablePointer<Self>, _ ldc: Int)
    /// C = A B (+ C when `accumulate`): the engine's own kernel for small shapes.
    static func _smallProduct(
        _ m: Int, _ n: Int, _ k: Int, _ a: UnsafePointer<Self>, _ lda: Int,
        _ b: UnsafePointer<Self>, _ ldb: Int, _ accumulate: Bool, _ c: UnsafeMutablePointer<Self>, _ ldc: Int)
    /// C = alpha A^T B + beta C, with A (k x m), B (k x n), C (m x n).
    static func _gemmTN(
        _ m: Int, _ n: Int, _ k: Int, _ alpha: Self,
        _ a: UnsafePointer<Self>, _ lda: Int, _ b: UnsafePointer<Self>, _ ldb: Int,
        _ beta: Self, _ c: UnsafeMutablePointer<Self>, _ ldc: Int)
    /// y = alpha A^T x + beta y, with A (m x n), x (m), y (n).
    static func _gemvT(
        _ m: Int, _ n: Int, _ alpha: Self, _ a: UnsafePointer<Self>, _ lda: Int,
        _ x: UnsafePointer<Self>, _ beta: Self, _ y: UnsafeMutablePointer<Self>)
    /// y = alpha A x + beta y, with A (m x n), x (n), y (m).
    static func _gemvN(
        _ m: Int, _ n: Int, _ alpha: Self, _ a: UnsafePointer<Self>, _ lda: Int,
        _ x: UnsafePointer<Self>, _ beta: Self, _ y: UnsafeMutablePointer<Self>)
}

extension _Scalar {
    /// C = A B, or C += A B when `accumulate`: A (m x k), B (k x n), C (m x n), row-major.
    ///
    /// Shapes with a short inner dimension and few rows go to the engine's own kernel
    /// (no call overhead, vectorised for the CPU); the rest to BLAS.
    @inline(__always)
    static func _product(
        _ m: Int, _ n: Int, _ k: Int, _ a: UnsafePointer<Self>, _ lda: Int,
        _ b: UnsafePointer<Self>, _ ldb: Int, _ accumulate: Bool, _ c: UnsafeMutablePointer<Self>, _ ldc: Int
    ) {
        if m * k <= _BLAS.smallProductLimit {
            _smallProduct(m, n, k, a, lda, b, ldb, accumulate, c, ldc)
        } else {
            _gemm(m, n, k, 1, a, lda, b, ldb, accumulate ? 1 : 0, c, ldc)
        }
    }
}

/// What the engine knows of the BLAS it links, decided once per process.
enum _BLAS {
    /// OpenBLAS's name of the kernels it runs (e.g. "SkylakeX", "Haswell", "Prescott").
    static let coreName: String = String(cString: openblas_get_corename())

    /// OpenBLAS falls back to its baseline SSE3 kernels ("Prescott") on CPUs it does not
    /// recognise — 0.3.21 on Sapphire/Emerald Rapids, for instance — and they are several
    /// times slower than the engine's own vectorised kernel there.
    static let isBaseline: Bool = {
        let name = coreName.lowercased()
        return (name == "prescott" || name == "core2" || name == "penryn" || name == "nehalem")
            && String(cString: rtrlk_variant()) != "baseline"
    }()

    /// Products whose left factor (n_L x n_S) has at most this many entries use the
    /// engine's own kernel: at small sizes it has no call overhead and is as fast as
    /// OpenBLAS's best; above (from two layers of 64 units: `rtrl-bench --kernels`),
    /// OpenBLAS's cache blocking and threads win — unless OpenBLAS runs its baseline
    /// kernels, and then the engine's kernel does every product.
    static let smallProductLimit: Int = {
        _ = threadsFromEnvironment
        return isBaseline ? Int.max : 2048
    }()

    /// Products on the engine's kernel with at least this many multiply-adds (m n k, about
    /// 25 microseconds of work on one core: fully recurrent layers from 32 units) are split
    /// by columns over ``RTRLRuntime/blasThreads`` threads; smaller ones run on the calling
    /// thread, where handing out chunks would cost more than it saves.
    static let parallelProductWork = 1 << 20

    /// RTRL_NUM_THREADS, read once at the first product: the number of threads the large
    /// products may use (OpenBLAS's, and the engine's kernel above `parallelProductWork`).
    static let threadsFromEnvironment: Void = {
        if let text = getenv("RTRL_NUM_THREADS"), let n = Int32(String(cString: text)), n >= 1 {
            openblas_set_num_threads(n)
        }
    }()
}

/// Process-wide settings of the engine.
public enum RTRLRuntime {
    /// The number of threads the large products of the sensitivity update use: OpenBLAS's
    /// thread count for the products that go to it, and the engine's own kernel splits
    /// its products of at least 2^20 multiply-adds (fully recurrent layers from 32 units)
    /// over as many threads. Smaller products run on the calling thread.
    /// Process-wide; the default is OpenBLAS's (the number of cores), or RTRL_NUM_THREADS
    /// when set.
    public static var blasThreads: Int {
        _ = _BLAS.threadsFromEnvironment
        return Int(openblas_get_num_threads())
    }

    /// Sets ``blasThreads``; 0 restores the number of cores.
    ///
    /// - Throws: `invalidArgument` for a negative count.
    public static func setBLASThreads(_ n: Int) throws(RTRLError) {
        guard n >= 0 && n <= 1024 else { throw .invalid("set_num_threads: expected 0...1024 threads, got \(n)") }
        _ = _BLAS.threadsFromEnvironment
        openblas_set_num_threads(Int32(n == 0 ? Int(openblas_get_num_procs()) : n))
    }

    /// The BLAS kernels in use ("OpenBLAS SkylakeX", ...) and the engine's own kernel
    /// variant ("avx512", "avx2" or "baseline").
    public static var kernels: (blas: String, engine: String) {
        ("OpenBLAS \(_BLAS.coreName)", String(cString: rtrlk_variant()))
    }
}

extension Double: _Scalar {
    @inline(__always) static func _exp(_ x: Double) -> Double { exp(x) }
    @inline(__always) static func _log(_ x: Double) -> Double { log(x) }
    @inline(__always) static func _tanh(_ x: Double) -> Double { tanh(x) }
    // The exponent field is all ones exactly when adding one unit to it carries into the sign bit.
    @inline(__always) static func _nonFinite(_ x: Double) -> UInt64 {
        ((x.bitPattern & 0x7FF0_0000_0000_0000) &+ 0x0010_0000_0000_0000) >> 63
    }

    @inline(__always)
    static func _sgdWouldBeNonFinite(
        _ theta: UnsafePointer<Double>, _ g: UnsafePointer<Double>, _ n: Int, _ eta: Double, _ scale: Double) -> Bool {
        rtrlk_dsgd_check(theta, g, n, eta, scale) != 0
    }

    @inline(__always)
    static func _sgdUpdate(
        _ theta: UnsafeMutablePointer<Double>, _ g: UnsafeMutablePointer<Double>, _ n: Int, _ eta: Double, _ scale: Double) {
        rtrlk_dsgd_update(theta, g, n, eta, scale)
    }

    @inline(__always)
    static func _momentumWouldBeNonFinite(
        _ theta: UnsafePointer<Double>, _ g: UnsafePointer<Double>, _ velocity: UnsafePointer<Double>, _ n: Int,
        eta: Double, scale: Double, mu: Double) -> Bool {
        rtrlk_dmomentum_check(theta, g, velocity, n, eta, scale, mu) != 0
    }

    @inline(__always)
    static func _momentumUpdate(
        _ theta: UnsafeMutablePointer<Double>, _ g: UnsafeMutablePointer<Double>, _ velocity: UnsafeMutablePointer<Double>,
        _ n: Int, eta: Double, scale: Double, mu: Double) {
        rtrlk_dmomentum_update(theta, g, velocity, n, eta, scale, mu)
    }

    @inline(__always)
    static func _adamWouldBeNonFinite(
        _ theta: UnsafePointer<Double>, _ g: UnsafePointer<Double>, _ m: UnsafePointer<Double>, _ v: UnsafePointer<Double>,
        _ n: Int, _ c: _AdamCoefficients<Double>) -> Bool {
        rtrlk_dadam_check(theta, g, m, v, n, c.eta, c.scale, c.beta1, c.beta2, c.epsilon, c.c1, c.c2) != 0
    }

    @inline(__always)
    static func _adamUpdate(
        _ theta: UnsafeMutablePointer<Double>, _ g: UnsafeMutablePointer<Double>, _ m: UnsafeMutablePointer<Double>,
        _ v: UnsafeMutablePointer<Double>, _ n: Int, _ c: _AdamCoefficients<Double>) {
        rtrlk_dadam_update(theta, g, m, v, n, c.eta, c.scale, c.beta1, c.beta2, c.epsilon, c.c1, c.c2)
    }

    @inline(__always)
    static func _gemm(
        _ m: Int, _ n: Int, _ k: Int, _ alpha: Double,
        _ a: UnsafePointer<Double>, _ lda: Int, _ b: UnsafePointer<Double>, _ ldb: Int,
        _ beta: Double, _ c: UnsafeMutablePointer<Double>, _ ldc: Int
    ) {
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    @inline(__always)
    static func _gemmTN(
        _ m: Int, _ n: Int, _ k: Int, _ alpha: Double,
        _ a: UnsafePointer<Double>, _ lda: Int, _ b: UnsafePointer<Double>, _ ldb: Int,
        _ beta: Double, _ c: UnsafeMutablePointer<Double>, _ ldc: Int
    ) {
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    @inline(__always)
    static func _smallProduct(
        _ m: Int, _ n: Int, _ k: Int, _ a: UnsafePointer<Double>, _ lda: Int,
        _ b: UnsafePointer<Double>, _ ldb: Int, _ accumulate: Bool, _ c: UnsafeMutablePointer<Double>, _ ldc: Int
    ) {
        if m * n * k >= _BLAS.parallelProductWork {
            rtrlk_dgemm_threads(m, n, k, a, lda, b, ldb, accumulate ? 1 : 0, c, ldc, openblas_get_num_threads())
        } else {
            rtrlk_dgemm(m, n, k, a, lda, b, ldb, accumulate ? 1 : 0, c, ldc)
        }
    }

    @inline(__always)
    static func _gemvT(
        _ m: Int, _ n: Int, _ alpha: Double, _ a: UnsafePointer<Double>, _ lda: Int,
        _ x: UnsafePointer<Double>, _ beta: Double, _ y: UnsafeMutablePointer<Double>
    ) {
        cblas_dgemv(CblasRowMajor, CblasTrans, Int32(m), Int32(n), alpha, a, Int32(lda), x, 1, beta, y, 1)
    }

    @inline(__always)
    static func _gemvN(
        _ m: Int, _ n: Int, _ alpha: Double, _ a: UnsafePointer<Double>, _ lda: Int,
        _ x: UnsafePointer<Double>, _ beta: Double, _ y: UnsafeMutablePointer<Double>
    ) {
        cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(m), Int32(n), alpha, a, Int32(lda), x, 1, beta, y, 1)
    }
}

extension Float: _Scalar {
    @inline(__always) static func _exp(_ x: Float) -> Float { expf(x) }
    @inline(__always) static func _log(_ x: Float) -> Float { logf(x) }
    @inline(__always) static func _tanh(_ x: Float) -> Float { tanhf(x) }
    @inline(__always) static func _nonFinite(_ x: Float) -> UInt64 {
        UInt64(((x.bitPattern & 0x7F80_0000) &+ 0x0080_0000) >> 31)
    }

    @inline(__always)
    static func _sgdWouldBeNonFinite(
        _ theta: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ n: Int, _ eta: Float, _ scale: Float) -> Bool {
        rtrlk_ssgd_check(theta, g, n, eta, scale) != 0
    }

    @inline(__always)
    static func _sgdUpdate(
        _ theta: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>, _ n: Int, _ eta: Float, _ scale: Float) {
        rtrlk_ssgd_update(theta, g, n, eta, scale)
    }

    @inline(__always)
    static func _momentumWouldBeNonFinite(
        _ theta: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ velocity: UnsafePointer<Float>, _ n: Int,
        eta: Float, scale: Float, mu: Float) -> Bool {
        rtrlk_smomentum_check(theta, g, velocity, n, eta, scale, mu) != 0
    }

    @inline(__always)
    static func _momentumUpdate(
        _ theta: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>, _ velocity: UnsafeMutablePointer<Float>,
        _ n: Int, eta: Float, scale: Float, mu: Float) {
        rtrlk_smomentum_update(theta, g, velocity, n, eta, scale, mu)
    }

    @inline(__always)
    static func _adamWouldBeNonFinite(
        _ theta: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafePointer<Float>, _ v: UnsafePointer<Float>,
        _ n: Int, _ c: _AdamCoefficients<Float>) -> Bool {
        rtrlk_sadam_check(theta, g, m, v, n, c.eta, c.scale, c.beta1, c.beta2, c.epsilon, c.c1, c.c2) != 0
    }

    @inline(__always)
    static func _adamUpdate(
        _ theta: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>, _ m: UnsafeMutablePointer<Float>,
        _ v: UnsafeMutablePointer<Float>, _ n: Int, _ c: _AdamCoefficients<Float>) {
        rtrlk_sadam_update(theta, g, m, v, n, c.eta, c.scale, c.beta1, c.beta2, c.epsilon, c.c1, c.c2)
    }

    @inline(__always)
    static func _gemm(
        _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    @inline(__always)
    static func _gemmTN(
        _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    @inline(__always)
    static func _smallProduct(
        _ m: Int, _ n: Int, _ k: Int, _ a: UnsafePointer<Float>, _ lda: Int,
        _ b: UnsafePointer<Float>, _ ldb: Int, _ accumulate: Bool, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
        if m * n * k >= _BLAS.parallelProductWork {
            rtrlk_sgemm_threads(m, n, k, a, lda, b, ldb, accumulate ? 1 : 0, c, ldc, openblas_get_num_threads())
        } else {
            rtrlk_sgemm(m, n, k, a, lda, b, ldb, accumulate ? 1 : 0, c, ldc)
        }
    }

    @inline(__always)
    static func _gemvT(
        _ m: Int, _ n: Int, _ alpha: Float, _ a: UnsafePointer<Float>, _ lda: Int,
        _ x: UnsafePointer<Float>, _ beta: Float, _ y: UnsafeMutablePointer<Float>
    ) {
        cblas_sgemv(CblasRowMajor, CblasTrans, Int32(m), Int32(n), alpha, a, Int32(lda), x, 1, beta, y, 1)
    }

    @inline(__always)
    static func _gemvN(
        _ m: Int, _ n: Int, _ alpha: Float, _ a: UnsafePointer<Float>, _ lda: Int,
        _ x: UnsafePointer<Float>, _ beta: Float, _ y: UnsafeMutablePointer<Float>
    ) {
        cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(m), Int32(n), alpha, a, Int32(lda), x, 1, beta, y, 1)
    }
}
