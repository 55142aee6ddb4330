#if canImport(Glibc)
import Glibc
#endif
import RTRL
import Synchronization
import Testing
@testable import RTRLStream

/// `run()` on one thread, `stop()` and `stats` from others, while messages flow: run under
/// ThreadSanitizer by `make sanitize` (`swift test --sanitize=thread`), where any data race
/// between the threads fails the run.
@Suite(.serialized) struct CrossThreadStopTests {
    /// A sender thread streams samples, a reader polls `stats`, the main thread stops the
    /// adapter mid-stream; the stop writes the checkpoint of everything handled.
    @Test func stopWhileMessagesFlowWritesACompleteCheckpoint() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        var c = pushPullConfiguration()
        c.checkpointDirectory = dir
        c.checkpointEvery = 0
        let adapter = try StreamAdapter(c)
        let clients = Clients(adapter)
        let reason = Mutex<StreamAdapter.StopReason?>(nil)
        let runner = TestThread { reason.withLock { $0 = try? adapter.run() } }
        let done = Atomic<Bool>(false)
        let maxSeen = Atomic<UInt64>(0)
        let reader = TestThread {
            while !done.load(ordering: .acquiring) {
                let s = adapter.stats
                if s.predictions > maxSeen.load(ordering: .relaxed) { maxSeen.store(s.predictions, ordering: .relaxed) }
                sleepSeconds(0.001)
            }
        }
        for i in 0..<400 {
            clients.send("x", SampleEncoder.binary(Sample(x: [sin(Double(i))], target: [0.5], seq: UInt64(i))))
        }
        var received = 0
        while received < 200, clients.receive() != nil { received += 1 }
        adapter.stop()
        runner.join()
        done.store(true, ordering: .releasing)
        reader.join()
        #expect(reason.withLock { $0 } == .stopped)
        let s = adapter.stats
        #expect(s.predictions >= 200 && s.predictions <= 400)
        #expect(maxSeen.load(ordering: .relaxed) <= s.predictions)
        let c1 = try StreamCheckpoint(decoding: AtomicFile.read(dir + "/" + TopicFileName.encode("x")))
        #expect(c1.nextSeq == s.predictions, "the checkpoint holds exactly what was handled")
        #expect(s.checkpointsWritten == 1)
    }

    /// Many threads call stop() at once, repeatedly, while run() is active; then run()
    /// is called again from another thread and stopped again.
    @Test func concurrentStopsAndARunOnAnotherThread() throws {
        let adapter = try StreamAdapter(pushPullConfiguration())
        for round in 0..<3 {
            let reason = Mutex<StreamAdapter.StopReason?>(nil)
            let runner = TestThread { reason.withLock { $0 = try? adapter.run(timeout: 10) } }
            sleepSeconds(0.05)
            let stoppers = (0..<4).map { _ in TestThread { for _ in 0..<50 { adapter.stop() } } }
            for t in stoppers { t.join() }
            runner.join()
            #expect(reason.withLock { $0 } == .stopped, "round \(round)")
            // Stops raised after run returned are honoured once by the next run.
            _ = try adapter.run(timeout: 0.05)
        }
    }
}
