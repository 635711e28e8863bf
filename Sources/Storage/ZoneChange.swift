import DNSWire
import DNSZone

/// A change to one zone: edits applied in order, committed together with one serial bump.
public struct ZoneChange: Hashable, Sendable {
    /// One edit of an RRset.
    public enum Edit: Hashable, Sendable {
        /// The RRset at its owner and type becomes exactly this one (PowerDNS API `REPLACE`); an
        /// empty RRset deletes. Disabled rows of that RRset go too, as in PowerDNS.
        case replace(RRset)
        /// Deletes the RRset at `owner` of `type` (PowerDNS API `DELETE`, RFC 2136 §2.5.2).
        case delete(owner: DNSName, type: RRType)
        /// Adds one record to its RRset (RFC 2136 §2.5.1). The RRset takes the record's TTL, since
        /// an RRset has one TTL (RFC 2181 §5.2), as BIND does.
        case add(ResourceRecord)
        /// Removes one record from its RRset, whatever its TTL (RFC 2136 §2.5.4).
        case remove(ResourceRecord)

        /// The owner name the edit touches.
        public var owner: DNSName {
            switch self {
            case .replace(let rrset): rrset.owner
            case .delete(let owner, _): owner
            case .add(let record), .remove(let record): record.name
            }
        }

        /// The type the edit touches.
        public var type: RRType {
            switch self {
            case .replace(let rrset): rrset.type
            case .delete(_, let type): type
            case .add(let record), .remove(let record): record.type
            }
        }
    }

    /// The edits, applied in this order.
    public var edits: [Edit]

    /// A change made of `edits`, applied in order.
    public init(_ edits: [Edit]) {
        self.edits = edits
    }
}

/// What a committed change did: enough for the primary to NOTIFY its secondaries (RFC 1996) and
/// to journal the difference for IXFR (RFC 1995 §4: old SOA, removed, new SOA, added).
public struct ChangeResult: Hashable, Sendable {
    /// The zone's kind: only MASTER zones NOTIFY (and SLAVE zones with renotify).
    public var kind: ZoneKind
    /// The difference, framed by the SOA records before and after (for `PrimaryMachine`'s
    /// `zoneChanged` and its journal; `ZoneDiff.apply(to:)` brings an in-memory copy up to date).
    /// Removed and added records are in canonical order; the apex SOA is not among them.
    public var diff: ZoneDiff

    /// A result with every field given.
    public init(kind: ZoneKind, diff: ZoneDiff) {
        self.kind = kind
        self.diff = diff
    }

    /// The zone's origin.
    public var zone: DNSName { diff.origin }
    /// The serial before the change.
    public var oldSerial: UInt32 { diff.oldSerial.rawValue }
    /// The serial after the change.
    public var newSerial: UInt32 { diff.newSerial.rawValue }
    /// Records that left the zone (the SOA aside).
    public var removed: [ResourceRecord] { diff.removed }
    /// Records that entered the zone (the SOA aside).
    public var added: [ResourceRecord] { diff.added }

    /// False when the change left the zone as it was: nothing was written, the serial is unchanged
    /// and there is nothing to announce.
    public var changed: Bool { diff.oldSOA != diff.newSOA || diff.changeCount > 0 }
}
