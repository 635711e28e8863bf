import DNSWire

/// The difference between two versions of one zone: what an incremental transfer carries.
///
/// A diff names the SOA before and after the change and the records that went away and came in,
/// the apex SOA excluded (RFC 1995 §4: each difference sequence is framed by the old and the new
/// SOA). A changed TTL is a removal of every record of the RRset at the old TTL and an addition at
/// the new one, because RFC 1995 carries whole records and RFC 2181 §5.2 keeps one TTL per RRset.
/// Records are compared with their TTL; names compare case-insensitively, as everywhere.
public struct ZoneDiff: Hashable, Sendable {
    /// The zone's origin.
    public let origin: DNSName
    /// The apex SOA record of the version the diff starts from.
    public let oldSOA: ResourceRecord
    /// The apex SOA record of the version the diff leads to.
    public let newSOA: ResourceRecord
    /// Records of the old version that the new one lacks (apex SOA excluded).
    public private(set) var removed: [ResourceRecord]
    /// Records of the new version that the old one lacks (apex SOA excluded).
    public private(set) var added: [ResourceRecord]

    /// A diff from explicit parts; both SOA records must be SOA records at `origin`.
    public init(
        origin: DNSName, oldSOA: ResourceRecord, newSOA: ResourceRecord, removed: [ResourceRecord],
        added: [ResourceRecord]
    ) {
        precondition(oldSOA.type == .soa && newSOA.type == .soa, "a diff is framed by SOA records")
        precondition(oldSOA.name == origin && newSOA.name == origin, "the framing SOA records are at the apex")
        self.origin = origin
        self.oldSOA = oldSOA
        self.newSOA = newSOA
        self.removed = removed
        self.added = added
    }

    /// The serial the diff starts from.
    public var oldSerial: SerialNumber { Self.serial(of: oldSOA) }
    /// The serial the diff leads to.
    public var newSerial: SerialNumber { Self.serial(of: newSOA) }
    /// Records carried besides the two SOA records.
    public var changeCount: Int { removed.count + added.count }

    static func serial(of record: ResourceRecord) -> SerialNumber {
        guard case .soa(let soa) = record.rdata else { preconditionFailure("SOA record without SOA RDATA") }
        return SerialNumber(soa.serial)
    }
}

/// Why a diff cannot be made or applied. Applying a diff received from a peer makes the peer's
/// data at fault (the receiver falls back to a full transfer); making one is the caller's.
public enum ZoneDiffError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The two zones or the diff and the zone have different origins.
    case originMismatch(DNSName)
    /// A zone without an apex SOA has no version to start from or lead to (RFC 1035 §5.2).
    case missingSOA(DNSName)
    /// The zone is not at the version the diff starts from.
    case serialMismatch(expected: SerialNumber, found: SerialNumber)
    /// A record to remove is not in the zone.
    case missingRecord(ResourceRecord)
    /// A record to add is already in the zone and is not removed first.
    case duplicateRecord(ResourceRecord)
    /// A record to add cannot be part of the zone.
    case invalidRecord(ResourceRecord, ZoneError)
    /// Two diffs composed out of order: the first does not lead to where the second starts.
    case notConsecutive(leadsTo: SerialNumber, nextStartsAt: SerialNumber)

    public var description: String {
        switch self {
        case .originMismatch(let origin): "the diff is for another zone than \(origin)"
        case .missingSOA(let origin): "\(origin) has no SOA record at its apex"
        case .serialMismatch(let expected, let found): "the zone is at serial \(found), the diff starts at \(expected)"
        case .missingRecord(let record): "record to remove is not in the zone: \(record)"
        case .duplicateRecord(let record): "record to add is already in the zone: \(record)"
        case .invalidRecord(let record, let error): "record to add does not fit the zone (\(error)): \(record)"
        case .notConsecutive(let end, let start): "a diff leading to \(end) cannot be followed by one starting at \(start)"
        }
    }
}

extension ZoneDiff {
    /// The difference from `old` to `new`, found by walking both zones in canonical order (O(n) in
    /// nodes; nodes and RRsets that are equal are skipped whole).
    public init(from old: Zone, to new: Zone) throws(ZoneDiffError) {
        guard old.origin == new.origin else { throw .originMismatch(new.origin) }
        guard let oldSOA = old.soaRRset?.records.first else { throw .missingSOA(old.origin) }
        guard let newSOA = new.soaRRset?.records.first else { throw .missingSOA(new.origin) }
        var removed: [ResourceRecord] = []
        var added: [ResourceRecord] = []
        let before = old.nodes
        let after = new.nodes
        var i = 0
        var j = 0
        while i < before.count || j < after.count {
            let order = i == before.count ? 1 : j == after.count ? -1
                : DNSName.canonicalCompare(before[i].owner, after[j].owner)
            if order < 0 {
                Self.appendRecords(of: before[i].rrsets, origin: old.origin, to: &removed)
                i += 1
            } else if order > 0 {
                Self.appendRecords(of: after[j].rrsets, origin: new.origin, to: &added)
                j += 1
            } else {
                if before[i] != after[j] {
                    Self.compareNode(before[i], after[j], origin: old.origin, removed: &removed, added: &added)
                }
                i += 1
                j += 1
            }
        }
        self.init(origin: old.origin, oldSOA: oldSOA, newSOA: newSOA, removed: removed, added: added)
        assert(old.recordCount - (old.soaRRset?.rdatas.count ?? 0) - removed.count + added.count
               == new.recordCount - (new.soaRRset?.rdatas.count ?? 0), "diff does not account for every record")
    }

    private static func isApexSOA(_ rrset: RRset, origin: DNSName) -> Bool {
        rrset.type == .soa && rrset.owner == origin
    }

    private static func appendRecords(of rrsets: some Sequence<RRset>, origin: DNSName, to list: inout [ResourceRecord]) {
        for rrset in rrsets where !isApexSOA(rrset, origin: origin) { list += rrset.records }
    }

    /// Two nodes with the same owner: RRsets by type, records by RDATA.
    private static func compareNode(
        _ old: ZoneNode, _ new: ZoneNode, origin: DNSName, removed: inout [ResourceRecord],
        added: inout [ResourceRecord]
    ) {
        var i = 0
        var j = 0
        while i < old.rrsets.count || j < new.rrsets.count {
            let order: Int
            if i == old.rrsets.count {
                order = 1
            } else if j == new.rrsets.count {
                order = -1
            } else {
                let (left, right) = (old.rrsets[i].type, new.rrsets[j].type)
                order = left < right ? -1 : left == right ? 0 : 1
            }
            if order < 0 {
                appendRecords(of: [old.rrsets[i]], origin: origin, to: &removed)
                i += 1
            } else if order > 0 {
                appendRecords(of: [new.rrsets[j]], origin: origin, to: &added)
                j += 1
            } else {
                if old.rrsets[i] != new.rrsets[j] && !isApexSOA(old.rrsets[i], origin: origin) {
                    compareRRset(old.rrsets[i], new.rrsets[j], removed: &removed, added: &added)
                }
                i += 1
                j += 1
            }
        }
    }

    private static func compareRRset(_ old: RRset, _ new: RRset, removed: inout [ResourceRecord], added: inout [ResourceRecord]) {
        guard old.ttl == new.ttl else {
            removed += old.records
            added += new.records
            return
        }
        // RRsets are small as a rule; a set keeps a large one (thousands of TXT) linear.
        let large = old.rdatas.count * new.rdatas.count > 256
        let oldSet = large ? Set(old.rdatas) : []
        let newSet = large ? Set(new.rdatas) : []
        for record in old.records where !(large ? newSet.contains(record.rdata) : new.rdatas.contains(record.rdata)) {
            removed.append(record)
        }
        for record in new.records where !(large ? oldSet.contains(record.rdata) : old.rdatas.contains(record.rdata)) {
            added.append(record)
        }
    }
}

extension ZoneDiff {
    /// Applies the diff to `zone` in place: removals, then additions, then the new SOA (RFC 1995 §4).
    ///
    /// Every check runs before the zone is touched, so on error the zone is unchanged. An added
    /// record whose TTL differs from the RRset it joins sets the RRset's TTL (the sender's zone can
    /// hold one TTL per RRset only, RFC 2181 §5.2, so the newest is the one it has).
    public func apply(to zone: inout Zone) throws(ZoneDiffError) {
        try check(against: zone)
        // A removal and an addition at the same owner and type (an address update) swap in place,
        // so the node is never emptied and re-inserted (which costs the zone's size).
        struct Key: Hashable {
            var name: DNSName
            var type: RRType
        }
        var candidates: [Key: [Int]] = [:]
        for (index, record) in added.enumerated().reversed() {
            candidates[Key(name: record.name, type: record.type), default: []].append(index)
        }
        var swapped = Set<Int>()
        var pending: [ResourceRecord] = []
        for record in removed {
            let key = Key(name: record.name, type: record.type)
            if let match = candidates[key]?.last, (try? zone.replaceRecord(record, with: added[match])) == true {
                candidates[key]?.removeLast()
                swapped.insert(match)
            } else {
                pending.append(record)
            }
        }
        for record in pending {
            let found = zone.remove(record)
            assert(found, "checked removal failed")
        }
        for (index, record) in added.enumerated() where !swapped.contains(index) {
            do {
                if case .ttlMismatch = try zone.add(record), var rrset = zone.rrset(at: record.name, type: record.type) {
                    rrset.ttl = record.ttl
                    try zone.setRRset(rrset)
                }
            } catch {
                preconditionFailure("checked addition failed: \(error)")
            }
        }
        guard case .soa(let soa) = newSOA.rdata else { preconditionFailure("SOA record without SOA RDATA") }
        do {
            try zone.setRRset(RRset(owner: origin, type: .soa, class: zone.class, ttl: newSOA.ttl, rdatas: [.soa(soa)]))
        } catch {
            preconditionFailure("the apex SOA always fits its zone: \(error)")
        }
        assert(zone.soa?.serial == newSerial.rawValue, "the zone must end at the diff's new serial")
    }

    /// The zone after the diff; `zone` itself is left as it was.
    public func applied(to zone: Zone) throws(ZoneDiffError) -> Zone {
        var copy = zone
        try apply(to: &copy)
        return copy
    }

    /// Read-only checks that make `apply` unable to fail halfway.
    private func check(against zone: Zone) throws(ZoneDiffError) {
        guard zone.origin == origin else { throw .originMismatch(zone.origin) }
        guard let soa = zone.soa else { throw .missingSOA(zone.origin) }
        guard SerialNumber(soa.serial) == oldSerial else {
            throw .serialMismatch(expected: oldSerial, found: SerialNumber(soa.serial))
        }
        var removedKeys = Set<RecordKey>()
        for record in removed {
            guard record.type != .soa || record.name != origin,
                zone.rrset(at: record.name, type: record.type)?.rdatas.contains(record.rdata) == true,
                removedKeys.insert(RecordKey(record)).inserted
            else { throw .missingRecord(record) }
        }
        for record in added {
            if record.type == .soa && record.name == origin { throw .duplicateRecord(record) }
            if let error = Self.zoneError(for: record, in: zone) { throw .invalidRecord(record, error) }
            let present = zone.rrset(at: record.name, type: record.type)?.rdatas.contains(record.rdata) == true
            if present && !removedKeys.contains(RecordKey(record)) { throw .duplicateRecord(record) }
        }
    }

    /// The reason `Zone.add` would refuse `record`, checked without changing the zone.
    private static func zoneError(for record: ResourceRecord, in zone: Zone) -> ZoneError? {
        if !record.name.isSubdomain(of: zone.origin) { return .outOfZone(record.name) }
        if record.class != zone.class { return .classMismatch(record.class) }
        if record.type.isMetaType { return .metaType(record.type) }
        if case .empty(let type) = record.rdata { return .emptyRData(type) }
        return nil
    }
}

/// A record's identity within a zone: owner, type and RDATA (the TTL belongs to the RRset).
struct RecordKey: Hashable {
    var name: DNSName
    var rdata: RData
    init(_ record: ResourceRecord) {
        name = record.name
        rdata = record.rdata
    }
}

extension ZoneDiff {
    /// This diff followed by `next`, condensed into one: a record added by one and removed by the
    /// other cancels out (RFC 1995 §5 allows a server to condense the sequences it sends).
    ///
    /// With S1 = (S0 − R1) ∪ A1 and S2 = (S1 − R2) ∪ A2, the net change is
    /// R = (R1 − A2) ∪ (R2 − A1) and A = (A1 − R2) ∪ (A2 − R1), records compared with their TTL.
    public func followed(by next: ZoneDiff) throws(ZoneDiffError) -> ZoneDiff {
        guard next.origin == origin else { throw .originMismatch(next.origin) }
        guard next.oldSerial == newSerial else { throw .notConsecutive(leadsTo: newSerial, nextStartsAt: next.oldSerial) }
        let removedFirst = Set(removed)
        let addedFirst = Set(added)
        let removedNext = Set(next.removed)
        let addedNext = Set(next.added)
        let netRemoved = removed.filter { !addedNext.contains($0) } + next.removed.filter { !addedFirst.contains($0) }
        let netAdded = added.filter { !removedNext.contains($0) } + next.added.filter { !removedFirst.contains($0) }
        return ZoneDiff(origin: origin, oldSOA: oldSOA, newSOA: next.newSOA, removed: netRemoved, added: netAdded)
    }

    /// A run of consecutive diffs condensed into one; nil for an empty run.
    public static func condensing(_ diffs: some Collection<ZoneDiff>) throws(ZoneDiffError) -> ZoneDiff? {
        guard var result = diffs.first else { return nil }
        for diff in diffs.dropFirst() { result = try result.followed(by: diff) }
        return result
    }
}
