#if canImport(Glibc)
import Glibc
#endif
import CZeroMQ
import RTRL
import Testing
@testable import RTRLStream

/// A PUSH client and a PULL client (their own libzmq context) around an adapter that binds
/// PULL in and PUSH out on ephemeral TCP ports.
final class Clients {
    let ctx = zmq_ctx_new()!
    let push: UnsafeMutableRawPointer
    let pull: UnsafeMutableRawPointer

    init(_ adapter: StreamAdapter) {
        push = zmq_socket(ctx, ZMQ_PUSH)
        pull = zmq_socket(ctx, ZMQ_PULL)
        var timeout: Int32 = 5000
        zmq_setsockopt(pull, ZMQ_RCVTIMEO, &timeout, 4)
        zmq_connect(push, adapter.inputEndpoints[0].address)
        zmq_connect(pull, adapter.outputEndpoints[0].address)
    }

    deinit {
        var zero: Int32 = 0
        zmq_setsockopt(push, ZMQ_LINGER, &zero, 4)
        zmq_close(push)
        zmq_close(pull)
        zmq_ctx_term(ctx)
    }

    func send(_ topic: String, _ payload: [UInt8]) {
        let t = Array(topic.utf8)
        _ = t.withUnsafeBytes { zmq_send(push, $0.baseAddress, $0.count, ZMQ_SNDMORE) }
        _ = payload.withUnsafeBytes { zmq_send(push, $0.baseAddress, $0.count, 0) }
    }

    /// The next (topic, payload), or nil after the receive timeout.
    func receive() -> (String, [UInt8])? {
        var frames: [[UInt8]] = []
        var msg = zmq_msg_t()
        zmq_msg_init(&msg)
        defer { zmq_msg_close(&msg) }
        repeat {
            guard zmq_msg_recv(&msg, pull, 0) >= 0 else { return nil }
            frames.append(Array(UnsafeRawBufferPointer(start: zmq_msg_data(&msg), count: zmq_msg_size(&msg))))
        } while zmq_msg_more(&msg) != 0
        return (String(decoding: frames[0], as: UTF8.self), frames.count > 1 ? frames[1] : [])
    }
}

func pushPullConfiguration() -> StreamConfiguration {
    var c = StreamConfiguration()
    c.inputPattern = .pull
    c.inputEndpoint = "@tcp://127.0.0.1:*"
    c.outputPattern = .push
    c.outputEndpoint = "@tcp://127.0.0.1:*"
    c.statsEvery = 0
    c.logDescriptor = -1
    c.lingerMilliseconds = 0
    return c
}

@Suite(.serialized) struct AdapterTests {
    @Test func stopFromAnotherThreadEndsRun() throws {
        let adapter = try StreamAdapter(pushPullConfiguration())
        var reason: StreamAdapter.StopReason?
        let t0 = monotonicNow()
        let runner = TestThread { reason = try? adapter.run() }
        sleepSeconds(0.2)
        adapter.stop()
        runner.join()
        let elapsed = monotonicNow() - t0
        #expect(reason == .stopped)
        #expect(elapsed < 1.5, "run took \(elapsed) s to stop")
    }

    @Test func stopBeforeRunIsHonouredOnce() throws {
        let adapter = try StreamAdapter(pushPullConfiguration())
        adapter.stop()
        #expect(try adapter.run(timeout: 5) == .stopped)
        let t0 = monotonicNow()
        #expect(try adapter.run(timeout: 0.2) == .timeout)
        #expect(monotonicNow() - t0 >= 0.19)
    }

    @Test func limitsEndRun() throws {
        let adapter = try StreamAdapter(pushPullConfiguration())
        #expect(try adapter.run(maxMessages: 0) == .messageLimit)
        let clients = Clients(adapter)
        for i in 0..<5 { clients.send("a", SampleEncoder.binary(Sample(x: [Double(i)], target: [0], seq: UInt64(i)))) }
        #expect(try adapter.run(maxMessages: 3, timeout: 5) == .messageLimit)
        #expect(adapter.stats.messages == 3)
        #expect(try adapter.run(maxMessages: 2, timeout: 5) == .messageLimit)
        #expect(adapter.stats.predictions == 5)
        for _ in 0..<5 { #expect(clients.receive() != nil) }
    }

    @Test func concurrentRunIsRefused() throws {
        let adapter = try StreamAdapter(pushPullConfiguration())
        let runner = TestThread { _ = try? adapter.run(timeout: 5) }
        sleepSeconds(0.1)
        #expect(throws: StreamError.self) { _ = try adapter.run(timeout: 0.1) }
        adapter.stop()
        runner.join()
    }

    @Test func statsAreReadableWhileRunning() throws {
        let adapter = try StreamAdapter(pushPullConfiguration())
        let clients = Clients(adapter)
        let runner = TestThread { _ = try? adapter.run() }
        for i in 0..<100 { clients.send("s", SampleEncoder.binary(Sample(x: [0.1 * Double(i)], target: [0.5], seq: UInt64(i)))) }
        for _ in 0..<100 { _ = clients.receive() }
        let deadline = monotonicNow() + 2
        while adapter.stats.predictions < 100 && monotonicNow() < deadline { sleepSeconds(0.01) }
        let s = adapter.stats
        #expect(s.predictions == 100 && s.messages == 100 && s.streams == 1)
        #expect(s.squaredErrorCount == 100)
        adapter.stop()
        runner.join()
    }

    @Test func predictionsEqualAnOfflineNetwork() throws {
        var c = pushPullConfiguration()
        c.hidden = 4
        c.seed = 3
        c.training.learningRate = 0.05
        let adapter = try StreamAdapter(c)
        let clients = Clients(adapter)
        let reference = try Network.elman(inputs: 1, hidden: 4, outputs: 1, seed: 3)
        var tc = TrainingConfiguration()
        tc.learningRate = 0.05
        try reference.configure(tc)
        let n = 50
        for i in 0..<n {
            let target: [Double]? = i % 7 == 3 ? nil : [sin(Double(i + 1) * 0.3)]
            clients.send("t", SampleEncoder.binary(Sample(x: [sin(Double(i) * 0.3)], target: target, seq: UInt64(i))))
        }
        #expect(try adapter.run(maxMessages: n, timeout: 10) == .messageLimit)
        for i in 0..<n {
            let target: [Double]? = i % 7 == 3 ? nil : [sin(Double(i + 1) * 0.3)]
            let expected = try reference.step([sin(Double(i) * 0.3)], target: target)
            guard let (topic, payload) = clients.receive(), let p = PredictionCodec.decode(payload) else {
                Issue.record("no prediction \(i)")
                return
            }
            #expect(topic == "t")
            #expect(p.seq == UInt64(i) && p.step == UInt64(i + 1))
            #expect(p.y.map(\.bitPattern) == expected.output.map(\.bitPattern))
            #expect(p.loss.bitPattern == (expected.loss ?? .nan).bitPattern)
        }
    }

    @Test func malformedMessagesAreCountedAndChangeNothing() throws {
        let adapter = try StreamAdapter(pushPullConfiguration())
        let clients = Clients(adapter)
        clients.send("", SampleEncoder.binary(Sample(x: [1])))
        clients.send(String(repeating: "t", count: 256), SampleEncoder.binary(Sample(x: [1])))
        clients.send("a", [1, 2, 3])
        clients.send("a", Array(#"{"x": [NaN]}"#.utf8))
        clients.send("a", SampleEncoder.binary(Sample(x: [1, 2])))
        #expect(try adapter.run(maxMessages: 5, timeout: 5) == .messageLimit)
        let s = adapter.stats
        #expect(s.malformed == 5 && s.predictions == 0 && s.streams == 0)
        #expect(s.malformed(.emptyTopic) == 1 && s.malformed(.topicTooLong) == 1 && s.malformed(.truncated) == 1)
        #expect(s.malformed(.badJSON) == 1 && s.malformed(.inputCountMismatch) == 1)
    }

    @Test func checkpointsRestoreTheStreams() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        var c = pushPullConfiguration()
        c.checkpointDirectory = dir
        c.checkpointEvery = 0
        let samples = (0..<30).map { Sample(x: [cos(Double($0))], target: [sin(Double($0))], seq: UInt64($0)) }
        // Uninterrupted.
        var straight: [Prediction] = []
        do {
            var c2 = pushPullConfiguration()
            c2.checkpointDirectory = nil
            let a = try StreamAdapter(c2)
            let cl = Clients(a)
            for s in samples { cl.send("../../x", SampleEncoder.binary(s)) }
            _ = try a.run(maxMessages: 30, timeout: 10)
            for _ in 0..<30 { straight.append(PredictionCodec.decode(cl.receive()!.1)!) }
        }
        // Interrupted after 12, restarted from the checkpoint.
        var resumed: [Prediction] = []
        do {
            let a = try StreamAdapter(c)
            let cl = Clients(a)
            for s in samples.prefix(12) { cl.send("../../x", SampleEncoder.binary(s)) }
            _ = try a.run(maxMessages: 12, timeout: 10)
            for _ in 0..<12 { resumed.append(PredictionCodec.decode(cl.receive()!.1)!) }
            a.stop()
            #expect(try a.run(timeout: 5) == .stopped)
            #expect(a.stats.checkpointsWritten == 1)
        }
        #expect(try _listDirectory(dir) == ["t-%2e%2e%2f%2e%2e%2fx.ckpt"])
        do {
            let a = try StreamAdapter(c)
            #expect(a.stats.streams == 1)
            let cl = Clients(a)
            for s in samples.dropFirst(12) { cl.send("../../x", SampleEncoder.binary(s)) }
            _ = try a.run(maxMessages: 18, timeout: 10)
            for _ in 0..<18 { resumed.append(PredictionCodec.decode(cl.receive()!.1)!) }
            #expect(a.stats.gaps == 0 && a.stats.repeats == 0)
        }
        #expect(resumed == straight)
    }

    @Test func checkpointOfAnotherNetworkIsRefused() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        var c = pushPullConfiguration()
        c.checkpointDirectory = dir
        do {
            let a = try StreamAdapter(c)
            let cl = Clients(a)
            cl.send("a", SampleEncoder.binary(Sample(x: [1], target: [1])))
            _ = try a.run(maxMessages: 1, timeout: 5)
            a.writeCheckpoints()
        }
        c.hidden = 3
        #expect(throws: StreamError.self) { _ = try StreamAdapter(c) }
        c.hidden = 8
        c.forecast = true
        #expect(throws: StreamError.self) { _ = try StreamAdapter(c) }
    }

    @Test func bindingAnAddressInUseFails() throws {
        let a = try StreamAdapter(pushPullConfiguration())
        var c = pushPullConfiguration()
        c.inputEndpoint = "@" + a.inputEndpoints[0].address
        do {
            _ = try StreamAdapter(c)
            Issue.record("bound twice")
        } catch {
            #expect(error.code == .stream)
            #expect(error.message.contains("bind"))
        }
    }
}
