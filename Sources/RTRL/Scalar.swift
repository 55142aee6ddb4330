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
        if m * k <= _smallProductLimit {
            _smallProduct(m, n, k, a, lda, b, ldb, accumulate, c, ldc)
        } else {
            _gemm(m, n, k, 1, a, lda, b, ldb, accumulate ? 1 : 0, c, ldc)
        }
    }
}

/// Products whose left factor has at most this many entries use the engine's own kernel.
let _smallProductLimit = 1024

extension Double: _Scalar {
    @inline(__always) static func _exp(_ x: Double) -> Double { exp(x) }
    @inline(__always) static func _log(_ x: Double) -> Double { log(x) }
    @inline(__always) static func _tanh(_ x: Double) -> Double { tanh(x) }

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
        rtrlk_dgemm(m, n, k, a, lda, b, ldb, accumulate ? 1 : 0, c, ldc)
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
        rtrlk_sgemm(m, n, k, a, lda, b, ldb, accumulate ? 1 : 0, c, ldc)
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
