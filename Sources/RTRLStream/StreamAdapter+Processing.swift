#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CZeroMQ
import RTRL

extension StreamAdapter {
    /// Handles one two-frame message: checks the topic, decodes the payload, finds or
    /// creates the topic's stream, steps its network and publishes the prediction.
    /// A malformed or refused message changes no stream and produces no output.
    ///
    /// - Complexity: one network step; no allocation for a known topic and a binary payload.
    @inline(__always)
    func handle(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer) {
        guard topic.count > 0 else {
            return malformed(MalformedSample(.emptyTopic, "the topic frame is empty"), topic: nil)
        }
        guard topic.count <= WireFormat.maxTopicLength else {
            return malformed(MalformedSample(.topicTooLong, "the topic has \(topic.count) bytes"), topic: nil)
        }
        // A sharded adapter keys its streams by the stream id after its shard prefix.
        var key = topic
        if let shard = configuration.shard {
            guard let id = shard.streamID(inTopic: topic) else { return refuseOffShard(topic: topic) }
            key = id
        }
        let info: SampleInfo
        do {
            info = try SampleDecoder.decode(payload, shape: shape, x: x, target: target)
        } catch {
            return malformed(error, topic: topic)
        }
        let stream: _TopicStream
        if let s = table.find(key) {
            stream = s
        } else {
            guard String(validating: topic, as: UTF8.self) != nil else {
                return malformed(MalformedSample(.topicNotUTF8, "the topic is not valid UTF-8"), topic: nil)
            }
            if let shard = configuration.shard, !shard.owns(streamID: key) { return refuseOffShard(topic: topic) }
            guard let s = createStream(Array(key)) else { return }
            stream = s
        }
        guard let stepped = learn(stream, info) else { return }  // a refused step: nothing to publish
        PredictionCodec.write(into: out, seq: stepped.seq, step: stream.network.stepCount, loss: stepped.loss, y: y,
                              count: shape.outputs)
        send(topic: topic, payload: UnsafeRawBufferPointer(start: out, count: outSize))
    }

    /// Steps the stream's network with the sample in `x`/`target`; leaves y(t) in `y`.
    /// Returns the loss to publish (nil for none) and the sample's seq, or nil when the
    /// divergence guard refused the feed itself (an input that overflows an activation):
    /// the engine undid the step, so there is no prediction to publish (the refusal is
    /// counted in `refusedUpdates`; the sample still counts as received for seq tracking).
    @inline(__always)
    func learn(_ stream: _TopicStream, _ info: SampleInfo) -> (loss: Double?, seq: UInt64)? {
        let seq: UInt64
        if let s = info.seq {
            if s > stream.nextSeq {
                stream.gaps += 1
                live.gaps += 1
            } else if s < stream.nextSeq {
                stream.repeats += 1
                live.repeats += 1
            }
            seq = s
        } else {
            seq = stream.samples  // JSON without seq: the stream's own count
        }
        stream.nextSeq = seq &+ 1
        let net = stream.network
        let refusedBefore = net.refusedUpdates
        let xb = UnsafeBufferPointer(start: x, count: shape.inputs)
        let yb = UnsafeMutableBufferPointer(start: y, count: shape.outputs)
        var loss: Double?
        let stepsBefore = net.stepCount
        let fed: Bool
        if !configuration.forecast {
            if info.reset { net.resetState() }
            let tb = info.hasTarget ? UnsafeBufferPointer(start: UnsafePointer(target), count: shape.outputs) : nil
            do {
                loss = try net.step(xb, target: tb, output: yb)
            } catch {
                // `diverged`: either the update was refused (the forward pass stands, y is
                // written) or the feed itself was (undone, y not written).
                loss = nil
                noteEngineError(error, stream)
            }
            fed = net.stepCount != stepsBefore
            if fed && info.hasTarget { addSquaredError(stream, prediction: y, target: target) }
        } else {
            // Learn from this sample for the previous prediction, then feed it and predict.
            if stream.hasPendingForecast && !info.reset {
                do {
                    try net.output(into: yb)
                    addSquaredError(stream, prediction: y, target: x)
                    loss = try net.learn(UnsafeBufferPointer(start: UnsafePointer(x), count: shape.outputs))
                } catch {
                    loss = nil
                    noteEngineError(error, stream)
                }
            }
            if info.reset { net.resetState() }
            do {
                try net.feed(xb)
                try net.output(into: yb)
            } catch {
                noteEngineError(error, stream)  // `diverged`: x overflowed an activation, the feed was undone
            }
            fed = net.stepCount != stepsBefore
            // A refused feed makes no new prediction, and the pending one was just learned from.
            stream.hasPendingForecast = fed
        }
        let refusedNow = net.refusedUpdates
        if refusedNow != refusedBefore { live.refusedUpdates &+= refusedNow &- refusedBefore }
        stream.samples += 1
        stream.dirty = true
        return fed ? (loss, seq) : nil
    }

    /// Adds sum_k (target_k - prediction_k)^2 over the units with a target to the stream's
    /// and the adapter's prequential squared error.
    @inline(__always)
    func addSquaredError(_ stream: _TopicStream, prediction: UnsafePointer<Double>, target: UnsafePointer<Double>) {
        var sum = 0.0
        var n: UInt64 = 0
        for k in 0..<shape.outputs where !target[k].isNaN {
            let d = target[k] - prediction[k]
            sum += d * d
            n += 1
        }
        stream.squaredErrorSum += sum
        stream.squaredErrorCount += n
        live.squaredErrorSum += sum
        live.squaredErrorCount += n
    }

    func noteEngineError(_ error: RTRLError, _ stream: _TopicStream) {
        if error.code != .diverged {
            log.event("stream \(_JSONWriter.quoted(stream.name)): unexpected engine error: \(error.message)")
        }
    }

    /// Creates the stream of a new topic from the template, or refuses it (counted).
    func createStream(_ topic: [UInt8]) -> _TopicStream? {
        let name = String(decoding: topic, as: UTF8.self)
        guard table.count < configuration.maxStreams else {
            live.refused += 1
            log.event("refused new topic \(_JSONWriter.quoted(name)): \(table.count) streams, the bound is \(configuration.maxStreams)")
            return nil
        }
        let fileName = TopicFileName.encode(topic)
        guard !fileNames.contains(fileName) else {
            live.refused += 1
            log.event("refused new topic \(_JSONWriter.quoted(name)): its checkpoint name \(fileName) belongs to another topic")
            return nil
        }
        let stream = _TopicStream(topic: topic, fileName: fileName, network: template.copy())
        table.insert(stream)
        fileNames.insert(fileName)
        live.streams = table.count
        log.event("new stream \(_JSONWriter.quoted(name))")
        return stream
    }

    /// Refuses (counts and logs) a message on a topic outside this adapter's shard: without
    /// its shard prefix, or with a stream id that hashes to another shard.
    func refuseOffShard(topic: UnsafeRawBufferPointer) {
        live.refused += 1
        live.refusedOffShard += 1
        log.event({
            let name = _JSONWriter.quoted(String(decoding: topic.prefix(64), as: UTF8.self))
            let shard = configuration.shard!
            var why = "it lacks the prefix \(shard.prefix)"
            if let id = shard.streamID(inTopic: topic) {
                why = "its stream id belongs to shard \(StreamShard.shard(ofStreamID: id, count: shard.count))/\(shard.count)"
            }
            return "refused topic \(name): not in shard \(shard) (\(why))"
        }())
    }

    /// Counts and logs a dropped message.
    func malformed(_ m: MalformedSample, topic: UnsafeRawBufferPointer?) {
        live.malformed += 1
        live.malformedByReason[m.reason.rawValue] += 1
        log.event({
            var where_ = ""
            if let topic, !topic.isEmpty {
                where_ = " on " + _JSONWriter.quoted(String(decoding: topic.prefix(64), as: UTF8.self))
            }
            return "dropped a malformed message\(where_): \(m.description)"
        }())
    }

    /// Sends topic + payload on the output socket. A PUSH socket with no peer ready makes
    /// this wait (serving ZAP requests); after a stop request it waits at most the linger
    /// time, then counts the prediction as unsent.
    @inline(__always)
    func send(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer) {
        var waitedAfterStop = 0.0
        while !output.send(topic.baseAddress, topic.count, more: true, wait: false) {
            let e = zmq_errno()
            guard e == EAGAIN || e == EINTR else {
                live.unsent += 1
                log.event("output: send failed: \(_zmqErrorText())")
                return
            }
            if e == EINTR { continue }
            if stopSignal.isRaised {
                guard waitedAfterStop * 1000 < Double(max(configuration.lingerMilliseconds, 0)) else {
                    live.unsent += 1
                    return
                }
                waitedAfterStop += 0.1
            }
            waitForOutput(seconds: 0.1)
        }
        while !output.send(payload.baseAddress, payload.count, more: false, wait: true) {
            guard zmq_errno() == EINTR else {
                live.unsent += 1
                log.event("output: send failed: \(_zmqErrorText())")
                return
            }
        }
        live.predictions += 1
    }

    /// Waits until the output can take a message, a ZAP request arrives, a stop is
    /// requested or `seconds` pass.
    func waitForOutput(seconds: Double) {
        _ = zmq_poll(outputPollItems, Int32(outputPollCount), Int(seconds * 1000))
        if outputPollItems[1].revents != 0 { stopSignal.drain() }
        serveZAP()
        pollMonitor()
    }
}
