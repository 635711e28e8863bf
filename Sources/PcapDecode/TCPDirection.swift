// One direction of a TCP connection: orders segments by sequence number and feeds the framer.
//
// Theory of operation (RFC 9293 §3.4 sequence space, compared modulo 2^32):
// - A SYN fixes the initial sequence number; without one, the first segment seen starts the stream.
// - Data at the next expected sequence number goes to the framer at once; data before it is a
//   retransmission (dropped and counted, or trimmed when it overlaps new data); data after it waits in a
//   bounded out-of-order buffer until the hole before it fills (messages then carry the filling frame).
// - When the buffer exceeds its bounds, or the stream closes or the capture ends, holes are declared
//   (`tcpGap`) and the buffered data is delivered after them (messages carry the frame that brought them).
// - A segment the capture cut short (snap length) still occupies its whole sequence range: the captured
//   part is framed, the rest is a known hole, and a message cut by it is emitted marked truncated.
// - A FIN closes the direction once all data before it has arrived; an RST closes it at once. A closed
//   direction drops retransmissions; new data on it, or a SYN with a new initial sequence number, starts
//   a fresh stream (port reuse).

/// A DNS message candidate from a TCP stream, before it becomes a `CapturedDNSMessage`.
struct TCPMessageRecord: Sendable {
    var flow: TCPFlowKey
    var stamp: FrameStamp
    var wire: ArraySlice<UInt8>
    var isSnapTruncated: Bool
}

/// One direction of a TCP connection: sender endpoint to receiver endpoint.
struct TCPFlowKey: Hashable, Sendable {
    var source: IPEndpoint
    var destination: IPEndpoint
}

/// Stream bytes from one segment: the captured part and how many bytes after it the capture dropped.
struct TCPChunk: Sendable {
    var sequence: UInt32
    var bytes: ArraySlice<UInt8>
    var missing: Int
    var stamp: FrameStamp

    /// Sequence-space length.
    var length: Int { bytes.count + missing }

    /// The chunk without its first `count` sequence numbers.
    func dropping(_ count: Int) -> TCPChunk {
        precondition(count >= 0 && count < length, "trim inside the chunk")
        let fromBytes = min(count, bytes.count)
        return TCPChunk(
            sequence: sequence &+ UInt32(count), bytes: bytes.dropFirst(fromBytes),
            missing: missing - (count - fromBytes), stamp: stamp)
    }
}

/// Sequence-ordered reassembly of one direction of a TCP connection.
struct TCPDirection: Sendable {
    /// Next sequence number expected; nil before the first segment.
    private(set) var nextSequence: UInt32?
    private var initialSequence: UInt32?
    /// Out-of-order chunks, sorted by sequence number relative to `nextSequence`.
    private var pending: [TCPChunk] = []
    private var pendingBytes = 0
    private var finSequence: UInt32?
    private(set) var isClosed = false
    private var framer = TCPMessageFramer()
    /// Table-wide activity counter at the last segment, for least-recently-used eviction.
    var lastActivity: Int
    /// When the table created the direction, for a deterministic flush order.
    let creationOrder: Int

    init(activity: Int, creationOrder: Int) {
        lastActivity = activity
        self.creationOrder = creationOrder
    }

    /// Signed distance from `base` to `sequence` in sequence space.
    static func distance(_ sequence: UInt32, from base: UInt32) -> Int {
        Int(Int32(bitPattern: sequence &- base))
    }

    /// Takes one segment of this direction; `missing` is how many payload bytes the capture dropped.
    mutating func receive(
        _ segment: TCPSegment, missing: Int, flow: TCPFlowKey, stamp: FrameStamp, context: inout ReassemblyContext
    ) {
        // The segment's payload is a view on the frame: the chunk keeps a copy.
        var chunk = TCPChunk(sequence: segment.sequence, bytes: ArraySlice(segment.payload), missing: missing, stamp: stamp)
        if segment.syn {
            chunk.sequence = segment.sequence &+ 1
            if initialSequence != segment.sequence {
                if nextSequence != nil {
                    restart(flow: flow, context: &context)
                }
                initialSequence = segment.sequence
                nextSequence = chunk.sequence
            }
        } else if isClosed, chunk.length > 0 {
            let end = Self.distance(chunk.sequence &+ UInt32(chunk.length), from: nextSequence ?? chunk.sequence)
            guard end > 0 else {
                context.statistics.skipped.add(.tcpRetransmission)
                return
            }
            restart(flow: flow, context: &context)
        }
        guard !isClosed else { return }
        if nextSequence == nil { nextSequence = chunk.sequence }
        if segment.fin, finSequence == nil {
            finSequence = chunk.sequence &+ UInt32(chunk.length)
        }
        if chunk.length > 0 {
            accept(chunk, flow: flow, context: &context)
        }
        if segment.reset {
            close(flow: flow, context: &context)
        } else if let fin = finSequence, pending.isEmpty, let next = nextSequence, Self.distance(fin, from: next) <= 0 {
            close(flow: flow, context: &context)
        }
    }

    /// Delivers what can be delivered, declaring holes for whatever is still buffered, and closes.
    mutating func close(flow: TCPFlowKey, context: inout ReassemblyContext) {
        while !pending.isEmpty {
            declareGap(flow: flow, context: &context)
        }
        if framer.finish() {
            context.statistics.skipped.add(.tcpTrailingBytes)
        }
        finSequence = nil
        isClosed = true
    }

    /// Closes the current stream and starts afresh (port reuse).
    private mutating func restart(flow: TCPFlowKey, context: inout ReassemblyContext) {
        if !isClosed {
            close(flow: flow, context: &context)
        }
        self = TCPDirection(activity: lastActivity, creationOrder: creationOrder)
    }

    private mutating func accept(_ chunk: TCPChunk, flow: TCPFlowKey, context: inout ReassemblyContext) {
        guard let next = nextSequence else { preconditionFailure("receive sets nextSequence before accept") }
        let start = Self.distance(chunk.sequence, from: next)
        if start + chunk.length <= 0 {
            context.statistics.skipped.add(.tcpRetransmission)
        } else if start <= 0 {
            if start < 0 { context.statistics.anomalies.add(.tcpOverlapTrimmed) }
            deliver(chunk.dropping(-start), stamp: chunk.stamp, flow: flow, context: &context)
            drainPending(fillStamp: chunk.stamp, flow: flow, context: &context)
        } else {
            context.statistics.anomalies.add(.tcpOutOfOrder)
            insertPending(chunk, context: &context)
            let limits = context.limits
            while pending.count > limits.maximumOutOfOrderSegments || pendingBytes > limits.maximumOutOfOrderBytes {
                declareGap(flow: flow, context: &context)
            }
        }
    }

    /// Frames a chunk that starts at the stream position; its messages carry `stamp`.
    private mutating func deliver(
        _ chunk: TCPChunk, stamp: FrameStamp, flow: TCPFlowKey, context: inout ReassemblyContext
    ) {
        guard let next = nextSequence else { preconditionFailure("deliver needs a stream position") }
        precondition(chunk.sequence == next, "chunks are delivered in order")
        framer.append(chunk.bytes) { wire in
            context.messages.append(TCPMessageRecord(flow: flow, stamp: stamp, wire: wire, isSnapTruncated: false))
        }
        if chunk.missing > 0 {
            var emitted = false
            framer.skipGap(chunk.missing) { wire in
                emitted = true
                context.messages.append(TCPMessageRecord(flow: flow, stamp: stamp, wire: wire, isSnapTruncated: true))
            }
            if !emitted { context.statistics.skipped.add(.snapTruncated) }
        }
        nextSequence = next &+ UInt32(truncatingIfNeeded: chunk.length)
    }

    private mutating func insertPending(_ chunk: TCPChunk, context: inout ReassemblyContext) {
        guard let next = nextSequence else { preconditionFailure("insertPending needs a stream position") }
        if pending.contains(where: { $0.sequence == chunk.sequence && $0.length >= chunk.length }) {
            context.statistics.skipped.add(.tcpRetransmission)
            return
        }
        let start = Self.distance(chunk.sequence, from: next)
        let index = pending.firstIndex { Self.distance($0.sequence, from: next) > start } ?? pending.count
        pending.insert(chunk, at: index)
        pendingBytes += chunk.bytes.count
    }

    /// Hands over buffered chunks that now touch the stream position. With a `fillStamp` (a segment
    /// filled the hole) their messages carry that frame; without (a hole was given up) their own.
    private mutating func drainPending(fillStamp: FrameStamp?, flow: TCPFlowKey, context: inout ReassemblyContext) {
        while let first = pending.first, let next = nextSequence, Self.distance(first.sequence, from: next) <= 0 {
            pending.removeFirst()
            pendingBytes -= first.bytes.count
            let start = Self.distance(first.sequence, from: next)
            if start + first.length <= 0 {
                context.statistics.skipped.add(.tcpRetransmission)
            } else {
                if start < 0 { context.statistics.anomalies.add(.tcpOverlapTrimmed) }
                deliver(first.dropping(-start), stamp: fillStamp ?? first.stamp, flow: flow, context: &context)
            }
        }
    }

    /// Gives up on the hole before the first buffered chunk and continues after it.
    private mutating func declareGap(flow: TCPFlowKey, context: inout ReassemblyContext) {
        guard let first = pending.first, let next = nextSequence else { return }
        let hole = Self.distance(first.sequence, from: next)
        precondition(hole > 0, "buffered chunks start after the stream position")
        context.statistics.skipped.add(.tcpGap)
        framer.skipGap(hole)
        nextSequence = first.sequence
        drainPending(fillStamp: nil, flow: flow, context: &context)
    }
}

/// What reassembly writes to: the extractor's counters and the TCP messages found by the current call,
/// plus the bounds it obeys.
struct ReassemblyContext: Sendable {
    var statistics = ExtractionStatistics()
    var messages: [TCPMessageRecord] = []
    var limits = TCPStreamTable.Limits()
}
