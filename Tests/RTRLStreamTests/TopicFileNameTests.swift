import Testing
@testable import RTRLStream

@Suite struct TopicFileNameTests {
    @Test(arguments: ["../../x", "/etc/passwd", "..", ".", "a/b", "C:\\x", "%2e%2e", "x\u{0}y", "héllo", "Sensor-7", "$metrics", "a b"])
    func namesStayInTheDirectory(_ topic: String) throws {
        let name = TopicFileName.encode(topic)
        #expect(!name.contains("/"))
        #expect(!name.hasPrefix("."))
        #expect(name != "." && name != "..")
        #expect(!name.utf8.contains(0))
        #expect(name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || "-_%.".utf8.contains($0) })
        #expect(TopicFileName.isCheckpointName(name))
        #expect(TopicFileName.decode(name) == Array(topic.utf8))
    }

    @Test func exactNames() {
        #expect(TopicFileName.encode("../../x") == "t-%2e%2e%2f%2e%2e%2fx.ckpt")
        #expect(TopicFileName.encode("sensor-7_a") == "t-sensor-7_a.ckpt")
        #expect(TopicFileName.encode("A") == "t-%41.ckpt")  // upper case escaped: distinct on case-insensitive file systems
        #expect(TopicFileName.encode("a") == "t-a.ckpt")
    }

    @Test func longTopicsAreHashedAndShort() {
        let long = String(repeating: "/", count: 255)
        let name = TopicFileName.encode(long)
        #expect(name.hasPrefix("h-"))
        #expect(name.utf8.count <= 140)
        #expect(TopicFileName.isCheckpointName(name))
        #expect(TopicFileName.decode(name) == nil)
        let other = String(repeating: "/", count: 254) + "."
        #expect(TopicFileName.encode(other) != name)
        // The longest name plus AtomicFile's temporary suffix fits NAME_MAX (255).
        let longest = TopicFileName.encode(String(repeating: "a", count: 200))
        #expect(longest.hasPrefix("t-") && 1 + longest.utf8.count + 11 <= 255)
    }

    @Test func distinctTopicsGetDistinctNames() {
        var seen: [String: String] = [:]
        let alphabet = ["a", "A", ".", "/", "%", "2", "f", "é"]
        for a in alphabet {
            for b in alphabet {
                for c in alphabet {
                    let t = a + b + c
                    let n = TopicFileName.encode(t)
                    #expect(seen[n] == nil, "\(t) and \(seen[n] ?? "") share \(n)")
                    seen[n] = t
                }
            }
        }
        #expect(seen.count == 512)
    }

    @Test func rejectsForeignNames() {
        #expect(!TopicFileName.isCheckpointName("notes.txt"))
        #expect(!TopicFileName.isCheckpointName(".t-a.ckpt.tmp-123456"))
        #expect(TopicFileName.decode("t-%2.ckpt") == nil)
        #expect(TopicFileName.decode("t-%2E.ckpt") == nil)  // not the canonical (lower-case) form
        #expect(TopicFileName.decode("t-A.ckpt") == nil)
    }
}
