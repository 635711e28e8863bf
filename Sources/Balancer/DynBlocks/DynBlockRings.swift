import DNSWire
import Determinism

/// One query as dnsdist's query ring keeps it (`Rings::Query`), minus what no rule reads.
struct QueryRingEntry {
    var when: Instant
    var client: IPAddress
    var port: UInt16
    var qtype: RRType

    static let empty = QueryRingEntry(when: .zero, client: .v4(IPv4Address(0)), port: 0, qtype: RRType(0))
}

/// One response as dnsdist's response ring keeps it (`Rings::Response`). The qname is kept only when
/// some group has a suffix-match rule; storing it retains the query's name bytes (no copy).
struct ResponseRingEntry {
    var when: Instant
    var client: IPAddress
    var port: UInt16
    var rcode: RCode
    var size: UInt32
    var fromCache: Bool
    var qname: DNSName

    static let empty = ResponseRingEntry(
        when: .zero, client: .v4(IPv4Address(0)), port: 0, rcode: .noError, size: 0, fromCache: false, qname: .root
    )
}

/// A fixed-capacity ring, preallocated: appending overwrites the oldest entry once full.
struct Ring<Entry> {
    private(set) var storage: [Entry]
    private(set) var count = 0
    private var next = 0

    init(capacity: Int, filler: Entry) {
        storage = [Entry](repeating: filler, count: capacity)
    }

    var capacity: Int { storage.count }

    @inline(__always)
    mutating func append(_ entry: Entry) {
        storage[next] = entry
        next += 1
        if next == storage.count { next = 0 }
        if count < storage.count { count += 1 }
    }

    /// Calls `body` on every held entry (order is irrelevant to counting: oldest slot first).
    @inline(__always)
    func forEach(_ body: (Entry) -> Void) {
        storage.withUnsafeBufferPointer { buffer in
            for index in 0..<count { body(buffer[index]) }
        }
    }
}

extension Ring where Entry == ResponseRingEntry {
    /// `append` for a ring that keeps no names: writes the other fields in place, leaving the
    /// slot's name (always `.root` in such a ring) untouched, so no reference is retained or released.
    @inline(__always)
    mutating func appendNameless(
        when: Instant, client: IPAddress, port: UInt16, rcode: RCode, size: UInt32, fromCache: Bool
    ) {
        let slot = next
        storage.withUnsafeMutableBufferPointer { buffer in
            buffer[slot].when = when
            buffer[slot].client = client
            buffer[slot].port = port
            buffer[slot].rcode = rcode
            buffer[slot].size = size
            buffer[slot].fromCache = fromCache
        }
        next += 1
        if next == storage.count { next = 0 }
        if count < storage.count { count += 1 }
    }
}

extension Ring: Sendable where Entry: Sendable {}
extension QueryRingEntry: Sendable {}
extension ResponseRingEntry: Sendable {}
