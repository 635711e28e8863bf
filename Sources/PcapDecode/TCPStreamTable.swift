// The set of TCP stream directions being reassembled, bounded by a least-recently-used eviction.

/// All TCP stream directions on DNS ports, keyed by (sender, receiver).
struct TCPStreamTable: Sendable {
    /// Bounds on reassembly state.
    struct Limits: Equatable, Sendable {
        /// Stream directions tracked at once; the least recently active one is flushed and evicted beyond it.
        var maximumStreams = 4_096
        /// Out-of-order segments buffered per direction before the hole before them is given up.
        var maximumOutOfOrderSegments = 256
        /// Out-of-order bytes buffered per direction before the hole before them is given up.
        var maximumOutOfOrderBytes = 1 << 20
    }

    private var streams: [TCPFlowKey: TCPDirection] = [:]
    /// Counts segments; a stream's `lastActivity` is the count at its last segment (unique, so eviction
    /// does not depend on hash order).
    private var activity = 0
    /// Counts streams created, for the order in which `finish` flushes them.
    private var creations = 0

    /// Routes a segment to its direction, creating (and if need be evicting) as required.
    mutating func receive(
        _ segment: TCPSegment, missing: Int, flow: TCPFlowKey, stamp: FrameStamp, context: inout ReassemblyContext
    ) {
        activity += 1
        var stream: TCPDirection
        if let existing = streams.removeValue(forKey: flow) {
            stream = existing
        } else {
            if streams.count >= context.limits.maximumStreams {
                evictLeastRecent(context: &context)
            }
            creations += 1
            stream = TCPDirection(activity: activity, creationOrder: creations)
        }
        stream.lastActivity = activity
        stream.receive(segment, missing: missing, flow: flow, stamp: stamp, context: &context)
        streams[flow] = stream
        assert(streams.count <= context.limits.maximumStreams, "eviction keeps the table bounded")
    }

    /// Flushes every stream (declaring holes, counting trailing bytes) in creation order, and empties the table.
    mutating func finish(context: inout ReassemblyContext) {
        let order = streams.sorted { $0.value.creationOrder < $1.value.creationOrder }
        streams.removeAll()
        for (flow, var stream) in order where !stream.isClosed {
            stream.close(flow: flow, context: &context)
        }
    }

    private mutating func evictLeastRecent(context: inout ReassemblyContext) {
        guard let flow = streams.min(by: { $0.value.lastActivity < $1.value.lastActivity })?.key,
            var stream = streams.removeValue(forKey: flow)
        else { return }
        context.statistics.anomalies.add(.tcpStreamEvicted)
        if !stream.isClosed {
            stream.close(flow: flow, context: &context)
        }
    }
}
