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

/// Times `a` and `b` in alternating rounds (so that both see the same machine state) and
/// returns the median seconds per unit of each and the median of the per-round ratios
/// time(b) / time(a).
func measurePair(minSeconds: Double, repeats: Int, _ a: (Int) -> Void, _ b: (Int) -> Void)
    -> (a: Double, b: Double, ratio: Double)
{
    func calibrate(_ body: (Int) -> Void) -> Int {
        var k = 1
        while true {
            let t0 = now()
            body(k)
            let dt = now() - t0
            if dt >= minSeconds / 4 { return max(1, Int(Double(k) * minSeconds / dt)) }
            k *= 4
        }
    }
    let ka = calibrate(a), kb = calibrate(b)
    var ta: [Double] = [], tb: [Double] = [], ratios: [Double] = []
    for _ in 0..<repeats {
        var t0 = now()
        a(ka)
        let x = (now() - t0) / Double(ka)
        t0 = now()
        b(kb)
        let y = (now() - t0) / Double(kb)
        ta.append(x)
        tb.append(y)
        ratios.append(y / x)
    }
    return (median(ta), median(tb), median(ratios))
}

// MARK: Options

struct Options {
    var sizes = [8, 16, 32, 64, 128, 256]
    var elman = [32, 128]
    var scaling = [64, 256, 1024]
    var repeats = 7
    var minSeconds = 0.3
    var precisions: [Precision] = [.f64, .f32]
    var kernels = false
    var tables: Set<String> = ["gemm", "elman", "scaling"]
    var modes = SensitivityMode.allCases
    var presets = ["fully_recurrent", "elman"]
}

nonisolated(unsafe) var opts = Options()
var args = CommandLine.arguments.dropFirst()
func usage() -> Never {
    print("""
    usage: rtrl-bench [--sizes 8,16,...] [--elman 32,128] [--scaling 64,256,1024]
                      [--only gemm|elman|scaling] [--repeats R] [--seconds S] [--f64-only]
                      [--kernels] [--modes exact,snap1,uoro] [--presets fully_recurrent,elman]

    Prints markdown tables (docs/performance.md explains the method):
      gemm     fully_recurrent networks (m = 1 input, 1 output) learning online with SGD
               at every step: steps/s, microseconds per step, GFLOP/s of the sensitivity
               update (2 n n N per step), the rate of cblas_dgemm/sgemm measured in the same
               run on the same shape (n x n) x (n x N) and thread count, and their ratio
      elman    Elman networks: steps/s, the sensitivity entries kept against the naive
               (every unit x N), memory per network
      scaling  steps/s and memory per network for each sensitivity mode (exact, snap1,
               uoro), fully_recurrent and elman
      --kernels  the engine's own product kernel against BLAS on the RTRL shapes
      --modes, --presets  limit the scaling table to these sensitivity modes / networks
    Timings are medians of R rounds of >= S seconds; the RTRL step and the GEMM it is
    compared with are timed in alternating rounds.
    """)
    exit(0)
}
while let a = args.popFirst() {
    func list() -> [Int] { (args.popFirst() ?? "").split(separator: ",").compactMap { Int($0) } }
    switch a {
    case "--sizes": opts.sizes = list()
    case "--elman": opts.elman = list()
    case "--scaling": opts.scaling = list()
    case "--only": opts.tables = Set((args.popFirst() ?? "").split(separator: ",").map(String.init))
    case "--repeats": opts.repeats = Int(args.popFirst() ?? "") ?? opts.repeats
    case "--seconds": opts.minSeconds = Double(args.popFirst() ?? "") ?? opts.minSeconds
    case "--f64-only": opts.precisions = [.f64]
    case "--kernels": opts.kernels = true
    case "--modes":
        let names = (args.popFirst() ?? "").split(separator: ",").map(String.init)
        opts.modes = names.compactMap { SensitivityMode(rawValue: $0) }
        if opts.modes.count != names.count {
            print("rtrl-bench: --modes takes exact, snap1 and uoro")
            exit(2)
        }
    case "--presets":
        opts.presets = (args.popFirst() ?? "").split(separator: ",").map(String.init)
        if opts.presets.contains(where: { $0 != "fully_recurrent" && $0 != "elman" }) {
            print("rtrl-bench: --presets takes fully_recurrent and elman")
            exit(2)
        }
    case "-h", "--help": usage()
    default:
        print("rtrl-bench: unknown option \(a) (try --help)")
        exit(2)
    }
}

// MARK: Benchmarks

/// A runner of `steps` learning steps of `net` on a sine input/target stream (SGD at
/// every step, prediction before learning), warmed up.
func stepRunner(_ net: Network) -> (Int) -> Void {
    let m = net.numInputs, k = net.numOutputs
    let x = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(m, 1) * 1024)
    let y = UnsafeMutableBufferPointer<Double>.allocate(capacity: k * 1024)
    let out = UnsafeMutableBufferPointer<Double>.allocate(capacity: k)
    for t in 0..<1024 {
        for i in 0..<m { x[t * m + i] = sin(0.3 * Double(t)) }
        for i in 0..<k { y[t * k + i] = 0.5 * sin(0.3 * Double(t + 1)) }
    }
    var t = 0
    let run: (Int) -> Void = { steps in
        for _ in 0..<steps {
            let j = t & 1023
            _ = try? net.step(UnsafeBufferPointer(rebasing: x[(j * m)..<(j * m + m)]),
                              target: UnsafeBufferPointer(rebasing: y[(j * k)..<(j * k + k)]), output: out)
            t += 1
        }
    }
    run(3)
    return run
}

/// Repetitions of C = A B (beta 0), A (m x k), B (k x n), row-major, with OpenBLAS.
func gemmRunner(_ m: Int, _ n: Int, _ k: Int, _ p: Precision) -> (Int) -> Void {
    switch p {
    case .f64:
        let a = UnsafeMutablePointer<Double>.allocate(capacity: m * k), b = UnsafeMutablePointer<Double>.allocate(capacity: k * n)
        let c = UnsafeMutablePointer<Double>.allocate(capacity: m * n)
        a.initialize(repeating: 0.01, count: m * k); b.initialize(repeating: 0.02, count: k * n); c.initialize(repeating: 0, count: m * n)
        return { reps in
            for _ in 0..<reps {
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
                            1, a, Int32(k), b, Int32(n), 0, c, Int32(n))
            }
        }
    case .f32:
        let a = UnsafeMutablePointer<Float>.allocate(capacity: m * k), b = UnsafeMutablePointer<Float>.allocate(capacity: k * n)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
        a.initialize(repeating: 0.01, count: m * k); b.initialize(repeating: 0.02, count: k * n); c.initialize(repeating: 0, count: m * n)
        return { reps in
            for _ in 0..<reps {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
                            1, a, Int32(k), b, Int32(n), 0, c, Int32(n))
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
            let blas = measure(minSeconds: opts.minSeconds, repeats: opts.repeats, gemmRunner(n, N, n, p))
            print("| \(n) | \(p.rawValue) | \(fmt(flop / blas * 1e-9, 2)) | \(fmt(flop / timeSmallKernel(n, N, n, p) * 1e-9, 2)) |")
        }
    }
    exit(0)
}

let kernels = RTRLRuntime.kernels
print("rtrl-bench: \(kernels.blas) (\(RTRLRuntime.blasThreads) threads); engine kernel \(kernels.engine); median of \(opts.repeats) rounds of >= \(opts.minSeconds) s")
print()

func configured(_ net: Network, _ mode: SensitivityMode = .exact) -> Network? {
    var c = TrainingConfiguration()
    c.learningRate = 1e-4
    c.sensitivity = mode
    do { try net.configure(c) } catch { return nil }
    return net
}

if opts.tables.contains("gemm") {
    print("## fully_recurrent, m = 1, SGD at every step, against the same-run GEMM")
    print()
    print("| n | precision | N | steps/s | µs/step | GFLOP/s | GEMM GFLOP/s (same shape) | ratio | memory/net |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for n in opts.sizes {
        for p in opts.precisions {
            guard let net = try? Network.fullyRecurrent(inputs: 1, units: n, outputs: 1, seed: 1, precision: p),
                  configured(net) != nil else { continue }
            let N = net.numParams
            let r = measurePair(minSeconds: opts.minSeconds, repeats: opts.repeats, stepRunner(net), gemmRunner(n, N, n, p))
            let flop = 2.0 * Double(n) * Double(n) * Double(N)
            print("| \(n) | \(p.rawValue) | \(N) | \(fmt(1 / r.a, 0)) | \(fmt(r.a * 1e6, 2)) | \(fmt(flop / r.a * 1e-9, 2)) | \(fmt(flop / r.b * 1e-9, 2)) | \(fmt(r.ratio, 2)) | \(bytes(net.memoryBytes)) |")
        }
    }
    print()
}

if opts.tables.contains("elman") {
    print("## Elman 1-n-1: the hidden P has no output-weight columns; the output layer keeps no P")
    print()
    print("| n_hidden | precision | N | steps/s | µs/step | P entries kept (per buffer) | naive: every unit x N (per buffer) | memory/net |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for n in opts.elman {
        for p in opts.precisions {
            guard let net = try? Network.elman(inputs: 1, hidden: n, outputs: 1, seed: 1, precision: p),
                  configured(net) != nil else { continue }
            let run = stepRunner(net)
            let sec = measure(minSeconds: opts.minSeconds, repeats: opts.repeats, run)
            let N = net.numParams
            print("| \(n) | \(p.rawValue) | \(N) | \(fmt(1 / sec, 0)) | \(fmt(sec * 1e6, 2)) | \(net.sensitivityEntries / 2) | \((n + 1) * N) | \(bytes(net.memoryBytes)) |")
        }
    }
    print()
}

if opts.tables.contains("scaling") {
    print("## Sensitivity modes: steps/s and memory per network (f32, SGD at every step)")
    print()
    print("| network | n | N | mode | path | steps/s | memory/net | memory / parameter memory |")
    print("|---|---:|---:|---|---|---:|---:|---:|")
    for preset in opts.presets {
        for n in opts.scaling {
            for mode in opts.modes {
                let make = { () throws(RTRLError) -> Network in
                    preset == "elman"
                        ? try Network.elman(inputs: 1, hidden: n, outputs: 1, seed: 1, precision: .f32)
                        : try Network.fullyRecurrent(inputs: 1, units: n, outputs: 1, seed: 1, precision: .f32)
                }
                guard let net = try? make() else { continue }
                let N = net.numParams
                guard configured(net, mode) != nil else {
                    let need = Double(net.sensitivityEntries) * 4 / Double(1 << 30)
                    print("| \(preset) | \(n) | \(N) | \(mode.rawValue) | — | too large (exact P needs \(fmt(need, 1)) GiB) | — | — |")
                    continue
                }
                // A few steps at least; slow networks (exact, large n) get fewer rounds.
                let sec = measure(minSeconds: opts.minSeconds, repeats: max(3, opts.repeats / 2), stepRunner(net))
                print("| \(preset) | \(n) | \(N) | \(mode.rawValue) | \(net.sensitivityPath.rawValue) | \(fmt(1 / sec, 1)) | \(bytes(net.memoryBytes)) | \(fmt(Double(net.memoryBytes) / Double(4 * N), 2)) |")
            }
        }
    }
    print()
}
