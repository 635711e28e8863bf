import Determinism

/// A running digest of everything that happened in a run, plus optional text lines.
///
/// Two runs of the same scenario and seed produce the same digest in any process; one differing
/// delivery, drop or timer changes it. The mixer is our own (no `Hasher`, which is seeded per process).
public struct Trace: Sendable {
    public private(set) var digest: UInt64 = 0x6A09_E667_F3BC_C908
    public private(set) var eventCount: UInt64 = 0
    /// Text lines, kept only when `recording` is on (a debugging aid; costly for big runs).
    public private(set) var lines: [String] = []
    public var recording: Bool

    public init(recording: Bool = false) { self.recording = recording }

    @inline(__always)
    public mutating func mix(_ value: UInt64) {
        var x = digest ^ value
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        digest = x ^ (x >> 31)
    }

    /// Records one event: its kind, instant, and up to three operands.
    @inline(__always)
    public mutating func record(_ kind: TraceKind, at instant: Instant, _ a: UInt64 = 0, _ b: UInt64 = 0, _ c: UInt64 = 0) {
        eventCount &+= 1
        mix(UInt64(kind.rawValue) << 56 ^ instant.nanoseconds)
        mix(a)
        mix(b &+ c &* 0x9E37_79B9_7F4A_7C15)
    }

    /// Appends a text line when recording (callers check `recording` first to skip formatting).
    public mutating func note(_ line: String) {
        if recording { lines.append(line) }
    }

    /// A 64-bit digest of bytes.
    public static func hash(_ bytes: [UInt8]) -> UInt64 { StableHash.words64(bytes, seed: UInt64(bytes.count)) }

    /// The digest as 16 lowercase hex digits.
    public var digestHex: String {
        let hex = String(digest, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// Kinds of traced events.
public enum TraceKind: UInt8, Sendable {
    case delivered = 1, dropped, processed, timer, faultStarted, faultEnded, connectionOpened, connectionClosed
    case queued, restarted
}
