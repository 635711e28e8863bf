import DNSWire
import DNSZone

/// The rows of a whole zone, in canonical order, with `auth` and empty non-terminals set as
/// PowerDNS's rectify (and its AXFR-in) leaves them for an unsigned zone.
///
/// - `auth` is 0 for the NS RRset of a delegation and for everything below a cut (glue), and for
///   any other data at the cut except DS, which is parent-side data (RFC 4035 §2.4); 1 otherwise.
/// - Every name between the apex and an owner that owns no data gets an empty non-terminal row
///   (type NULL), so PowerDNS answers NODATA there and does not synthesize from a wildcard above it
///   (RFC 4592 §2.2.2). Our zone engine knows that from its sorted names; PowerDNS needs the row.
/// - `ordername` stays NULL: PowerDNS ignores it for an unsigned zone.
enum ZoneRows {
    /// Calls `body` with every row of `zone`: empty non-terminals just before the first name below
    /// them, records in canonical owner order, then type order, then RDATA order.
    static func forEachRow(of zone: Zone, _ body: (PowerDNSRecord) throws -> Void) rethrows {
        var cut: DNSName?
        // Empty non-terminals already written: only looked up, never iterated (STYLE.md §4.3).
        var written: Set<DNSName> = []
        for node in zone.nodes {
            if let current = cut, !node.owner.isSubdomain(of: current) { cut = nil }
            for ent in emptyNonTerminals(above: node.owner, in: zone, skipping: written) {
                written.insert(ent)
                try body(PowerDNSFormat.emptyNonTerminalRow(ent, auth: cut == nil))
            }
            let isCut = cut == nil && node.owner != zone.origin && node.rrset(.ns) != nil
            let name = PowerDNSFormat.storedName(node.owner)
            for rrset in node.rrsets {
                let auth = cut == nil && (!isCut || rrset.type == .ds)
                let type = rrset.type.description
                for rdata in rrset.rdatas {
                    let (content, prio) = PowerDNSFormat.content(of: rdata)
                    try body(PowerDNSRecord(name: name, type: type, content: content, ttl: rrset.ttl, prio: prio,
                                            auth: auth))
                }
            }
            if isCut { cut = node.owner }
        }
    }

    /// The names strictly between the apex and `owner` that own no data and are not in `skipping`,
    /// highest first.
    static func emptyNonTerminals(above owner: DNSName, in zone: Zone, skipping: Set<DNSName>) -> [DNSName] {
        var missing: [DNSName] = []
        var name = owner
        while name != zone.origin, let parent = name.parent, parent != zone.origin {
            if zone.node(at: parent) != nil || skipping.contains(parent) { break }
            missing.append(parent)
            name = parent
        }
        return missing.reversed()
    }

    /// Whether a record at `owner` of `type` is authoritative data, given the zone's delegations.
    static func isAuthoritative(owner: DNSName, type: RRType, in zone: Zone) -> Bool {
        guard let cut = zone.delegation(covering: owner) else { return true }
        return cut.owner == owner && type == .ds
    }
}
