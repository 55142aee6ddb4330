import RTRL
import Testing
@testable import RTRLStream

@Suite struct CheckpointTests {
    func sample() throws -> StreamCheckpoint {
        let net = try Network.elman(inputs: 1, hidden: 3, outputs: 1, seed: 5)
        try net.step([0.5], target: [0.1])
        return StreamCheckpoint(topic: Array("../x".utf8), forecast: true, nextSeq: 9, samples: 8, gaps: 1, repeats: 2,
                                squaredErrorSum: 0.125, squaredErrorCount: 7, hasPendingForecast: true, network: net.serialized())
    }

    @Test func roundTrips() throws {
        let c = try sample()
        let bytes = c.encoded()
        #expect(Array(bytes.prefix(8)) == Array("RTRLSTRM".utf8))
        #expect(try StreamCheckpoint(decoding: bytes) == c)
    }

    @Test func restoredStreamContinuesBitForBit() throws {
        let c = try sample()
        let a = try Network.deserialize(c.network)
        let b = try _TopicStream(restoring: StreamCheckpoint(decoding: c.encoded())).network
        for t in 0..<20 {
            let x = [Double(t) * 0.1]
            let ra = try a.step(x, target: [0.2]), rb = try b.step(x, target: [0.2])
            #expect(ra.output.map(\.bitPattern) == rb.output.map(\.bitPattern))
            #expect(ra.loss?.bitPattern == rb.loss?.bitPattern)
        }
    }

    @Test func everyFlippedByteIsDetected() throws {
        let bytes = try sample().encoded()
        for i in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 97)) {
            var b = bytes
            b[i] ^= 0x40
            #expect(throws: StreamError.self) { try StreamCheckpoint(decoding: b) }
        }
    }

    @Test func truncationIsCorrupt() throws {
        let bytes = try sample().encoded()
        for n in [0, 7, 12, 20, bytes.count / 2, bytes.count - 1] {
            do {
                _ = try StreamCheckpoint(decoding: Array(bytes.prefix(n)))
                Issue.record("accepted \(n) bytes")
            } catch {
                #expect(error.code == .corrupt)
            }
        }
    }

    @Test func newerVersionIsReported() throws {
        var bytes = try sample().encoded()
        bytes[8] = 2
        do {
            _ = try StreamCheckpoint(decoding: bytes)
            Issue.record("accepted version 2")
        } catch {
            #expect(error.code == .unsupportedVersion)
        }
    }
}
