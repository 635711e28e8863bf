// Splits one direction of a TCP stream into DNS messages by their 2-byte length prefix
// (RFC 1035 §4.2.2, RFC 7766 §8).
//
// Theory of operation: bytes arrive in stream order (`append`). Whole messages found in the new bytes are
// emitted without copying the stream; a message that straddles segments is collected in `partial`.
// A hole in the stream (`skipGap`) loses the message it falls in. When the hole ends inside a message
// whose length is known, the rest of that message is discarded and framing stays in step (tshark does
// the same); when the hole swallows a length prefix, framing restarts at the first byte after the hole,
// on the assumption that senders start a message at a segment boundary.

/// Length-prefix framing for one direction of a TCP connection.
struct TCPMessageFramer: Sendable {
    /// Bytes of an unfinished message, length prefix included (at most 65,537).
    private var partial: [UInt8] = []
    /// Bytes still to drop from a message lost to a hole.
    private var discardRemaining = 0

    /// Whether the framer holds an unfinished message (trailing bytes if the stream ended now).
    var hasTrailingBytes: Bool { !partial.isEmpty || discardRemaining > 0 }

    /// Consumes the next bytes of the stream, calling `emit` with each complete message (prefix removed).
    mutating func append(_ bytes: ArraySlice<UInt8>, emit: (ArraySlice<UInt8>) -> Void) {
        var rest = bytes
        if discardRemaining > 0 {
            let dropped = min(discardRemaining, rest.count)
            rest = rest.dropFirst(dropped)
            discardRemaining -= dropped
        }
        if !partial.isEmpty {
            rest = completePartial(with: rest, emit: emit)
            guard partial.isEmpty else { return }
        }
        while let length = rest.getUInt16(at: 0), rest.count - 2 >= Int(length) {
            let start = rest.startIndex + 2
            emit(rest[start..<(start + Int(length))])
            rest = rest[(start + Int(length))...]
        }
        partial.append(contentsOf: rest)
        assert(partial.count <= 65_537, "a partial message is never longer than its prefix allows")
    }

    /// Records a hole of `count` bytes in the stream: the message it falls in is lost. When the hole is
    /// the part of a segment the capture dropped, `emitTruncated` receives what was captured of that
    /// message (prefix removed), as tshark still shows such a message; for a lost segment, pass nothing.
    mutating func skipGap(_ count: Int, emitTruncated: (ArraySlice<UInt8>) -> Void = { _ in }) {
        precondition(count > 0, "a hole has a size")
        if discardRemaining > 0 {
            // Past the lost message's end the next prefix is in the hole: restart after it.
            discardRemaining = count < discardRemaining ? discardRemaining - count : 0
            return
        }
        guard let length = partial[...].getUInt16(at: 0) else {
            // At a message boundary or inside a prefix: the next prefix is in the hole.
            partial.removeAll(keepingCapacity: true)
            return
        }
        if partial.count > 2 {
            emitTruncated(partial[2...])
        }
        let remaining = 2 + Int(length) - partial.count
        partial.removeAll(keepingCapacity: true)
        discardRemaining = count < remaining ? remaining - count : 0
    }

    /// Forgets any unfinished message. Returns whether there was one (trailing bytes).
    mutating func finish() -> Bool {
        defer {
            partial.removeAll()
            discardRemaining = 0
        }
        return hasTrailingBytes
    }

    /// Fills `partial` from `bytes`; emits it when complete. Returns the unused bytes.
    private mutating func completePartial(
        with bytes: ArraySlice<UInt8>, emit: (ArraySlice<UInt8>) -> Void
    ) -> ArraySlice<UInt8> {
        var rest = bytes
        if partial.count < 2 {
            let take = min(2 - partial.count, rest.count)
            partial.append(contentsOf: rest.prefix(take))
            rest = rest.dropFirst(take)
        }
        guard let length = partial[...].getUInt16(at: 0) else { return rest }
        let take = min(2 + Int(length) - partial.count, rest.count)
        partial.append(contentsOf: rest.prefix(take))
        rest = rest.dropFirst(take)
        if partial.count == 2 + Int(length) {
            emit(partial[2...])
            partial.removeAll(keepingCapacity: true)
        }
        return rest
    }
}
