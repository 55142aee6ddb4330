#if canImport(Glibc)
import Glibc
#endif
import RTRL
import Testing
@testable import RTRLStream

/// Stream checkpoints that are truncated, damaged or from a future version: a clear error,
/// and never half-applied — neither one stream (the network inside is checked as a whole)
/// nor the adapter (it refuses to start rather than start with some streams missing).
@Suite(.serialized) struct CheckpointHardeningTests {
    static func checkpoint(_ topic: String, seed: UInt64 = 5) throws -> StreamCheckpoint {
        let net = try Network.elman(inputs: 1, hidden: 3, outputs: 1, seed: seed)
        for t in 0..<4 { try net.step([0.1 * Double(t)], target: [0.2]) }
        return StreamCheckpoint(topic: Array(topic.utf8), forecast: false, nextSeq: 4, samples: 4, gaps: 0, repeats: 0,
                                squaredErrorSum: 0.5, squaredErrorCount: 4, hasPendingForecast: false,
                                network: net.serialized())
    }

    /// `bytes` with its trailing CRC-32C recomputed.
    static func resealed(_ bytes: [UInt8]) -> [UInt8] {
        var b = bytes
        let crc = Array(b[0 ..< b.count - 4]).withUnsafeBytes { _CRC32C.checksum($0) }
        for k in 0..<4 { b[b.count - 4 + k] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(k))) }
        return b
    }

    /// Offset of the network inside an encoded checkpoint.
    static func networkOffset(_ c: StreamCheckpoint) -> Int { 18 + c.topic.count + 49 + 8 }

    @Test func everyTruncationIsCorrupt() throws {
        let bytes = try Self.checkpoint("a").encoded()
        var wrong: [Int] = []
        for n in 0..<bytes.count {
            do {
                _ = try StreamCheckpoint(decoding: Array(bytes.prefix(n)))
                wrong.append(n)
            } catch {
                if error.code != .corrupt { wrong.append(n) }
            }
        }
        #expect(wrong.isEmpty, "truncations accepted or misreported: \(wrong.prefix(10))")
        #expect(try StreamCheckpoint(decoding: bytes) == Self.checkpoint("a"))
    }

    @Test func everyByteFlipIsDetected() throws {
        let bytes = try Self.checkpoint("b").encoded()
        var accepted: [Int] = []
        for i in bytes.indices {
            var b = bytes
            b[i] ^= 0x01
            if (try? StreamCheckpoint(decoding: b)) != nil { accepted.append(i) }
        }
        #expect(accepted.isEmpty, "flips accepted at \(accepted.prefix(10))")
    }

    /// Damage inside the network behind a valid file checksum: the file decodes, the
    /// restore refuses it as corrupt (the network's own checksum), and no stream exists.
    @Test func aDamagedNetworkBehindAValidFileChecksumIsCorrupt() throws {
        let c = try Self.checkpoint("c")
        var bytes = c.encoded()
        bytes[Self.networkOffset(c) + 40] ^= 0x10
        bytes = Self.resealed(bytes)
        let decoded = try StreamCheckpoint(decoding: bytes)
        do {
            _ = try _TopicStream(restoring: decoded)
            Issue.record("restored a damaged network")
        } catch {
            #expect(error.code == .corrupt)
            #expect(error.message.contains("checksum"))
        }
    }

    /// A network of a future format version inside a current checkpoint: unsupportedVersion.
    @Test func aFutureNetworkVersionIsReportedAsSuch() throws {
        let c = try Self.checkpoint("d")
        var bytes = c.encoded()
        bytes[Self.networkOffset(c) + 8] = 9
        bytes = Self.resealed(bytes)
        do {
            _ = try _TopicStream(restoring: StreamCheckpoint(decoding: bytes))
            Issue.record("restored a version-9 network")
        } catch {
            #expect(error.code == .unsupportedVersion)
            #expect(error.message.contains("version 9"))
        }
    }

    @Test func aFutureFileVersionIsReportedAndVersionZeroIsCorrupt() throws {
        let bytes = try Self.checkpoint("e").encoded()
        for (version, code) in [(UInt8(2), StreamError.Code.unsupportedVersion), (200, .unsupportedVersion), (0, .corrupt)] {
            var b = bytes
            b[8] = version
            b = Self.resealed(b)
            do {
                _ = try StreamCheckpoint(decoding: b)
                Issue.record("accepted version \(version)")
            } catch {
                #expect(error.code == code, "version \(version)")
            }
        }
    }

    /// A directory with two good checkpoints and one truncated one: the adapter refuses
    /// to start (naming the bad file) and touches none of the files.
    @Test func anAdapterRefusesToStartWithOneBadCheckpoint() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        var contents: [String: [UInt8]] = [:]
        for topic in ["good1", "good2", "bad"] {
            var bytes = try Self.checkpoint(topic).encoded()
            if topic == "bad" { bytes = Array(bytes.prefix(bytes.count - 9)) }
            let name = TopicFileName.encode(topic)
            try AtomicFile.write(bytes, to: dir + "/" + name)
            contents[name] = bytes
        }
        var c = pushPullConfiguration()
        c.checkpointDirectory = dir
        c.hidden = 3
        do {
            _ = try StreamAdapter(c)
            Issue.record("started with a truncated checkpoint")
        } catch {
            #expect(error.code == .corrupt)
            #expect(error.message.contains(TopicFileName.encode("bad")))
        }
        for (name, bytes) in contents {
            #expect(try AtomicFile.read(dir + "/" + name) == bytes, "\(name) changed")
        }
        #expect(try _listDirectory(dir).sorted() == contents.keys.sorted())
    }

    /// What a crash in the middle of a write leaves (a temporary file next to the last
    /// complete checkpoint): removed at start; the complete checkpoint is restored.
    @Test func aWriteInterruptedByACrashLeavesTheLastCheckpoint() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        let good = try Self.checkpoint("s").encoded()
        let name = TopicFileName.encode("s")
        try AtomicFile.write(good, to: dir + "/" + name)
        let temporary = dir + "/." + name + ".tmp-Ab12Cd"
        try AtomicFile.write(Array(good.prefix(good.count / 3)), to: temporary)
        var c = pushPullConfiguration()
        c.checkpointDirectory = dir
        c.hidden = 3
        let adapter = try StreamAdapter(c)
        #expect(adapter.stats.streams == 1)
        #expect(try _listDirectory(dir) == [name])
        #expect(try AtomicFile.read(dir + "/" + name) == good)
    }

    /// AtomicFile replaces the whole file (a shorter new content leaves no tail of the old
    /// one) and leaves no temporary file behind; a failed write leaves the old file.
    @Test func atomicWritesReplaceWholeFilesAndFailuresKeepTheOld() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        let path = dir + "/f.ckpt"
        try AtomicFile.write([UInt8](repeating: 7, count: 5000), to: path)
        try AtomicFile.write([1, 2, 3], to: path)
        #expect(try AtomicFile.read(path) == [1, 2, 3])
        #expect(try _listDirectory(dir) == ["f.ckpt"])
        #expect(throws: AtomicFile.Failure.self) { try AtomicFile.write([9], to: dir + "/missing/f.ckpt") }
        mkdir(dir + "/sub", 0o700)
        mkdir(dir + "/sub/f.ckpt", 0o700)  // a directory where the file should go: rename fails
        #expect(throws: AtomicFile.Failure.self) { try AtomicFile.write([9], to: dir + "/sub/f.ckpt") }
        #expect(try _listDirectory(dir + "/sub") == ["f.ckpt"], "the failed write left a temporary file")
        rmdir(dir + "/sub/f.ckpt")
        rmdir(dir + "/sub")
        #expect(try AtomicFile.read(path) == [1, 2, 3])
    }
}
