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
        usage: "rtrl-stream proxy [--in <endpoint>] [--out <endpoint>] [--hwm <n>] [--duration <seconds>] [-q]",
        discussion: """
        Publishers connect PUB sockets to --in; adapters (rtrl-stream with a SUB input, e.g. \
        --shard I/N) connect to --out. Every adapter's subscriptions are forwarded to every \
        publisher, so a publisher sends each message only toward the adapters that subscribed \
        to its topic: with sharded adapters each sample travels to exactly one of them. \
        SIGINT/SIGTERM stop it; a summary (messages forwarded, subscriptions) is printed. \
        See docs/operations.md, "Sharding".

        Options: --in ENDPOINT, the publisher side (XSUB; default @tcp://127.0.0.1:5550, bound); \
        --out ENDPOINT, the adapter side (XPUB; default @tcp://127.0.0.1:5555, bound: the adapters' \
        default --in connects there); --hwm N, ZMQ_SNDHWM/ZMQ_RCVHWM of both sockets (default 1000, \
        0 = no limit; past it a slow adapter misses messages, as with any PUB); --duration SECONDS, \
        exit after that long; -q, no lines on stderr.
        """
    )

    /// `--in`, `--out`, `--hwm`, `--duration` and `-q` are options of `rtrl-stream` itself
    /// (ArgumentParser gives a parent command's options precedence over a subcommand's of
    /// the same name), so the proxy reads them from there, with its own defaults.
    @ParentCommand var common: RTRLStreamCommand

    /// The publisher side (XSUB).
    var input: String { common.input ?? "@tcp://127.0.0.1:5550" }
    /// The adapter side (XPUB).
    var output: String { common.output ?? "@tcp://127.0.0.1:5555" }
    var hwm: Int { common.hwm ?? 1000 }
    var duration: Double? { common.duration }
    var quiet: Bool { common.quiet }

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
