#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import RTRL
import RTRLStream

/// `rtrl-stream [options]`: runs the stream learner until SIGINT or SIGTERM.
struct RTRLStreamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rtrl-stream",
        abstract: "Learns from live time series over ZeroMQ: one RTRL network per topic.",
        usage: """
        rtrl-stream [<options>]                      run the stream learner
          rtrl-stream keygen <name>                    write a CURVE key pair
          rtrl-stream replay <in> --output <file> [<options>]   the offline reference
          rtrl-stream proxy [--in <endpoint>] [--out <endpoint>]  fan-in for many publishers
        """,
        discussion: """
        Every message is two frames, topic and payload (wire format v1, docs/wire-format.md). \
        For each valid sample the topic's network predicts y(t) before learning from the sample's \
        target, and the prediction is published on the same topic; every topic's network starts \
        as a copy of the same template (the preset, sizes and seed given here). Malformed \
        messages, new topics past --max-streams and seq gaps/repeats are counted, never fatal.

        Endpoints follow czmq: @ADDRESS binds, >ADDRESS connects; without a prefix SUB connects \
        and PULL, PUB and PUSH bind. Several endpoints may be given separated by commas. \
        Addresses: tcp://HOST:PORT (PORT * picks a free one; the bound ports are printed at start), \
        ipc:///PATH, inproc://NAME.

        SIGINT or SIGTERM stops it cleanly: the message in hand is finished, checkpoints are \
        written, a summary is printed, and it exits 0 (1 if a checkpoint could not be written).
        """,
        subcommands: [KeygenCommand.self, ReplayCommand.self, ProxyCommand.self]
    )

    @Option(name: .customLong("in"), help: ArgumentHelp(
        "Where samples come in. (default: tcp://127.0.0.1:5555, which SUB connects to and PULL binds)", valueName: "endpoint"))
    var input: String?

    @Option(help: ArgumentHelp("The input socket: sub (filtered by --topic) or pull. (default: sub)", valueName: "pattern"))
    var inPattern: StreamConfiguration.InputPattern?

    @Option(name: .customLong("topic"), help: ArgumentHelp(
        "Subscribe to topics starting with this prefix (SUB only; repeatable). (default: every topic)", valueName: "prefix"))
    var topics: [String] = []

    @Option(help: ArgumentHelp(
        "Take only shard I of N: SUB subscribes to the prefix sIIII/ (in front of every --topic), topics outside the share are refused (counted; needed with PULL, where ZeroMQ cannot filter), streams and their checkpoints are keyed by the stream id after the prefix. Publishers send on rtrl.stream.shard_topic(id, N) (C: rtrl_shard_topic). (default: every topic)",
        valueName: "I/N"))
    var shard: String?

    @Option(name: .customLong("out"), help: ArgumentHelp(
        "Where predictions (and $metrics) go out. (default: tcp://127.0.0.1:5556, bound)", valueName: "endpoint"))
    var output: String?

    @Option(help: ArgumentHelp("The output socket: pub or push. (default: pub)", valueName: "pattern"))
    var outPattern: StreamConfiguration.OutputPattern?

    @OptionGroup(title: "Network and training")
    var network: NetworkOptions

    @Option(help: ArgumentHelp("The most topics with a network at once; a new topic past it is refused (counted), no stream is evicted. (default: 10000)", valueName: "n"))
    var maxStreams: Int?

    @Option(help: ArgumentHelp("Keep one checkpoint file per topic here (created if missing); at start every checkpoint in it is loaded and its stream continues where it stopped. (default: none)", valueName: "dir"))
    var checkpointDir: String?

    @Option(help: ArgumentHelp("Seconds between checkpoints of the streams that changed; 0 writes them only at exit. (default: 60)", valueName: "seconds"))
    var checkpointEvery: Double?

    @Option(help: ArgumentHelp("Seconds between stats lines on stderr and JSON metrics on the output under topic $metrics; 0 for none. (default: 10)", valueName: "seconds"))
    var statsEvery: Double?

    @Option(help: ArgumentHelp("ZMQ_MAXMSGSIZE: a larger input frame makes libzmq drop the sender's connection. (default: 1048576)", valueName: "bytes"))
    var maxMessageSize: Int?

    @Option(help: ArgumentHelp("ZMQ_RCVHWM/ZMQ_SNDHWM of the sockets, in messages. (default: 1000)", valueName: "n"))
    var hwm: Int?

    @Option(help: ArgumentHelp("How long unsent predictions may still be delivered at exit, in milliseconds. (default: 1000)", valueName: "ms"))
    var linger: Int?

    @Option(help: ArgumentHelp("A secret key file (from `rtrl-stream keygen`): every socket that binds becomes a CURVE server with this key; it is also the client key pair for --curve-server-key. (default: no CURVE)", valueName: "file"))
    var curveSecretKey: String?

    @Option(help: ArgumentHelp("A directory of client public key files: only those clients may connect to the CURVE server sockets (enforced by a ZAP handler). Needs --curve-secret-key. (default: any CURVE client)", valueName: "dir"))
    var curveAllow: String?

    @Option(help: ArgumentHelp("The server's public key file for the sockets this program connects: they become CURVE clients. (default: plain)", valueName: "file"))
    var curveServerKey: String?

    @Option(help: ArgumentHelp("Exit after this many input messages (for scripts and tests). (default: no limit)", valueName: "n"))
    var maxMessages: Int?

    @Option(help: ArgumentHelp("Exit after this many seconds (for scripts and tests). (default: no limit)", valueName: "seconds"))
    var duration: Double?

    @Flag(name: .shortAndLong, help: "No log or stats lines on stderr (the $metrics messages are still sent).")
    var quiet = false

    /// The settings: defaults, then --config, then the options given.
    func makeConfiguration() throws(StreamError) -> StreamConfiguration {
        var c = StreamConfiguration()
        try network.apply(to: &c)
        if let v = input { c.inputEndpoint = v }
        if let v = inPattern { c.inputPattern = v }
        if !topics.isEmpty { c.topics = topics }
        if let v = shard { c.shard = try StreamShard(parsing: v) }
        if let v = output { c.outputEndpoint = v }
        if let v = outPattern { c.outputPattern = v }
        if let v = maxStreams { c.maxStreams = v }
        if let v = checkpointDir { c.checkpointDirectory = v }
        if let v = checkpointEvery { c.checkpointEvery = v }
        if let v = statsEvery { c.statsEvery = v }
        if let v = maxMessageSize { c.maxMessageSize = v }
        if let v = hwm { c.highWaterMark = v }
        if let v = linger { c.lingerMilliseconds = v }
        if let v = curveSecretKey { c.curveSecretKeyFile = v }
        if let v = curveAllow { c.curveAllowDirectory = v }
        if let v = curveServerKey { c.curveServerKeyFile = v }
        if quiet { c.logDescriptor = -1 }
        return c
    }

    func run() throws {
        let adapter: StreamAdapter
        do {
            let config = try makeConfiguration()
            adapter = try StreamAdapter(config)
            let ins = adapter.inputEndpoints.map(\.description).joined(separator: ",")
            let outs = adapter.outputEndpoints.map(\.description).joined(separator: ",")
            say("listening in=\(config.inputPattern.rawValue)\(ins) out=\(config.outputPattern.rawValue)\(outs); \(config.networkSummary)")
        } catch {
            // A bad setting is a usage error (exit 64, with usage); anything else (an address
            // in use, an unreadable checkpoint) is a start-up failure (exit 1).
            if error.code == .invalidArgument { throw ValidationError(error.message) }
            report("error: \(error.message)")
            throw ExitCode(1)
        }
        SignalHandling.install(adapter)
        defer { SignalHandling.uninstall() }
        let reason: StreamAdapter.StopReason
        do {
            reason = try adapter.run(maxMessages: maxMessages, timeout: duration)
        } catch {
            report("error: \(error.message)")
            throw ExitCode(2)
        }
        if reason != .stopped { adapter.writeCheckpoints() }
        let stats = adapter.stats
        say(stats.summary)
        if stats.checkpointErrors > 0 { throw ExitCode(1) }
    }

    /// A line on stderr unless --quiet.
    func say(_ line: String) {
        if !quiet { report(line) }
    }

    /// A line on stderr, always.
    func report(_ line: String) {
        var bytes = Array("rtrl-stream: \(line)\n".utf8)
        _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress!, $0.count) }
    }
}
