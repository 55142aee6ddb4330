#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CZeroMQ
import RTRL
import Synchronization

/// The ZeroMQ stream learner: receives samples, keeps one network per topic, publishes
/// each prediction (made before learning from the sample) on the same topic.
///
/// ```swift
/// var config = StreamConfiguration()
/// config.inputPattern = .pull
/// config.inputEndpoint = "@tcp://127.0.0.1:5555"
/// let adapter = try StreamAdapter(config)
/// let reason = try adapter.run()        // until stop(), a limit or a timeout
/// print(adapter.stats.summary)
/// ```
///
/// **Threads.** An adapter is driven by one thread at a time: `init`, ``run(maxMessages:timeout:)``,
/// ``writeCheckpoints()`` and release happen on one thread, or are handed between threads
/// with the caller's own synchronisation. Two exceptions: ``stop()`` may be called at any
/// time from any thread *and from a signal handler* (it is async-signal-safe), and
/// ``stats`` may be read from any thread at any time (while `run` is active it is a
/// snapshot at most about 50 ms old). Signal handling itself is the host program's job:
/// install a handler for SIGINT/SIGTERM that calls `stop()`.
///
/// **Math.** All of it is the engine's: every stream's network is a ``RTRL/Network/copy()``
/// of the template (``StreamConfiguration/makeTemplate()``), stepped with
/// ``RTRL/Network/step(_:target:output:)`` (or, in forecast mode, `learn` then `feed`), so a
/// stream's predictions equal those of the same network fed the same samples offline.
public final class StreamAdapter {
    /// Why ``run(maxMessages:timeout:)`` returned.
    public enum StopReason: String, Sendable {
        /// ``stop()`` was called (checkpoints were written).
        case stopped
        /// `maxMessages` input messages were handled.
        case messageLimit = "message_limit"
        /// `timeout` seconds passed.
        case timeout
    }

    /// The settings the adapter was created with.
    public let configuration: StreamConfiguration
    /// The input endpoints, resolved (a bound `tcp://127.0.0.1:*` shows its port).
    public let inputEndpoints: [Endpoint]
    /// The output endpoints, resolved.
    public let outputEndpoints: [Endpoint]

    let template: Network
    let shape: SampleShape
    @exclusivity(unchecked) var table = _TopicTable()
    /// Checkpoint file names in use (to refuse a topic whose name another topic has).
    var fileNames: Set<String> = []
    let log: _Log

    // Sockets. Each keeps the context alive; it is terminated after the last one closes.
    let zap: _ZAPHandler?
    let monitor: _ConnectionMonitor
    let input: _ZMQSocket
    let output: _ZMQSocket
    let topicFrame = _ZMQMessage()
    let payloadFrame = _ZMQMessage()
    let stopSignal: _StopSignal
    private let running = Atomic<Bool>(false)

    // Scratch for one message.
    let x: UnsafeMutablePointer<Double>
    let target: UnsafeMutablePointer<Double>
    let y: UnsafeMutablePointer<Double>
    let out: UnsafeMutableRawPointer
    let outSize: Int
    /// The poll sets for waiting on input and for waiting until the output can send.
    let inputPollItems: UnsafeMutablePointer<zmq_pollitem_t>
    let outputPollItems: UnsafeMutablePointer<zmq_pollitem_t>
    let inputPollCount: Int
    let outputPollCount: Int

    // Counters and clocks: touched by the run thread only, per message, so without Swift's
    // dynamic exclusivity checks (they cost several percent of a message).
    @exclusivity(unchecked) var live = StreamStats()
    private let snapshot = Mutex(StreamStats())
    let startTime = _monotonicSeconds()
    @exclusivity(unchecked) var nextStats = 0.0
    @exclusivity(unchecked) var nextCheckpoint = 0.0
    @exclusivity(unchecked) var nextSnapshot = 0.0
    @exclusivity(unchecked) var lastStatsTime = 0.0
    @exclusivity(unchecked) var messagesAtLastStats: UInt64 = 0
    /// `messages` at the last snapshot.
    @exclusivity(unchecked) var publishedMessages: UInt64 = 0

    /// Validates the configuration, builds the template, loads the checkpoints, opens and
    /// attaches the sockets.
    ///
    /// - Throws: `invalidArgument` for a bad setting or a checkpoint that does not fit the
    ///   settings, `io`/`corrupt` for unreadable checkpoints or key files, `stream` when a
    ///   socket cannot be set up (an address in use, ...).
    public init(_ config: StreamConfiguration) throws(StreamError) {
        try config.validate()
        configuration = config
        template = try config.makeTemplate()
        shape = config.shape
        log = _Log(descriptor: config.logDescriptor)
        stopSignal = try _StopSignal()
        // The sockets before the scratch buffers: a throw before every property is set
        // skips deinit, so nothing that deinit frees may be allocated before it.
        let sockets = try _AdapterSockets(config, context: try _ZMQContext(), log: log)
        x = .allocate(capacity: max(shape.inputs, 1))
        target = .allocate(capacity: max(shape.outputs, 1))
        y = .allocate(capacity: max(shape.outputs, 1))
        outSize = PredictionCodec.size(outputs: shape.outputs)
        out = .allocate(byteCount: outSize, alignment: 8)
        input = sockets.input
        output = sockets.output
        zap = sockets.zap
        monitor = sockets.monitor
        inputEndpoints = sockets.inputEndpoints
        outputEndpoints = sockets.outputEndpoints
        (inputPollItems, inputPollCount) = Self.makePollItems(
            first: sockets.input.handle, events: ZMQ_POLLIN, stop: stopSignal.readDescriptor, monitor: sockets.monitor, zap: sockets.zap)
        (outputPollItems, outputPollCount) = Self.makePollItems(
            first: sockets.output.handle, events: ZMQ_POLLOUT, stop: stopSignal.readDescriptor, monitor: sockets.monitor, zap: sockets.zap)
        live.shard = config.shard?.description
        if let dir = config.checkpointDirectory { try loadCheckpoints(from: dir) }
        live.streams = table.count
        let t = startTime
        nextStats = config.statsEvery > 0 ? t + config.statsEvery : .infinity
        nextCheckpoint = config.checkpointDirectory != nil && config.checkpointEvery > 0 ? t + config.checkpointEvery : .infinity
        lastStatsTime = t
        publishSnapshot(now: t)
    }

    deinit {
        // The sockets close after this (the output lingering up to `lingerMilliseconds`),
        // then the context they share terminates.
        x.deallocate()
        target.deallocate()
        y.deallocate()
        out.deallocate()
        inputPollItems.deallocate()
        outputPollItems.deallocate()
    }

    /// Requests the running (or next) ``run(maxMessages:timeout:)`` to return
    /// ``StopReason/stopped`` after the message in hand. Safe from any thread and from a
    /// signal handler.
    public func stop() { stopSignal.raise() }

    /// A snapshot of the counters. Safe from any thread.
    public var stats: StreamStats { snapshot.withLock { $0 } }

    /// Receives and handles messages until ``stop()`` is called (then writes the
    /// checkpoints of every stream that changed), `maxMessages` input messages have been
    /// handled, or `timeout` seconds have passed. May be called again after it returns.
    ///
    /// - Throws: `invalidArgument` if `run` is already active on another thread; `stream`
    ///   if the input socket fails (not for bad messages: those are counted).
    public func run(maxMessages: Int? = nil, timeout: Double? = nil) throws(StreamError) -> StopReason {
        guard running.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            throw .invalid("run: the adapter is already running on another thread")
        }
        defer {
            updateAggregates()
            publishSnapshot(now: _monotonicSeconds())
            running.store(false, ordering: .releasing)
        }
        let deadline = timeout.map { _monotonicSeconds() + max(0, $0) } ?? .infinity
        let limit = maxMessages.map { max(0, $0) } ?? Int.max
        var handled = 0
        if handled >= limit { return .messageLimit }
        while true {
            if stopSignal.isRaised {
                stopSignal.consume()
                finishOnStop()
                return .stopped
            }
            var drained = false
            var batch = 0
            batchLoop: while batch < 1024 {
                switch try receiveOne() {
                case .empty:
                    drained = true
                    break batchLoop
                case .interrupted:
                    break batchLoop
                case .handled:
                    batch += 1
                    handled += 1
                }
                if handled >= limit || stopSignal.isRaised { break }
            }
            let now = _monotonicSeconds()
            housekeeping(now: now)
            if handled >= limit { return .messageLimit }
            if now >= deadline { return .timeout }
            if drained && !stopSignal.isRaised {
                if publishedMessages != live.messages { publishSnapshot(now: now) }  // before going idle
                let wait = min(deadline, nextStats, nextCheckpoint) - now
                try waitForInput(seconds: wait)
            }
        }
    }

    /// Writes the checkpoint of every stream that changed since its last one (nothing
    /// without a checkpoint directory). Failures are logged and counted
    /// (`checkpointErrors`), never thrown. Returns the number of files written.
    @discardableResult
    public func writeCheckpoints() -> Int {
        guard let dir = configuration.checkpointDirectory else { return 0 }
        var written = 0
        for s in table.streams where s.dirty {
            let bytes = s.checkpoint(forecast: configuration.forecast).encoded()
            do {
                try AtomicFile.write(bytes, to: dir + "/" + s.fileName)
                s.dirty = false
                written += 1
                live.checkpointsWritten += 1
            } catch {
                live.checkpointErrors += 1
                log.write("checkpoint of \(_JSONWriter.quoted(s.name)) failed: \(error.description)")
            }
        }
        publishSnapshot(now: _monotonicSeconds())
        return written
    }

    // MARK: The loop

    enum _Received { case handled, empty, interrupted }

    /// Receives one message without waiting and handles it.
    @inline(__always)
    func receiveOne() throws(StreamError) -> _Received {
        if topicFrame.receive(input, wait: false) < 0 {
            switch zmq_errno() {
            case EAGAIN: return .empty
            case EINTR: return .interrupted
            default: throw StreamError(.stream, "input: receive failed: \(_zmqErrorText())")
            }
        }
        live.messages += 1
        guard topicFrame.more else {
            malformed(MalformedSample(.frameCount, "a message of one frame"), topic: nil)
            return .handled
        }
        while payloadFrame.receive(input, wait: true) < 0 {
            guard zmq_errno() == EINTR else { throw StreamError(.stream, "input: receive failed: \(_zmqErrorText())") }
        }
        if payloadFrame.more {
            var frames = 2
            while payloadFrame.more {
                if payloadFrame.receive(input, wait: true) < 0 && zmq_errno() != EINTR { break }
                frames += 1
            }
            malformed(MalformedSample(.frameCount, "a message of \(frames) frames"), topic: topicFrame.bytes)
            return .handled
        }
        handle(topic: topicFrame.bytes, payload: payloadFrame.bytes)
        return .handled
    }

    /// Waits up to `seconds` for input, a ZAP request, a monitor event or a stop request.
    func waitForInput(seconds: Double) throws(StreamError) {
        let ms = seconds.isFinite ? Int(min(max(seconds, 0) * 1000, 3_600_000).rounded(.up)) : -1
        if zmq_poll(inputPollItems, Int32(inputPollCount), ms) < 0 && zmq_errno() != EINTR {
            throw StreamError(.stream, "poll failed: \(_zmqErrorText())")
        }
        if inputPollItems[1].revents != 0 { stopSignal.drain() }
        serveZAP()
        pollMonitor()
    }

    /// The poll set of ``waitForInput(seconds:)``: input, stop pipe, monitor, ZAP handler.
    static func makePollItems(first: UnsafeMutableRawPointer, events: Int32, stop: Int32, monitor: _ConnectionMonitor,
                              zap: _ZAPHandler?) -> (UnsafeMutablePointer<zmq_pollitem_t>, Int) {
        var items = [
            zmq_pollitem_t(socket: first, fd: 0, events: Int16(events), revents: 0),
            zmq_pollitem_t(socket: nil, fd: stop, events: Int16(ZMQ_POLLIN), revents: 0),
            zmq_pollitem_t(socket: monitor.socket.handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0),
        ]
        if let zap { items.append(zmq_pollitem_t(socket: zap.socket.handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0)) }
        let p = UnsafeMutablePointer<zmq_pollitem_t>.allocate(capacity: items.count)
        p.initialize(from: items, count: items.count)
        return (p, items.count)
    }

    /// Periodic work between batches: ZAP requests, monitor events, metrics, checkpoints,
    /// the snapshot.
    func housekeeping(now: Double) {
        serveZAP()
        pollMonitor()
        if now >= nextStats {
            emitMetrics(now: now)
            nextStats = now + configuration.statsEvery
        }
        if now >= nextCheckpoint {
            writeCheckpoints()
            nextCheckpoint = now + configuration.checkpointEvery
        }
        if now >= nextSnapshot { publishSnapshot(now: now) }
    }

    func serveZAP() {
        guard let zap else { return }
        if zap.serve() > 0 {
            live.authAdmitted = zap.admitted
            live.authDenied = zap.denied
        }
    }

    func pollMonitor() {
        guard monitor.poll() else { return }
        live.disconnects = monitor.disconnects
    }

    /// The work of a stop: checkpoints of every changed stream.
    func finishOnStop() {
        writeCheckpoints()
    }

    // MARK: Snapshot

    /// Recomputes the figures that take a pass over every stream.
    func updateAggregates() {
        var worst: _TopicStream?
        var worstMSE = -Double.infinity
        for s in table.streams {
            let m = s.meanSquaredError
            if m > worstMSE { worstMSE = m; worst = s }
        }
        live.worstStream = worst?.name
        live.worstStreamMSE = worst == nil ? .nan : worstMSE
        live.streams = table.count
    }

    func publishSnapshot(now: Double) {
        live.uptime = now - startTime
        live.streams = table.count
        if lastStatsTime == startTime && live.uptime > 0 {
            live.messagesPerSecond = Double(live.messages) / live.uptime  // no interval yet
        }
        let copy = live
        snapshot.withLock { $0 = copy }
        publishedMessages = live.messages
        nextSnapshot = now + 0.05
    }
}
