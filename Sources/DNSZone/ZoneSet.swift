import DNSWire

/// The zones one server is authoritative for, sorted by origin in canonical order.
///
/// A query goes to the zone with the longest origin that is an ancestor of (or equal to) the QNAME
/// (RFC 1034 §4.3.2 step 2); names outside every zone are REFUSED.
public struct ZoneSet: Hashable, Sendable {
    /// The zones, sorted by origin in canonical order.
    public private(set) var zones: [Zone] { didSet { reindex() } }
    /// Position of each origin in `zones`: only looked up, never iterated.
    private var positions: [DNSName: Int] = [:]

    /// No zones: every query is REFUSED.
    public init() { zones = [] }

    public static func == (lhs: ZoneSet, rhs: ZoneSet) -> Bool { lhs.zones == rhs.zones }
    public func hash(into hasher: inout Hasher) { hasher.combine(zones) }

    private mutating func reindex() {
        positions = [:]
        for (index, zone) in zones.enumerated() { positions[zone.origin] = index }
    }

    /// A set of `zones`; two zones with the same origin are an error.
    public init(_ zones: [Zone]) throws(ZoneSetError) {
        self.zones = []
        for zone in zones {
            guard self.zone(named: zone.origin) == nil else { throw ZoneSetError.duplicateOrigin(zone.origin) }
            _ = self.replace(zone)
        }
    }

    /// Inserts `zone`, replacing a zone with the same origin; returns the replaced one.
    public mutating func replace(_ zone: Zone) -> Zone? {
        let (index, found) = searchIndex(zone.origin)
        if found {
            let old = zones[index]
            zones[index] = zone
            return old
        }
        zones.insert(zone, at: index)
        return nil
    }

    /// Removes and returns the zone at `origin`.
    public mutating func remove(origin: DNSName) -> Zone? {
        let (index, found) = searchIndex(origin)
        return found ? zones.remove(at: index) : nil
    }

    /// The zone whose origin is exactly `origin`.
    public func zone(named origin: DNSName) -> Zone? {
        let (index, found) = searchIndex(origin)
        return found ? zones[index] : nil
    }

    /// The zone with the longest origin at or above `name`.
    public func zone(for name: DNSName) -> Zone? { zoneIndex(for: name, type: .a).map { zones[$0] } }

    /// The index of the zone answering `name`: the longest matching origin, except that DS at a zone's
    /// apex belongs to the parent side (RFC 4035 §3.1.4.1), so an enclosing zone we serve answers it.
    func zoneIndex(for name: DNSName, type: RRType) -> Int? {
        var count = name.labelCount
        var found: Int?
        while count >= 0 {
            let (index, exact) = searchIndex(name.suffix(labelCount: count))
            if exact {
                if type != .ds || count != name.labelCount { return index }
                found = index
            }
            count -= 1
        }
        return found
    }

    private func searchIndex(_ origin: DNSName) -> (index: Int, found: Bool) {
        if let position = positions[origin] { return (position, true) }
        var low = 0
        var high = zones.count
        while low < high {
            let middle = (low + high) / 2
            let order = DNSName.canonicalCompare(zones[middle].origin, origin)
            if order == 0 { return (middle, true) }
            if order < 0 { low = middle + 1 } else { high = middle }
        }
        return (low, false)
    }
}

/// Why a set of zones could not be built.
public enum ZoneSetError: Error, Hashable, Sendable {
    case duplicateOrigin(DNSName)
}
