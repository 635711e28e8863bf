import Determinism
import DNSWire
import DNSZone
import GRDB

extension ZoneStore {
    /// Applies `change` to the zone at `origin` and bumps its SOA serial, in one transaction: the
    /// one way every change to a zone is written.
    ///
    /// The serial follows the zone's `SOA-EDIT-API` metadata (`SOAEditAPI`; DEFAULT when absent),
    /// dated `epoch + now` (seconds since 1970; time is an input, STYLE.md §4.1). As in PowerDNS, a
    /// change that itself edits the SOA keeps the serial it gives. Unlike PowerDNS's API, a change
    /// that leaves the zone as it was writes nothing and keeps the serial (a dyndns2 `nochg` must
    /// not grow the serial; joeig/dyndns-pdns#10).
    ///
    /// Only the touched names (with their ancestors and the apex) are read, so a change costs the
    /// same in a zone of ten records or a million; a name that disappears, or a delegation that
    /// appears or goes, also scans the zone's names for descendants (empty non-terminals, `auth`).
    ///
    /// The result says what changed, for the primary to NOTIFY and journal; the store itself
    /// notifies nobody. A secondary applying an IXFR difference includes the new SOA in the
    /// change, which is then kept as given.
    public func apply(_ change: ZoneChange, to origin: DNSName, now: Instant, epoch: Int64) throws(StorageError)
        -> ChangeResult
    {
        precondition(epoch >= 0 && epoch <= Int64.max - Int64(now.seconds), "the run's epoch is seconds since 1970")
        let unixSeconds = epoch + Int64(now.seconds)
        return try write { db in
            let editor = try ZoneEditor(db: db, origin: origin)
            return try editor.apply(change, unixSeconds: unixSeconds)
        }
    }
}

/// One change inside its write transaction.
struct ZoneEditor {
    let db: Database
    let origin: DNSName
    let info: ZoneInfo

    /// An RRset touched by the change.
    struct Key: Hashable {
        var owner: DNSName
        var type: RRType
    }

    init(db: Database, origin: DNSName) throws {
        self.db = db
        self.origin = origin
        self.info = try ZoneStore.requireDomain(db, origin)
    }

    func apply(_ change: ZoneChange, unixSeconds: Int64) throws -> ChangeResult {
        let owners = try touchedOwners(change)
        let before = try partialZone(around: owners)
        guard let oldSOA = before.soa else { throw StorageError.missingSOA(origin) }
        var after = before
        try Self.applyEdits(change.edits, to: &after)
        try checkStructure(before: before, after: after)
        let (keys, replacing) = changedKeys(change, before: before, after: after)
        let oldSOARecord = ResourceRecord(name: origin, ttl: before.soaRRset?.ttl ?? 0, rdata: .soa(oldSOA))
        guard !keys.isEmpty else {
            let diff = ZoneDiff(origin: origin, oldSOA: oldSOARecord, newSOA: oldSOARecord, removed: [], added: [])
            return ChangeResult(kind: info.kind, diff: diff)
        }
        try writeRows(keys, replacing: replacing, after: after)
        try maintainEmptyNonTerminals(keys, before: before, after: after)
        try maintainDelegations(keys, before: before, after: after)
        let newSOA: SOA
        if let edited = after.soa, edited != oldSOA {
            newSOA = edited  // PowerDNS: a change that replaces the SOA is not bumped again.
        } else {
            newSOA = try bumpSerial(oldSOA, unixSeconds: unixSeconds)
        }
        let (removed, added) = Self.difference(keys, before: before, after: after)
        assert((try? partialZone(around: [origin]).soa) == newSOA, "the SOA row reads back as the new SOA")
        let newSOATTL = after.soaRRset?.ttl ?? oldSOARecord.ttl
        let newSOARecord = ResourceRecord(name: origin, ttl: newSOATTL, rdata: .soa(newSOA))
        let diff = ZoneDiff(origin: origin, oldSOA: oldSOARecord, newSOA: newSOARecord, removed: removed, added: added)
        return ChangeResult(kind: info.kind, diff: diff)
    }

    // MARK: Reading the touched part of the zone

    /// The owners the edits touch, canonical order; an owner outside the zone is refused.
    func touchedOwners(_ change: ZoneChange) throws -> [DNSName] {
        var seen: Set<DNSName> = []  // membership only
        var owners: [DNSName] = []
        for edit in change.edits {
            guard edit.owner.isSubdomain(of: origin) else {
                throw StorageError.invalidChange(zone: origin, problems: ["\(edit.owner) is outside the zone"])
            }
            if seen.insert(edit.owner).inserted { owners.append(edit.owner) }
        }
        return owners.sorted { DNSName.canonicalCompare($0, $1) < 0 }
    }

    /// A zone holding only the enabled records of the apex, the owners and the owners' ancestors:
    /// everything the structural rules and `auth` of the touched names depend on.
    func partialZone(around owners: [DNSName]) throws -> Zone {
        var names: [DNSName] = [origin]
        var seen: Set<DNSName> = [origin]  // membership only
        for owner in owners {
            var name = owner
            while name != origin {
                if seen.insert(name).inserted { names.append(name) }
                guard let parent = name.parent else { break }
                name = parent
            }
        }
        var records: [ResourceRecord] = []
        var rowIDs: [Int64] = []
        let statement = try db.cachedStatement(sql: """
            SELECT id, type, content, ttl, prio FROM records \
            WHERE domain_id = ? AND name = ? AND disabled = 0 AND type IS NOT NULL ORDER BY id
            """)
        for name in names {
            let cursor = try Row.fetchCursor(statement, arguments: [info.id, PowerDNSFormat.storedName(name)])
            while let row = try cursor.next() {
                let id: Int64 = row[0]
                let stored = PowerDNSRecord(name: PowerDNSFormat.storedName(name), type: row[1], content: row[2],
                                            ttl: row[3], prio: row[4], auth: true)
                if let record = try PowerDNSFormat.record(from: stored, owner: name.lowercased, rowID: id) {
                    records.append(record)
                    rowIDs.append(id)
                }
            }
        }
        return try ZoneStore.assemble(origin: origin, records: records, rowIDs: rowIDs)
    }

    // MARK: Applying and checking

    static func applyEdits(_ edits: [ZoneChange.Edit], to zone: inout Zone) throws {
        do {
            for edit in edits {
                switch edit {
                case .replace(let rrset):
                    try zone.setRRset(rrset)
                case .delete(let owner, let type):
                    _ = zone.removeRRset(owner: owner, type: type)
                case .add(let record):
                    var rrset = zone.rrset(at: record.name, type: record.type)
                        ?? RRset(owner: record.name, type: record.type, class: record.class, ttl: record.ttl,
                                 rdatas: [])
                    rrset.ttl = record.ttl
                    _ = rrset.insert(record.rdata)
                    try zone.setRRset(rrset)
                case .remove(let record):
                    _ = zone.remove(record)
                }
            }
        } catch {
            throw StorageError.invalidChange(zone: zone.origin, problems: [error.description])
        }
    }

    /// Refuses a change that adds a structural problem (problems already in the data stay allowed).
    func checkStructure(before: Zone, after: Zone) throws {
        let existing = Set(before.validate())  // membership only
        let added = after.validate().filter { !existing.contains($0) }
        guard added.isEmpty else {
            throw StorageError.invalidChange(zone: origin, problems: added.map(\.description))
        }
    }

    /// The RRsets whose data differ after the edits, canonical order, and those that a REPLACE or
    /// DELETE touched (whose disabled rows go too).
    func changedKeys(_ change: ZoneChange, before: Zone, after: Zone) -> (keys: [Key], replacing: Set<Key>) {
        var keys: [Key] = []
        var seen: Set<Key> = []  // membership only
        var replacing: Set<Key> = []  // membership only
        for edit in change.edits {
            let key = Key(owner: edit.owner, type: edit.type)
            switch edit {
            case .replace, .delete: replacing.insert(key)
            case .add, .remove: break
            }
            guard seen.insert(key).inserted else { continue }
            if !Self.sameData(before.rrset(at: key.owner, type: key.type), after.rrset(at: key.owner, type: key.type)) {
                keys.append(key)
            }
        }
        keys.sort {
            let order = DNSName.canonicalCompare($0.owner, $1.owner)
            return order != 0 ? order < 0 : $0.type < $1.type
        }
        return (keys, replacing)
    }

    /// Same TTL and the same RDATA set (order does not matter in an RRset, RFC 2181 §5).
    static func sameData(_ left: RRset?, _ right: RRset?) -> Bool {
        guard let left, let right else { return left == nil && right == nil }
        return left.ttl == right.ttl && Set(left.rdatas) == Set(right.rdatas)
    }

    /// Removed and added records per changed RRset, SOA aside; a new TTL replaces the whole RRset.
    static func difference(_ keys: [Key], before: Zone, after: Zone)
        -> (removed: [ResourceRecord], added: [ResourceRecord])
    {
        var removed: [ResourceRecord] = []
        var added: [ResourceRecord] = []
        for key in keys where key.type != .soa {
            let old = before.rrset(at: key.owner, type: key.type)
            let new = after.rrset(at: key.owner, type: key.type)
            if let old, let new, old.ttl == new.ttl {
                removed += old.records.filter { !new.rdatas.contains($0.rdata) }
                added += new.records.filter { !old.rdatas.contains($0.rdata) }
            } else {
                removed += old?.records ?? []
                added += new?.records ?? []
            }
        }
        return (removed, added)
    }
}
