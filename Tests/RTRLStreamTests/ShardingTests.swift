import Testing
@testable import RTRLStream

@Suite struct ShardingTests {
    /// Known FNV-1a-32 values (Fowler, Noll, Vo).
    @Test func hashIsFNV1a32() {
        #expect(StreamShard.fnv1a32([UInt8]()) == 0x811C_9DC5)
        #expect(StreamShard.fnv1a32(Array("a".utf8)) == 0xE40C_292C)
        #expect(StreamShard.fnv1a32(Array("foobar".utf8)) == 0xBF9C_F968)
        #expect(StreamShard.shard(ofStreamID: "a", count: 10_000) == 2220)
        #expect(StreamShard.shard(ofStreamID: "foobar", count: 10_000) == 0xBF9C_F968 % 10_000)
        #expect(StreamShard.shard(ofStreamID: "anything", count: 1) == 0)
    }

    @Test func topics() throws {
        #expect(try StreamShard.topic(streamID: "sensor-7", shards: 3) == "s0002/sensor-7")
        #expect(try StreamShard.topic(streamID: "a", shards: 10_000) == "s2220/a")
        #expect(try StreamShard.topic(streamID: "é", shards: 1) == "s0000/é")
        let longest = String(repeating: "k", count: 249)
        #expect(try StreamShard.topic(streamID: longest, shards: 7).utf8.count == 255)
        #expect(throws: StreamError.self) { try StreamShard.topic(streamID: longest + "k", shards: 7) }
        #expect(throws: StreamError.self) { try StreamShard.topic(streamID: "", shards: 7) }
        #expect(throws: StreamError.self) { try StreamShard.topic(streamID: "a", shards: 0) }
        #expect(throws: StreamError.self) { try StreamShard.topic(streamID: "a", shards: 10_001) }
    }

    @Test func parsing() throws {
        let s = try StreamShard(parsing: "2/5")
        #expect(s.index == 2 && s.count == 5 && s.prefix == "s0002/" && s.description == "2/5")
        #expect(try StreamShard(parsing: "9999/10000").prefix == "s9999/")
        #expect(try StreamShard(parsing: "0/1").prefix == "s0000/")
        for bad in ["", "1", "3/3", "-1/3", "1/0", "1/10001", "a/3", "1/3/4", " 1/3", "1/ 3", "+1/3", "1/3 ", "0x1/3"] {
            #expect(throws: StreamError.self, "\(bad)") { try StreamShard(parsing: bad) }
        }
    }

    @Test func readingTopics() throws {
        let s = try StreamShard(index: 2, count: 5)
        func id(_ topic: String) -> String? {
            Array(topic.utf8).withUnsafeBytes { b in s.streamID(inTopic: b).map { String(decoding: $0, as: UTF8.self) } }
        }
        #expect(id("s0002/sensor") == "sensor")
        #expect(id("s0002/a/b") == "a/b")
        #expect(id("s0002/") == nil)  // no id
        #expect(id("s0003/sensor") == nil)  // another shard
        #expect(id("s002/sensor") == nil)
        #expect(id("x0002/sensor") == nil)
        #expect(id("s00a2/sensor") == nil)
        #expect(id("sensor") == nil)
        // owns: the hash decides, whatever the prefix says.
        var owned = 0
        for i in 0..<500 {
            let sid = "stream-\(i)"
            let mine = s.owns(streamID: Array(sid.utf8))
            #expect(mine == (StreamShard.shard(ofStreamID: sid, count: 5) == 2))
            #expect(mine == (try StreamShard.topic(streamID: sid, shards: 5).hasPrefix("s0002/")))
            if mine { owned += 1 }
        }
        #expect(owned > 60 && owned < 140)  // about a fifth
    }

    @Test func configuration() throws {
        var c = StreamConfiguration()
        try c.apply(jsonBytes: Array(#"{"shard": "1/3", "topic": ["plant/", "x"]}"#.utf8))
        #expect(c.shard == (try StreamShard(index: 1, count: 3)))
        #expect(c.subscriptions == ["s0001/plant/", "s0001/x"])
        try c.validate()
        try c.apply(jsonBytes: Array(#"{"topic": []}"#.utf8))
        #expect(c.subscriptions == ["s0001/"])
        try c.apply(jsonBytes: Array(#"{"shard": null}"#.utf8))
        #expect(c.shard == nil && c.subscriptions == [""])
        #expect(throws: StreamError.self) { try c.apply(jsonBytes: Array(#"{"shard": "3/3"}"#.utf8)) }
        #expect(throws: StreamError.self) { try c.apply(jsonBytes: Array(#"{"shard": 1}"#.utf8)) }
        // A filter that would make the subscription longer than a topic.
        c.shard = try StreamShard(index: 0, count: 2)
        c.topics = [String(repeating: "t", count: 250)]
        #expect(throws: StreamError.self) { try c.validate() }
        #expect(StreamConfiguration.configurationKeys.contains("shard"))
    }

    @Test func statsShowTheShard() throws {
        var s = StreamStats()
        #expect(!s.summary.contains("off-shard") && s.json.contains(#""shard":null"#))
        s.shard = "1/3"
        s.refused = 4
        s.refusedOffShard = 3
        #expect(s.summary.contains("refused 4 (off-shard 3), refused updates 0"))
        #expect(s.line.contains("refused 4 (off-shard 3)"))
        #expect(s.json.contains(#""refused_off_shard":3"#) && s.json.contains(#""shard":"1/3""#))
    }
}
