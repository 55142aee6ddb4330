// rtrl-bench: measures RTRL steps/s against the machine's GEMM rate on the same shape.
// See docs/performance.md for the method. `make bench` runs it in release.

#if canImport(Glibc)
import Glibc
#endif
import COpenBLAS
import RTRL
import RTRLKernels

// MARK: Timing

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
}

/// Runs `body(k)` for growing k until one run takes >= `minSeconds`, then `repeats`
/// runs of that k; returns the median seconds per unit.
func measure(minSeconds: Double, repeats: Int, _ body: (Int) -> Void) -> Double {
    var k = 1
    while true {
        let t0 = now()
        body(k)
        let dt = now() - t0
        if dt >= minSeconds / 4 { k = max(1, Int(Double(k) * minSeconds / dt)); break }
        k *= 4
    }
    var samples: [Double] = []
    for _ in 0..<repeats {
        let t0 = now()
        body(k)
        samples.append((now() - t0) / Double(k))
    }
    return median(samples)
}

// MARK: Options

struct Options {
    var sizes = [8, 16, 32, 64, 128, 256]
    var elman = [32, 128]
    var repeats = 5
    var minSeconds = 0.3
    var precisions: [Precision] = [.f64, .f32]
    var kernels = false
}

nonisolated(unsafe) var opts = Options()
var args = CommandLine.arguments.dropFirst()
func usage() -> Never {
    print("""
    usage: rtrl-bench [--sizes 8,16,...] [--elman 32,128] [--repeats R] [--seconds S] [--f64-only]

    Prints a markdown table: fully_recurrent networks (m = 1 input, 1 output) learning
    online with SGD, one step at a time: steps/s, microseconds per step, GFLOP/s of the
    sensitivity update (2 n n N per step), the rate of cblas_dgemm/sgemm measured in the
    same run on the same shape (n x n) x (n x N), and the ratio; then Elman networks, and
    the memory each network holds. Medians of R runs of >= S seconds each.
    """)
    exit(0)
}
while let a = args.popFirst() {
    func list() -> [Int] { (args.popFirst() ?? "").split(separator: ",").compactMap { Int($0) } }
    switch a {
    case "--sizes": opts.sizes = list()
    case "--elman": opts.elman = list()
    case "--repeats": opts.repeats = Int(args.popFirst() ?? "") ?? opts.repeats
    case "--seconds": opts.minSeconds = Double(args.popFirst() ?? "") ?? opts.minSeconds
    case "--f64-only": opts.precisions = [.f64]
    case "--kernels": opts.kernels = true
    case "-h", "--help": usage()
    default:
        print("rtrl-bench: unknown option \(a) (try --help)")
        exit(2)
    }
}

// MARK: Benchmarks

/// Seconds per learning step of `net` on a sine input/target stream.
func timeSteps(_ net: Network) -> Double {
    let m = net.numInputs, k = net.numOutputs
    var x = [Double](repeating: 0, count: m)
    var y = [Double](repeating: 0, count: k)
    var out = [Double](repeating: 0, count: k)
    var t = 0
    // Warm up (first-touch of every page).
    return x.withUnsafeMutableBufferPointer { xb in
        y.withUnsafeMutableBufferPointer { yb in
            out.withUnsafeMutableBufferPointer { ob in
                func run(_ steps: Int) {
                    for _ in 0..<steps {
                        let s = sin(0.3 * Double(t))
                        for i in 0..<m { xb[i] = s }
                        for i in 0..<k { yb[i] = 0.5 * sin(0.3 * Double(t + 1)) }
                        _ = try? net.step(UnsafeBufferPointer(xb), target: UnsafeBufferPointer(yb), output: ob)
                        t += 1
                    }
                }
                run(3)
                return measure(minSeconds: opts.minSeconds, repeats: opts.repeats, run)
            }
        }
    }
}

/// Seconds per C = A B (beta 0) with A (m x k), B (k x n), row-major.
func timeGemm(_ m: Int, _ n: Int, _ k: Int, _ p: Precision) -> Double {
    switch p {
    case .f64:
        var a = [Double](repeating: 0.01, count: m * k), b = [Double](repeating: 0.02, count: k * n)
        var c = [Double](repeating: 0, count: m * n)
        return measure(minSeconds: opts.minSeconds, repeats: opts.repeats) { reps in
            for _ in 0..<reps {
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
                            1, &a, Int32(k), &b, Int32(n), 0, &c, Int32(n))
            }
        }
    case .f32:
        var a = [Float](repeating: 0.01, count: m * k), b = [Float](repeating: 0.02, count: k * n)
        var c = [Float](repeating: 0, count: m * n)
        return measure(minSeconds: opts.minSeconds, repeats: opts.repeats) { reps in
            for _ in 0..<reps {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
                            1, &a, Int32(k), &b, Int32(n), 0, &c, Int32(n))
            }
        }
    }
}

func fmt(_ x: Double, _ digits: Int = 1) -> String {
    var s = String(Int((x * pow(10, Double(digits))).rounded()))
    if digits > 0 {
        while s.count <= digits { s = "0" + s }
        s.insert(".", at: s.index(s.endIndex, offsetBy: -digits))
    }
    return s
}

func bytes(_ b: Int) -> String {
    if b >= 1 << 20 { return fmt(Double(b) / Double(1 << 20), 1) + " MiB" }
    return fmt(Double(b) / 1024, 1) + " KiB"
}

/// Seconds per C = A B with the engine's own small kernel.
func timeSmallKernel(_ m: Int, _ n: Int, _ k: Int, _ p: Precision) -> Double {
    switch p {
    case .f64:
        var a = [Double](repeating: 0.01, count: m * k), b = [Double](repeating: 0.02, count: k * n)
        var c = [Double](repeating: 0, count: m * n)
        return measure(minSeconds: opts.minSeconds, repeats: opts.repeats) { reps in
            for _ in 0..<reps { rtrlk_dgemm(m, n, k, &a, k, &b, n, 0, &c, n) }
        }
    case .f32:
        var a = [Float](repeating: 0.01, count: m * k), b = [Float](repeating: 0.02, count: k * n)
        var c = [Float](repeating: 0, count: m * n)
        return measure(minSeconds: opts.minSeconds, repeats: opts.repeats) { reps in
            for _ in 0..<reps { rtrlk_sgemm(m, n, k, &a, k, &b, n, 0, &c, n) }
        }
    }
}

if opts.kernels {
    print("| n | precision | BLAS GFLOP/s | small kernel GFLOP/s |")
    print("|---:|---|---:|---:|")
    for n in opts.sizes {
        for p in opts.precisions {
            let N = n * (n + 2)
            let flop = 2.0 * Double(n) * Double(n) * Double(N)
            print("| \(n) | \(p.rawValue) | \(fmt(flop / timeGemm(n, N, n, p) * 1e-9, 2)) | \(fmt(flop / timeSmallKernel(n, N, n, p) * 1e-9, 2)) |")
        }
    }
    exit(0)
}

let threads = openblas_get_num_threads()
print("## rtrl-bench — fully_recurrent, m = 1, SGD learning every step (BLAS threads: \(threads))")
print()
print("| n | precision | N | steps/s | µs/step | GFLOP/s | GEMM GFLOP/s (same shape) | ratio | memory/net |")
print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
for n in opts.sizes {
    for p in opts.precisions {
        guard let net = try? Network.fullyRecurrent(inputs: 1, units: n, outputs: 1, seed: 1, precision: p) else { continue }
        var c = TrainingConfiguration()
        c.learningRate = 1e-4
        try? net.configure(c)
        let N = net.numParams
        let sec = timeSteps(net)
        let flop = 2.0 * Double(n) * Double(n) * Double(N)
        let gemm = timeGemm(n, N, n, p)
        let scalar = p == .f64 ? 8 : 4
        let mem = scalar * (net.sensitivityEntries + 5 * N)
        print("| \(n) | \(p.rawValue) | \(N) | \(fmt(1 / sec, 0)) | \(fmt(sec * 1e6, 2)) | \(fmt(flop / sec * 1e-9, 2)) | \(fmt(flop / gemm * 1e-9, 2)) | \(fmt(gemm / sec, 2)) | \(bytes(mem)) |")
    }
}
print()
print("## Elman 1-n-1 (hidden P without output-weight columns; no P at the output)")
print()
print("| n_hidden | precision | N | steps/s | µs/step | P entries kept | naive n_layers x N (per buffer) | memory/net |")
print("|---:|---|---:|---:|---:|---:|---:|---:|")
for n in opts.elman {
    for p in opts.precisions {
        guard let net = try? Network.elman(inputs: 1, hidden: n, outputs: 1, seed: 1, precision: p) else { continue }
        var c = TrainingConfiguration()
        c.learningRate = 1e-4
        try? net.configure(c)
        let sec = timeSteps(net)
        let N = net.numParams
        let naive = (n + 1) * N
        let scalar = p == .f64 ? 8 : 4
        print("| \(n) | \(p.rawValue) | \(N) | \(fmt(1 / sec, 0)) | \(fmt(sec * 1e6, 2)) | \(net.sensitivityEntries) | \(naive) | \(bytes(scalar * (net.sensitivityEntries + 5 * N))) |")
    }
}
