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
    ///
    /// Lines are hashed as bytes: the owner's text once per node, the `owner TTL CLASS TYPE `
    /// prefix once per RRset; an RRset of one RDATA (most of them) needs no sorting.
    public init(of zone: Zone) {
        var hasher = SHA256Hasher()
        var count = 0
        var scratch = LineScratch()
        for node in zone.nodes {
            let owner = Array(node.owner.lowercased.description.utf8)
            let rrsets = node.rrsets
            if zip(rrsets, rrsets.dropFirst()).allSatisfy({ $0.type.rawValue < $1.type.rawValue }) {
                for rrset in rrsets { count += Self.hashLines(rrset, owner: owner, into: &hasher, &scratch) }
            } else {
                for rrset in rrsets.sorted(by: { $0.type.rawValue < $1.type.rawValue }) {
                    count += Self.hashLines(rrset, owner: owner, into: &hasher, &scratch)
                }
            }
        }
        assert(count == zone.recordCount, "every record is digested once")
        self.init(origin: zone.origin, serial: zone.soa?.serial, recordCount: count,
                  sha256: SHA256.hex(hasher.finalize()))
    }

    /// Buffers reused from one RRset to the next.
    private struct LineScratch {
        var prefix: [UInt8] = []
        var rdataLines: [[UInt8]] = []
    }

    /// Hashes the lines of `rrset` in the order of their bytes; returns how many.
    private static func hashLines(_ rrset: RRset, owner: [UInt8], into hasher: inout SHA256Hasher,
                                  _ scratch: inout LineScratch) -> Int {
        scratch.prefix.removeAll(keepingCapacity: true)
        scratch.prefix.append(contentsOf: owner)
        scratch.prefix.append(contentsOf: " \(rrset.ttl) \(rrset.class) \(rrset.type) ".utf8)
        if rrset.rdatas.count == 1, let only = rrset.rdatas.first {
            hasher.update(scratch.prefix)
            hasher.update(only.description.utf8)
            hasher.update(CollectionOfOne(UInt8(ascii: "\n")))
            return 1
        }
        // The lines share the prefix, so sorting what follows it sorts the lines.
        scratch.rdataLines.removeAll(keepingCapacity: true)
        for rdata in rrset.rdatas { scratch.rdataLines.append(Array((rdata.description + "\n").utf8)) }
        scratch.rdataLines.sort { $0.lexicographicallyPrecedes($1) }
        for line in scratch.rdataLines {
            hasher.update(scratch.prefix)
            hasher.update(line)
        }
        return scratch.rdataLines.count
    }

    /// The digests of every zone of `zones`, in canonical order of origin.
    public static func of(_ zones: ZoneSet) -> [ZoneDigest] {
        zones.zones.map(ZoneDigest.init(of:)).sorted { DNSName.canonicalCompare($0.origin, $1.origin) < 0 }
    }
}
