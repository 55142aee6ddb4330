import Testing
@testable import RTRL
import RTRLKernels
#if canImport(Glibc)
import Glibc
#endif

/// The engine's product kernel (C (+)= A B) against a plain triple loop, on shapes that
/// reach every path: row blocks and their remainders, panels of several vectors, one-vector
/// and scalar column tails, a packed panel (B spanning more than 1 MiB), an inner dimension split
/// into chunks (k > 128), row strides wider than the rows, accumulate on and off, and
/// the column split over threads.
@Suite struct KernelTests {
    /// (m, n, k): rows of A and C, columns of B and C, inner dimension.
    static let shapes: [(Int, Int, Int)] = [
        (1, 1, 1), (3, 5, 0), (8, 16, 8), (13, 37, 7), (9, 1000, 33), (32, 1088, 32),
        (17, 300, 300), (24, 700, 129), (5, 300, 257), (9, 4100, 80),
    ]

    private struct Generator {
        var state: UInt64
        mutating func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) - 0.5
        }
    }

    private func check<S: _Scalar>(_: S.Type, m: Int, n: Int, k: Int, accumulate: Bool, threads: Int32, tolerance: Double) {
        var g = Generator(state: UInt64(m * 1_000_003 + n * 101 + k))
        let lda = k + 3, ldb = n + 5, ldc = n + 2
        let a = (0..<(m * lda)).map { _ in S(g.next()) }
        let b = (0..<(max(k, 1) * ldb)).map { _ in S(g.next()) }
        let c0 = (0..<(m * ldc)).map { _ in S(g.next()) }
        var expected = c0
        for i in 0..<m {
            for j in 0..<n {
                var s = accumulate ? Double(c0[i * ldc + j]) : 0
                for p in 0..<k { s += Double(a[i * lda + p]) * Double(b[p * ldb + j]) }
                expected[i * ldc + j] = S(s)
            }
        }
        var c = c0
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    if threads > 1 {
                        if S.self == Double.self {
                            rtrlk_dgemm_threads(m, n, k, UnsafeRawPointer(ap.baseAddress!).assumingMemoryBound(to: Double.self), lda,
                                                UnsafeRawPointer(bp.baseAddress!).assumingMemoryBound(to: Double.self), ldb,
                                                accumulate ? 1 : 0, UnsafeMutableRawPointer(cp.baseAddress!).assumingMemoryBound(to: Double.self), ldc, threads)
                        } else {
                            rtrlk_sgemm_threads(m, n, k, UnsafeRawPointer(ap.baseAddress!).assumingMemoryBound(to: Float.self), lda,
                                                UnsafeRawPointer(bp.baseAddress!).assumingMemoryBound(to: Float.self), ldb,
                                                accumulate ? 1 : 0, UnsafeMutableRawPointer(cp.baseAddress!).assumingMemoryBound(to: Float.self), ldc, threads)
                        }
                    } else {
                        S._smallProduct(m, n, k, ap.baseAddress!, lda, bp.baseAddress!, ldb, accumulate, cp.baseAddress!, ldc)
                    }
                }
            }
        }
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<n {
                let e = Double(expected[i * ldc + j]), got = Double(c[i * ldc + j])
                worst = max(worst, abs(got - e) / max(1, abs(e)))
            }
            // The padding between rows is never written.
            for j in n..<ldc { #expect(c[i * ldc + j] == c0[i * ldc + j]) }
        }
        #expect(worst <= tolerance, "m \(m) n \(n) k \(k) accumulate \(accumulate) threads \(threads): worst \(worst)")
    }

    @Test(arguments: shapes)
    func doubleProductsEqualATripleLoop(_ shape: (Int, Int, Int)) {
        for accumulate in [false, true] {
            for threads: Int32 in [1, 2, 3] {
                check(Double.self, m: shape.0, n: shape.1, k: shape.2, accumulate: accumulate, threads: threads, tolerance: 1e-13)
            }
        }
    }

    @Test(arguments: shapes)
    func floatProductsEqualATripleLoop(_ shape: (Int, Int, Int)) {
        for accumulate in [false, true] {
            for threads: Int32 in [1, 2] {
                check(Float.self, m: shape.0, n: shape.1, k: shape.2, accumulate: accumulate, threads: threads, tolerance: 2e-5)
            }
        }
    }

    /// The split over threads, product after product as a network makes them: between
    /// products the workers spin, or sleep after a pause; the thread count changes (a
    /// worker started for a larger count gets nothing); accumulate on and off. Every
    /// product equals the one-thread product bit for bit.
    @Test func splitProductsInSequenceEqualOneThreadBitForBit() {
        var g = Generator(state: 99)
        let m = 32, n = 1088, k = 32
        let a = (0..<(m * k)).map { _ in g.next() }
        let b = (0..<(k * n)).map { _ in g.next() }
        let c0 = (0..<(m * n)).map { _ in g.next() }
        let counts: [Int32] = [2, 3, 4, 2, 3, 2, 4, 2]
        var mismatches = 0
        for round in 0..<48 {
            let accumulate: Int32 = round % 3 == 0 ? 1 : 0
            let threads = counts[round % counts.count]
            var one = c0, many = c0
            a.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in
                    one.withUnsafeMutableBufferPointer { cp in
                        rtrlk_dgemm(m, n, k, ap.baseAddress!, k, bp.baseAddress!, n, accumulate, cp.baseAddress!, n)
                    }
                    many.withUnsafeMutableBufferPointer { cp in
                        rtrlk_dgemm_threads(m, n, k, ap.baseAddress!, k, bp.baseAddress!, n, accumulate, cp.baseAddress!, n, threads)
                    }
                }
            }
            if one != many { mismatches += 1 }
            if round % 4 == 3 { usleep(UInt32(100 + 150 * (round % 5))) }  // 0.1-0.7 ms: past the workers' spin
        }
        #expect(mismatches == 0)
    }
}
