import CZeroMQ

extension StreamAdapter {
    /// Writes the stats line to the log and sends the same figures as JSON under the
    /// topic `$metrics` on the output socket (without waiting: dropped if the output
    /// cannot take it at once).
    func emitMetrics(now: Double) {
        let dt = now - lastStatsTime
        live.messagesPerSecond = dt > 0 ? Double(live.messages - messagesAtLastStats) / dt : 0
        lastStatsTime = now
        messagesAtLastStats = live.messages
        updateAggregates()
        live.uptime = now - startTime
        log.newInterval()
        log.write(live.line)
        let topic = Array(WireFormat.metricsTopic.utf8)
        let json = Array(live.json.utf8)
        topic.withUnsafeBytes { t in
            json.withUnsafeBytes { j in
                if output.send(t.baseAddress, t.count, more: true, wait: false) {
                    _ = output.send(j.baseAddress, j.count, more: false, wait: true)
                }
            }
        }
        publishSnapshot(now: now)
    }
}
