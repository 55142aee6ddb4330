/// Why an input message was dropped as malformed. Every reason has its own counter in
/// ``StreamStats`` and its own key (``name``) in the `$metrics` JSON.
public enum MalformedReason: Int, CaseIterable, Sendable, Hashable {
    /// The message did not have exactly two frames (topic, payload).
    case frameCount = 0
    /// The topic frame is empty.
    case emptyTopic
    /// The topic is longer than 255 bytes.
    case topicTooLong
    /// The topic is not valid UTF-8.
    case topicNotUTF8
    /// The payload frame is empty.
    case emptyPayload
    /// The payload is shorter than its header says (or than a header).
    case truncated
    /// The payload is longer than its header says.
    case wrongSize
    /// The version byte is not 1.
    case unknownVersion
    /// The kind byte is not 1 (sample).
    case unknownKind
    /// A flag bit other than bits 0–2 is set.
    case unknownFlags
    /// The reserved u32 at offset 12 is not 0.
    case reservedNotZero
    /// n_y > 0 without the has-target flag, or the flag with n_y = 0.
    case targetFlagMismatch
    /// n_x is not the network's number of inputs.
    case inputCountMismatch
    /// n_y is neither 0 nor the network's number of outputs.
    case targetCountMismatch
    /// An input value is NaN or infinite.
    case nonFiniteInput
    /// A target value is +inf or -inf (NaN means "no target for this unit").
    case infiniteTarget
    /// A payload starting with `{` is not valid JSON.
    case badJSON
    /// Valid JSON that is not a sample: not an object, `x` missing, a field of the wrong
    /// type or range, an unknown key.
    case invalidJSONSample

    /// The snake_case name used in logs and in the `$metrics` JSON.
    public var name: String {
        switch self {
        case .frameCount: "frame_count"
        case .emptyTopic: "empty_topic"
        case .topicTooLong: "topic_too_long"
        case .topicNotUTF8: "topic_not_utf8"
        case .emptyPayload: "empty_payload"
        case .truncated: "truncated"
        case .wrongSize: "wrong_size"
        case .unknownVersion: "unknown_version"
        case .unknownKind: "unknown_kind"
        case .unknownFlags: "unknown_flags"
        case .reservedNotZero: "reserved_not_zero"
        case .targetFlagMismatch: "target_flag_mismatch"
        case .inputCountMismatch: "input_count_mismatch"
        case .targetCountMismatch: "target_count_mismatch"
        case .nonFiniteInput: "non_finite_input"
        case .infiniteTarget: "infinite_target"
        case .badJSON: "bad_json"
        case .invalidJSONSample: "invalid_json_sample"
        }
    }
}

/// A payload or message that cannot be used: the reason (counted) and a detail for the log.
public struct MalformedSample: Error, Equatable, Sendable, CustomStringConvertible {
    public var reason: MalformedReason
    public var detail: String

    public init(_ reason: MalformedReason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    public var description: String { "\(reason.name): \(detail)" }
}
