// IP fragment reassembly (RFC 791 §3.2, RFC 8200 §4.5), bounded.
//
// Theory of operation: fragments are grouped by (source, destination, protocol, identification). Each
// group keeps its pieces in arrival order; when the last fragment (More Fragments clear) has fixed the
// datagram's length and the pieces cover it without a hole, the datagram is assembled and the group
// forgotten. Overlapping bytes are taken from the piece with the lower offset (first arrival on a tie)
// and counted. Bounds: datagram size, pieces per datagram, datagrams in reassembly (the oldest group is
// evicted). No timeouts yet: groups left at the end are counted by `finish()`.

/// Bounded reassembly of IPv4 and IPv6 fragments.
struct FragmentReassembler: Sendable {
    /// Identifies the datagram a fragment belongs to.
    struct Key: Hashable, Sendable {
        var source: IPAddress
        var destination: IPAddress
        var protocolNumber: UInt8
        var identification: UInt32
    }

    /// One datagram being reassembled.
    struct Group: Sendable {
        /// Fragments in arrival order.
        var pieces: [(offset: Int, bytes: ArraySlice<UInt8>)] = []
        /// Payload length, once the last fragment has been seen.
        var totalLength: Int?
        /// Arrival order of the group's first fragment, for eviction.
        var sequence: Int
    }

    /// Largest reassembled payload: IPv4's 16-bit total length bounds the datagram.
    static let maximumDatagramLength = 65_535
    /// Datagrams in reassembly at once.
    var maximumGroups = 1_024
    /// Fragments kept per datagram.
    var maximumPiecesPerGroup = 256

    private var groups: [Key: Group] = [:]
    private var nextSequence = 0

    /// What happened to a fragment.
    enum Outcome {
        /// Kept; the datagram is not complete yet.
        case pending
        /// The datagram's payload, complete.
        case complete([UInt8])
    }

    /// Adds one fragment's payload.
    ///
    /// - Throws: `SkipReason.fragmentLimit` when a bound drops the datagram (the caller counts it).
    mutating func add(
        key: Key, fragment: FragmentInfo, payload: UnsafeBufferPointer<UInt8>, counters: inout ExtractionStatistics
    ) throws(SkipReason) -> Outcome {
        let end = fragment.offset + payload.count
        guard end <= Self.maximumDatagramLength else {
            groups.removeValue(forKey: key)
            throw .fragmentLimit
        }
        var group = groups.removeValue(forKey: key) ?? makeGroup(counters: &counters)
        group.pieces.append((fragment.offset, ArraySlice(payload)))  // a copy: `payload` is a view on the frame
        if !fragment.moreFragments, group.totalLength == nil {
            group.totalLength = end
        }
        guard group.pieces.count <= maximumPiecesPerGroup else { throw .fragmentLimit }
        if let payload = Self.assemble(group, anomalies: &counters.anomalies) {
            counters.anomalies.add(.fragmentReassembled)
            return .complete(payload)
        }
        groups[key] = group
        return .pending
    }

    /// Forgets every incomplete datagram, returning how many there were.
    mutating func finish() -> Int {
        defer { groups.removeAll() }
        return groups.count
    }

    /// A new group, evicting the oldest when the table is full.
    private mutating func makeGroup(counters: inout ExtractionStatistics) -> Group {
        if groups.count >= maximumGroups,
            let oldest = groups.min(by: { $0.value.sequence < $1.value.sequence })?.key
        {
            groups.removeValue(forKey: oldest)
            counters.skipped.add(.fragmentLimit)
        }
        nextSequence += 1
        return Group(sequence: nextSequence)
    }

    /// The payload when the pieces cover `0..<totalLength`, else `nil`.
    static func assemble(_ group: Group, anomalies: inout ReasonCounts<Anomaly>) -> [UInt8]? {
        guard let totalLength = group.totalLength else { return nil }
        // Stable order: by offset, then arrival.
        let ordered = group.pieces.enumerated().sorted {
            ($0.element.offset, $0.offset) < ($1.element.offset, $1.offset)
        }.map(\.element)
        var covered = 0
        for piece in ordered where piece.offset < totalLength {
            if piece.offset > covered { return nil }
            covered = max(covered, piece.offset + piece.bytes.count)
        }
        guard covered >= totalLength else { return nil }
        var payload: [UInt8] = []
        payload.reserveCapacity(totalLength)
        var overlapped = false
        for piece in ordered where payload.count < totalLength {
            let skip = payload.count - piece.offset
            if skip > 0 { overlapped = true }
            let end = min(piece.bytes.count, totalLength - piece.offset)
            if skip < end {
                payload.append(
                    contentsOf: piece.bytes[(piece.bytes.startIndex + max(skip, 0))..<(piece.bytes.startIndex + end)])
            }
        }
        if overlapped { anomalies.add(.fragmentOverlap) }
        assert(payload.count == totalLength, "covered pieces fill the datagram")
        return payload
    }
}
