#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RTRL

extension StreamAdapter {
    /// Creates the checkpoint directory if needed, removes temporary files a crash left
    /// behind, and restores every stream saved in it.
    ///
    /// - Throws: `io` if the directory cannot be created or read; `corrupt` or
    ///   `unsupportedVersion` for a bad checkpoint; `invalidArgument` for a checkpoint of
    ///   another network, of the other mode (forecast or not), or (with a shard) of a stream
    ///   of another shard. The adapter never starts with some streams silently lost.
    func loadCheckpoints(from dir: String) throws(StreamError) {
        if mkdir(dir, 0o700) != 0 && errno != EEXIST {
            throw StreamError(.io, "checkpoint directory \(dir): cannot create it: \(String(cString: strerror(errno)))")
        }
        var st = stat()
        guard stat(dir, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
            throw StreamError(.io, "checkpoint directory \(dir) is not a directory")
        }
        for name in try _listDirectory(dir) {
            let path = dir + "/" + name
            if name.hasPrefix(".") && name.contains(TopicFileName.suffix + ".tmp-") {
                unlink(path)  // an interrupted AtomicFile.write
                continue
            }
            guard TopicFileName.isCheckpointName(name) else { continue }
            let bytes: [UInt8]
            do {
                bytes = try AtomicFile.read(path)
            } catch {
                throw StreamError(.io, "checkpoint \(error.description)")
            }
            let stream: _TopicStream
            let checkpoint: StreamCheckpoint
            do {
                checkpoint = try StreamCheckpoint(decoding: bytes)
                stream = try _TopicStream(restoring: checkpoint)
            } catch {
                throw StreamError(error.code, "checkpoint \(path): \(error.message)")
            }
            guard stream.fileName == name else {
                throw StreamError(.corrupt, "checkpoint \(path) holds topic \(_JSONWriter.quoted(stream.name)), whose file name is \(stream.fileName)")
            }
            if let shard = configuration.shard, !shard.owns(streamID: stream.topic) {
                let home = StreamShard.shard(ofStreamID: stream.topic, count: shard.count)
                throw StreamError.invalid("checkpoint \(path) holds stream \(_JSONWriter.quoted(stream.name)), which belongs to shard \(home)/\(shard.count), not to this adapter's \(shard); move the file to that shard's checkpoint directory")
            }
            guard checkpoint.forecast == configuration.forecast else {
                throw StreamError.invalid("checkpoint \(path) was written \(checkpoint.forecast ? "in" : "without") forecast mode; run with the same mode or another checkpoint directory")
            }
            let net = stream.network
            guard net.layers == template.layers, net.connections == template.connections,
                  net.outputUnits == template.outputUnits, net.numInputs == template.numInputs,
                  net.precision == template.precision
            else {
                throw StreamError.invalid("checkpoint \(path) holds a different network (\(Self.describe(net))) than the settings build (\(Self.describe(template))); use the same settings or another checkpoint directory")
            }
            table.insert(stream)
            fileNames.insert(name)
            live.squaredErrorSum += stream.squaredErrorSum
            live.squaredErrorCount += stream.squaredErrorCount
            live.refusedUpdates += net.refusedUpdates
        }
        if table.count > 0 {
            log.write("restored \(table.count) stream\(table.count == 1 ? "" : "s") from \(dir)")
        }
        if table.count > configuration.maxStreams {
            log.write("warning: \(table.count) restored streams exceed max-streams \(configuration.maxStreams); every new topic will be refused")
        }
    }

    static func describe(_ net: Network) -> String {
        let layers = net.layers.map { "\($0.name) \($0.size) \($0.activation.rawValue)" }.joined(separator: ", ")
        return "\(net.numInputs) inputs; \(layers); \(net.precision.rawValue)"
    }
}
