import Testing
import RTRL

/// The engine's kernel splits large products by columns over several threads: the split
/// must not change a single bit of the result (every column is computed by the same
/// sequence of operations whichever thread computes it), and networks stepping on
/// several threads at once (one of them gets the workers, the others run alone) must not
/// disturb each other.
@Suite(.serialized) struct ThreadsTests {
    struct Trajectory: Equatable, Sendable {
        var parameters: [Double]
        var outputs: [Double]
    }

    /// n = 64: the sensitivity product (64 x 64 by 64 x 4224) is above the split threshold.
    private static func trajectory(_ precision: Precision, seed: UInt64 = 5) throws -> Trajectory {
        let net = try Network.fullyRecurrent(inputs: 1, units: 64, outputs: 1, seed: seed, precision: precision)
        try net.configure(TrainingConfiguration(learningRate: 0.01))
        var outputs: [Double] = []
        for t in 0..<12 {
            let x = Double((t * 37) % 11) / 11 - 0.5
            outputs.append(try net.step([x], target: [x / 2]).output[0])
        }
        return Trajectory(parameters: net.parameters(), outputs: outputs)
    }

    private func run(_ precision: Precision, threads: Int) throws -> Trajectory {
        try RTRLRuntime.setBLASThreads(threads)
        return try Self.trajectory(precision)
    }

    @Test(arguments: [Precision.f64, .f32])
    func splittingTheProductOverThreadsChangesNoBit(_ precision: Precision) throws {
        defer { try? RTRLRuntime.setBLASThreads(0) }
        let one = try run(precision, threads: 1)
        let two = try run(precision, threads: 2)
        let three = try run(precision, threads: 3)
        #expect(one == two)
        #expect(one == three)
        #expect(one.parameters.allSatisfy { $0.isFinite })
    }

    @Test func networksSteppingOnSeveralThreadsAtOnce() async throws {
        defer { try? RTRLRuntime.setBLASThreads(0) }
        try RTRLRuntime.setBLASThreads(1)
        let reference = try (0..<4).map { try Self.trajectory(.f64, seed: UInt64(10 + $0)) }
        try RTRLRuntime.setBLASThreads(2)
        let concurrent = try await withThrowingTaskGroup(of: (Int, Trajectory).self) { group in
            for k in 0..<4 {
                group.addTask { (k, try Self.trajectory(.f64, seed: UInt64(10 + k))) }
            }
            var out = [Trajectory?](repeating: nil, count: 4)
            for try await (k, t) in group { out[k] = t }
            return out
        }
        for k in 0..<4 { #expect(concurrent[k] == reference[k]) }
    }
}
