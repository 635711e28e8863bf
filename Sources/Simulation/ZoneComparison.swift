import DNSWire
import DNSZone

/// Compares what two servers hold, as an AXFR of each would show it.
public enum ZoneComparison {
    /// Records present in one set of zones and not in the other (TTL included), counted both ways.
    public static func differingRecords(_ a: ZoneSet, _ b: ZoneSet) -> Int {
        var count = 0
        let origins = Set(a.zones.map(\.origin)).union(b.zones.map(\.origin))
        for origin in origins {
            let left = a.zone(named: origin)?.records ?? []
            let right = b.zone(named: origin)?.records ?? []
            count += difference(left, right) + difference(right, left)
        }
        return count
    }

    /// Records of `a` not in `b` (as multisets).
    private static func difference(_ a: [ResourceRecord], _ b: [ResourceRecord]) -> Int {
        var remaining: [ResourceRecord: Int] = [:]
        for record in b { remaining[record, default: 0] += 1 }
        var missing = 0
        for record in a {
            if let left = remaining[record], left > 0 { remaining[record] = left - 1 } else { missing += 1 }
        }
        return missing
    }
}
