#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import RTRLStream

/// `rtrl-stream proxy`: the XSUB/XPUB forwarder that lets many publishers reach many
/// (sharded) adapters, with subscriptions travelling upstream.
struct ProxyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy",
        abstract: "Forward samples from many publishers to many adapters (XSUB in, XPUB out; zmq_proxy).",
        discussion: """
        Publishers connect PUB sockets to --in; adapters (rtrl-stream with a SUB input, e.g. \
        --shard I/N) connect to --out. Every adapter's subscriptions are forwarded to every \
        publisher, so a publisher sends each message only toward the adapters that subscribed \
        to its topic: with sharded adapters each sample travels to exactly one of them. \
        SIGINT/SIGTERM stop it; a summary (messages forwarded, subscriptions) is printed. \
        See docs/operations.md, "Sharding".
        """
    )

    @Option(name: .customLong("in"), help: ArgumentHelp(
        "The publisher side (XSUB). (default: @tcp://127.0.0.1:5550, bound)", valueName: "endpoint"))
    var input = "@tcp://127.0.0.1:5550"

    @Option(name: .customLong("out"), help: ArgumentHelp(
        "The adapter side (XPUB); the adapters' default --in, tcp://127.0.0.1:5555, connects here. (default: @tcp://127.0.0.1:5555, bound)",
        valueName: "endpoint"))
    var output = "@tcp://127.0.0.1:5555"

    @Option(help: ArgumentHelp("ZMQ_SNDHWM/ZMQ_RCVHWM of both sockets, in messages; 0 = no limit. Past it a slow adapter misses messages, as with any PUB. (default: 1000)", valueName: "n"))
    var hwm = 1000

    @Option(help: ArgumentHelp("Exit after this many seconds (for scripts and tests). (default: no limit)", valueName: "seconds"))
    var duration: Double?

    @Flag(name: .shortAndLong, help: "No lines on stderr.")
    var quiet = false

    func run() throws {
        let proxy: StreamProxy
        do {
            proxy = try StreamProxy(frontend: input, backend: output, highWaterMark: hwm)
        } catch {
            if error.code == .invalidArgument { throw ValidationError(error.message) }
            say("error: \(error.message)", always: true)
            throw ExitCode(1)
        }
        let ins = proxy.frontendEndpoints.map(\.description).joined(separator: ",")
        let outs = proxy.backendEndpoints.map(\.description).joined(separator: ",")
        say("proxy in=xsub\(ins) out=xpub\(outs)")
        SignalHandling.install(proxy)
        defer { SignalHandling.uninstall() }
        do {
            _ = try proxy.run(timeout: duration)
        } catch {
            say("error: \(error.message)", always: true)
            throw ExitCode(2)
        }
        say("summary: \(proxy.messages) messages forwarded, \(proxy.subscriptions) subscriptions, \(proxy.unsubscriptions) unsubscriptions")
    }

    func say(_ line: String, always: Bool = false) {
        guard always || !quiet else { return }
        var bytes = Array("rtrl-stream proxy: \(line)\n".utf8)
        _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress!, $0.count) }
    }
}
