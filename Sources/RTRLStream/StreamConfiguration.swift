import RTRL

/// Every setting of a stream adapter: sockets, the template network and how it learns,
/// stream bounds, checkpoints, metrics, limits and security.
///
/// The defaults make a working adapter on 127.0.0.1: a SUB socket connecting to
/// `tcp://127.0.0.1:5555` and a PUB socket bound at `tcp://127.0.0.1:5556`, an elman 1-8-1
/// network learning with SGD at 0.01. Field names match the command-line options of
/// `rtrl-stream` and the keys of its `--config` file (see ``apply(json:relativeTo:)``).
public struct StreamConfiguration: Equatable, Sendable {
    /// The input socket type.
    public enum InputPattern: String, CaseIterable, Sendable {
        /// SUB: receives what publishers publish, filtered by topic prefix.
        case sub
        /// PULL: receives from PUSH sockets, fair-queued, nothing dropped.
        case pull
    }

    /// The output socket type.
    public enum OutputPattern: String, CaseIterable, Sendable {
        /// PUB: predictions go to every subscriber of the topic (dropped if none).
        case pub
        /// PUSH: predictions go to one PULL peer each, round-robin; the adapter waits
        /// when none can take more.
        case push
    }

    /// The preset every stream's network is built from.
    public enum Preset: String, CaseIterable, Sendable {
        case fullyRecurrent = "fully_recurrent"
        case elman
        case jordan
    }

    // MARK: Sockets

    /// Where samples come in: `@tcp://...` binds, `>tcp://...` connects; without a prefix
    /// SUB connects and PULL binds. Several endpoints may be given separated by commas.
    public var inputEndpoint = "tcp://127.0.0.1:5555"
    /// SUB or PULL.
    public var inputPattern: InputPattern = .sub
    /// SUB topic prefixes; empty means every topic. Only with SUB. With ``shard`` they are
    /// prefixes of the stream ids (the shard prefix goes in front).
    public var topics: [String] = []
    /// This adapter's share of the streams (`--shard I/N`), or nil for every topic. With a
    /// SUB input it subscribes to its shard prefix only; with either input it refuses
    /// (counts in `refused` and `refusedOffShard`) topics outside its share, and it keys
    /// every stream (and its checkpoint file) by the stream id, without the shard prefix.
    /// See ``StreamShard``.
    public var shard: StreamShard? = nil
    /// Where predictions go out: `@` binds, `>` connects; without a prefix PUB and PUSH bind.
    public var outputEndpoint = "tcp://127.0.0.1:5556"
    /// PUB or PUSH.
    public var outputPattern: OutputPattern = .pub

    // MARK: The template network

    /// The preset.
    public var preset: Preset = .elman
    /// n_x, the length of x(t).
    public var inputs = 1
    /// Hidden units (elman, jordan) or n_units (fully_recurrent).
    public var hidden = 8
    /// The length of y(t).
    public var outputs = 1
    /// Jordan's state decay mu.
    public var mu = 0.5
    /// The seed of the template's initial weights.
    public var seed: UInt64 = 0
    /// The precision the networks compute in.
    public var precision: Precision = .f64
    /// The hidden activation (fully_recurrent: the only one); nil = the preset's default (tanh).
    public var hiddenActivation: Activation? = nil
    /// The output activation (elman, jordan); nil = the preset's default (identity).
    public var outputActivation: Activation? = nil
    /// How every network learns (optimizer sgd, learning rate 0.01 by default).
    public var training = TrainingConfiguration()
    /// Forecast mode: the target of step t is the first `outputs` inputs of the next sample.
    public var forecast = false

    // MARK: Streams, checkpoints, metrics

    /// The most streams (topics) kept at once; a new topic past the bound is refused.
    public var maxStreams = 10_000
    /// The directory of per-topic checkpoints; nil for none. Created if missing.
    public var checkpointDirectory: String? = nil
    /// Seconds between checkpoints of the streams that changed (0: only when stopped).
    public var checkpointEvery = 60.0
    /// Seconds between stats lines and `$metrics` messages (0: none).
    public var statsEvery = 10.0

    // MARK: Limits

    /// ZMQ_MAXMSGSIZE of the input socket, in bytes: a larger frame makes libzmq drop the
    /// sending peer's connection. 1 MiB by default.
    public var maxMessageSize = 1 << 20
    /// ZMQ_SNDHWM / ZMQ_RCVHWM of both sockets, in messages.
    public var highWaterMark = 1000
    /// ZMQ_LINGER of the output socket when the adapter closes, in milliseconds: how long
    /// unsent predictions may still be delivered.
    public var lingerMilliseconds = 1000

    // MARK: Security

    /// A key file (as written by `rtrl-stream keygen`) whose secret key makes every socket
    /// the adapter binds a CURVE server, and which is the adapter's key pair as a CURVE
    /// client on the sockets it connects.
    public var curveSecretKeyFile: String? = nil
    /// A directory of client public key files; with it, a ZAP handler admits only those
    /// clients to the CURVE server sockets.
    public var curveAllowDirectory: String? = nil
    /// The server's public key file for the sockets the adapter connects (makes them
    /// CURVE clients).
    public var curveServerKeyFile: String? = nil

    // MARK: Logging

    /// The file descriptor for log and stats lines (2 = stderr); -1 for none.
    public var logDescriptor: Int32 = 2

    public init() {}

    /// The SUB filters of the input socket: ``topics`` (or every topic), each behind the
    /// shard prefix when ``shard`` is set.
    public var subscriptions: [String] {
        let prefixes = topics.isEmpty ? [""] : topics
        guard let shard else { return prefixes }
        return prefixes.map { shard.prefix + $0 }
    }

    /// The lengths every stream's samples must have.
    public var shape: SampleShape { SampleShape(inputs: inputs, outputs: outputs) }

    /// Checks every setting (and builds the template once); throws `invalidArgument`
    /// naming the first bad one.
    public func validate() throws(StreamError) {
        _ = try makeTemplate()
        _ = try EndpointList(inputEndpoint, defaultBind: inputPattern == .pull)
        _ = try EndpointList(outputEndpoint, defaultBind: true)
        if inputPattern == .pull && !topics.isEmpty {
            throw .invalid("topic filters apply to a SUB input; with in-pattern pull every topic is accepted")
        }
        for t in subscriptions where t.utf8.count > WireFormat.maxTopicLength {
            throw .invalid("topic prefix \"\(t.prefix(40))...\" is longer than \(WireFormat.maxTopicLength) bytes")
        }
        guard maxStreams >= 1 else { throw .invalid("max-streams must be >= 1, got \(maxStreams)") }
        guard checkpointEvery.isFinite && checkpointEvery >= 0 else {
            throw .invalid("checkpoint-every must be >= 0 seconds, got \(checkpointEvery)")
        }
        guard statsEvery.isFinite && statsEvery >= 0 else { throw .invalid("stats-every must be >= 0 seconds, got \(statsEvery)") }
        guard maxMessageSize >= WireFormat.sampleHeaderSize else {
            throw .invalid("max-message-size must be >= \(WireFormat.sampleHeaderSize) bytes, got \(maxMessageSize)")
        }
        guard highWaterMark >= 0 && highWaterMark <= Int(Int32.max) else { throw .invalid("hwm must be >= 0, got \(highWaterMark)") }
        guard lingerMilliseconds >= -1 && lingerMilliseconds <= Int(Int32.max) else {
            throw .invalid("linger must be >= -1 ms, got \(lingerMilliseconds)")
        }
        if curveAllowDirectory != nil && curveSecretKeyFile == nil {
            throw .invalid("curve-allow needs curve-secret-key: only CURVE server sockets authenticate clients")
        }
    }

    /// The template network: the preset built with these settings and seed, configured
    /// with ``training``. Every stream starts as a copy of it.
    public func makeTemplate() throws(StreamError) -> Network {
        guard inputs >= 0 else { throw .invalid("inputs must be >= 0, got \(inputs)") }
        guard hidden >= 1 else { throw .invalid("hidden must be >= 1, got \(hidden)") }
        guard outputs >= 1 else { throw .invalid("outputs must be >= 1, got \(outputs)") }
        if forecast && outputs > inputs {
            throw .invalid("forecast mode predicts the first outputs inputs: outputs (\(outputs)) must be <= inputs (\(inputs))")
        }
        let net: Network
        do {
            switch preset {
            case .fullyRecurrent:
                if outputActivation != nil {
                    throw StreamError.invalid("fully_recurrent has one activation for all units: set hidden-activation, not output-activation")
                }
                net = try Network.fullyRecurrent(inputs: inputs, units: hidden, outputs: outputs,
                                                 activation: hiddenActivation ?? .tanh, seed: seed, precision: precision)
            case .elman:
                net = try Network.elman(inputs: inputs, hidden: hidden, outputs: outputs,
                                        hiddenActivation: hiddenActivation ?? .tanh,
                                        outputActivation: outputActivation ?? .identity, seed: seed, precision: precision)
            case .jordan:
                net = try Network.jordan(inputs: inputs, hidden: hidden, outputs: outputs, mu: mu,
                                         hiddenActivation: hiddenActivation ?? .tanh,
                                         outputActivation: outputActivation ?? .identity, seed: seed, precision: precision)
            }
            try net.configure(training)
        } catch let e as StreamError {
            throw e
        } catch let e as RTRLError {
            throw .invalid(e.message)
        } catch {
            throw .invalid("\(error)")
        }
        return net
    }
}
