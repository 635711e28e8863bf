import Determinism
import DNSWire
import DNSZone

/// A digest of a zone's content that does not depend on how the zone was built: what a snapshot's
/// copy of a zone and the primary's served copy are compared by.
///
/// The digest is SHA-256 over one line per record, `owner TTL CLASS TYPE RDATA\n`, where the owner
/// is lowercased presentation form and RDATA is presentation form (`RData.description`); the lines
/// follow the zone's canonical name order (RFC 4034 §6.1), then type code, and within an RRset the
/// lines are sorted by their UTF-8 bytes (an RRset is a set: insertion order does not count).
/// docs/backups.md states the same.
public struct ZoneDigest: Hashable, Sendable {
    public var origin: DNSName
    /// The SOA serial, or nil for a zone without one.
    public var serial: UInt32?
    /// Records digested.
    public var recordCount: Int
    /// 64 lowercase hex digits.
    public var sha256: String

    public init(origin: DNSName, serial: UInt32?, recordCount: Int, sha256: String) {
        self.origin = origin
        self.serial = serial
        self.recordCount = recordCount
        self.sha256 = sha256
    }

    /// The digest of `zone`.
    public init(of zone: Zone) {
        var hasher = SHA256Hasher()
        var count = 0
        for node in zone.nodes {
            let owner = node.owner.lowercased.description
            for rrset in node.rrsets.sorted(by: { $0.type.rawValue < $1.type.rawValue }) {
                let prefix = "\(owner) \(rrset.ttl) \(rrset.class) \(rrset.type) "
                var lines = rrset.rdatas.map { Array((prefix + $0.description + "\n").utf8) }
                lines.sort { $0.lexicographicallyPrecedes($1) }
                for line in lines { hasher.update(line) }
                count += lines.count
            }
        }
        assert(count == zone.recordCount, "every record is digested once")
        self.init(origin: zone.origin, serial: zone.soa?.serial, recordCount: count,
                  sha256: SHA256.hex(hasher.finalize()))
    }

    /// The digests of every zone of `zones`, in canonical order of origin.
    public static func of(_ zones: ZoneSet) -> [ZoneDigest] {
        zones.zones.map(ZoneDigest.init(of:)).sorted { DNSName.canonicalCompare($0.origin, $1.origin) < 0 }
    }
}
