// fuzz_stream_checkpoint.swift — libFuzzer target: the stream checkpoint reader
// (StreamCheckpoint(decoding:)) and the restore of the network inside it.
//
// Input: one mode byte, then the file's bytes.
//   mode bit 0 clear: read as they are (magic, version, checksum in front);
//   mode bit 0 set:   the harness first re-seals them (the CRC-32C trailer), and, when
//                     the network length field can be found, the inner network's own
//                     length and CRC too, so mutations reach the field parsers behind
//                     both checksums.
//
// Checks: nothing crashes, no sanitizer report; a failure is `corrupt` or
// `unsupportedVersion` with a message; a checkpoint that decodes re-encodes to exactly
// its own bytes (the format is canonical), names a topic that is valid UTF-8 of 1-255
// bytes whose file name decodes back to it, and its network either loads (and its saved
// form loads and saves again to the same bytes) or is refused as `corrupt`/
// `unsupportedVersion`.
import Glibc
import RTRL
import RTRLStream

@inline(never)
func fail(_ message: String) -> Never {
    fputs("fuzz check failed: \(message)\n", stderr)
    abort()
}

func crc32c(_ b: ArraySlice<UInt8>) -> UInt32 {
    var c: UInt32 = ~0
    for byte in b {
        c ^= UInt32(byte)
        for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
    }
    return ~c
}

func store32(_ b: inout [UInt8], _ at: Int, _ v: UInt32) {
    for i in 0..<4 { b[at + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(i))) }
}

func store64(_ b: inout [UInt8], _ at: Int, _ v: UInt64) {
    for i in 0..<8 { b[at + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) }
}

func load16(_ b: [UInt8], _ at: Int) -> Int { Int(b[at]) | Int(b[at + 1]) << 8 }

/// Re-seals a mutated file: the inner network's length and checksum (when the topic
/// length points inside the file), then the outer checksum.
func reseal(_ b: inout [UInt8]) {
    guard b.count >= 18 + 4 else { return }
    let topicLength = load16(b, 16)
    let netLengthAt = 18 + topicLength + 49
    let netAt = netLengthAt + 8
    if netAt + 28 <= b.count - 4 {
        let netLength = b.count - 4 - netAt
        store64(&b, netLengthAt, UInt64(netLength))
        store64(&b, netAt + 16, UInt64(netLength - 28))  // the engine's payload length
        store32(&b, netAt + netLength - 4, crc32c(b[netAt ..< netAt + netLength - 4]))
    }
    store32(&b, b.count - 4, crc32c(b[0 ..< b.count - 4]))
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStreamCheckpoint(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size >= 1 else { return 0 }
    var bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    if data[0] & 1 != 0 { reseal(&bytes) }
    let checkpoint: StreamCheckpoint
    do {
        checkpoint = try StreamCheckpoint(decoding: bytes)
    } catch {
        if error.code != .corrupt && error.code != .unsupportedVersion { fail("decode failed with \(error.code)") }
        if error.message.isEmpty { fail("a failure without a message") }
        return 0
    }
    if checkpoint.encoded() != bytes { fail("a decoded checkpoint re-encodes to other bytes") }
    if checkpoint.topic.isEmpty || checkpoint.topic.count > 255 { fail("topic of \(checkpoint.topic.count) bytes") }
    guard String(validating: checkpoint.topic, as: UTF8.self) != nil else { fail("the topic is not UTF-8") }
    let name = TopicFileName.encode(checkpoint.topic)
    if !TopicFileName.isCheckpointName(name) || TopicFileName.decode(name).map({ $0 == checkpoint.topic }) == false {
        fail("topic file name \(name) does not map back to the topic")
    }
    let net: Network
    do {
        net = try Network.deserialize(checkpoint.network)
    } catch {
        if error.code != .corrupt && error.code != .unsupportedVersion { fail("network load failed with \(error.code)") }
        return 0
    }
    // The saved form is not canonical (e.g. a clip norm stored with the clip flag off is
    // ignored), so the check is that saving is stable: load(save(net)) saves the same.
    let saved = net.serialized()
    guard let again = try? Network.deserialize(saved) else { fail("the saved form of a loaded network does not load") }
    if again.serialized() != saved { fail("save(load(save(net))) != save(net)") }
    return 0
}
