#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import RTRL
import RTRLStream

/// `rtrl-stream replay IN --output OUT`: the offline reference. It feeds recorded samples
/// to per-topic copies of the same template network, with plain `Network` calls and no
/// sockets, and writes the predictions the adapter would publish.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Run recorded samples through the template network offline and write the predictions.",
        discussion: """
        IN is a frames file (per message: u32 topic length, topic, u32 payload length, payload; \
        little-endian; see docs/wire-format.md). Each topic gets a copy of the template network \
        built from the same settings as the adapter (give the same network options or --config), \
        and each valid sample is stepped exactly as the adapter does: predict, then learn from the \
        target (forecast mode: learn from the sample for the previous prediction, then feed it). \
        Malformed samples are skipped and counted. OUTPUT receives one prediction payload per \
        valid sample, in the same format, so it can be compared bit for bit with what rtrl-stream \
        published.
        """
    )

    @Argument(help: ArgumentHelp("The frames file of input samples.", valueName: "in"))
    var input: String

    @Option(name: .shortAndLong, help: ArgumentHelp("The frames file to write the predictions to.", valueName: "file"))
    var output: String

    @OptionGroup(title: "Network and training")
    var network: NetworkOptions

    func run() throws {
        var config = StreamConfiguration()
        let template: Network
        do {
            try network.apply(to: &config)
            template = try config.makeTemplate()
        } catch {
            throw ValidationError(error.message)
        }
        let records: [(topic: [UInt8], payload: [UInt8])]
        do {
            records = try FramesFile.read(input)
        } catch {
            throw ValidationError(error.message)
        }
        var streams: [[UInt8]: (net: Network, samples: UInt64, pending: Bool)] = [:]
        var predictions: [(topic: [UInt8], payload: [UInt8])] = []
        var dropped = 0
        for r in records {
            guard !r.topic.isEmpty, r.topic.count <= WireFormat.maxTopicLength,
                  String(validating: r.topic, as: UTF8.self) != nil,
                  let sample = try? SampleDecoder.decode(r.payload, shape: config.shape)
            else {
                dropped += 1
                continue
            }
            var s = streams[r.topic] ?? (template.copy(), 0, false)
            let net = s.net
            var loss = Double.nan
            let y: [Double]
            let stepsBefore = net.stepCount
            if !config.forecast {
                if sample.reset { net.resetState() }
                do {
                    let r = try net.step(sample.x, target: sample.target)
                    y = r.output
                    loss = r.loss ?? .nan
                } catch {
                    y = net.output()  // the update was refused; the forward pass stands
                }
            } else {
                if s.pending && !sample.reset {
                    loss = (try? net.learn(Array(sample.x.prefix(config.outputs)))) ?? .nan
                }
                if sample.reset { net.resetState() }
                try? net.feed(sample.x)  // a refused (undone) feed is seen below
                y = net.output()
                s.pending = net.stepCount != stepsBefore
            }
            let seq = sample.seq ?? s.samples
            s.samples += 1
            streams[r.topic] = s
            // The divergence guard undid the feed: like the adapter, publish nothing.
            guard net.stepCount != stepsBefore else { continue }
            predictions.append((r.topic, PredictionCodec.encode(Prediction(seq: seq, step: net.stepCount, loss: loss, y: y))))
        }
        do {
            try FramesFile.write(predictions, to: output)
        } catch {
            throw ValidationError(error.message)
        }
        var line = Array("rtrl-stream replay: \(predictions.count) predictions, \(dropped) malformed skipped, \(streams.count) topics\n".utf8)
        _ = line.withUnsafeMutableBytes { write(2, $0.baseAddress!, $0.count) }
    }
}
