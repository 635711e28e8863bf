import DNSWire
import DNSZone
import GRDB

/// The writes of a change: RRset rows, empty non-terminals, `auth` below delegations, the serial.
extension ZoneEditor {
    /// Deletes and re-inserts the rows of every changed RRset.
    func writeRows(_ keys: [Key], replacing: Set<Key>, after: Zone) throws {
        let insert = try db.cachedStatement(sql: ZoneStore.insertRecordSQL)
        for key in keys {
            let name = PowerDNSFormat.storedName(key.owner)
            let scope = replacing.contains(key) ? "" : " AND disabled = 0"
            try db.cachedStatement(sql: "DELETE FROM records WHERE domain_id = ? AND name = ? AND type = ?" + scope)
                .execute(arguments: [info.id, name, key.type.description])
            guard let rrset = after.rrset(at: key.owner, type: key.type) else { continue }
            let auth = ZoneRows.isAuthoritative(owner: key.owner, type: key.type, in: after)
            for record in rrset.records {
                try ZoneStore.insert(PowerDNSFormat.row(for: record, auth: auth), domainID: info.id, with: insert)
            }
        }
    }

    /// Keeps the empty non-terminal rows right when names appear or disappear (see `ZoneRows`).
    func maintainEmptyNonTerminals(_ keys: [Key], before: Zone, after: Zone) throws {
        var owners: [DNSName] = []
        for key in keys where owners.last != key.owner { owners.append(key.owner) }
        // Deepest first, so an ancestor is judged after its descendants are settled.
        for owner in owners.reversed() where before.node(at: owner) != nil && after.node(at: owner) == nil {
            try nameVanished(owner, after: after)
        }
        for owner in owners where before.node(at: owner) == nil && after.node(at: owner) != nil {
            try execute("DELETE FROM records WHERE domain_id = ? AND name = ? AND type IS NULL", owner)
            var name = owner
            while let parent = name.parent, parent != origin, parent.isSubdomain(of: origin) {
                if try hasRows(parent) { break }
                try insertEmptyNonTerminal(parent, after: after)
                name = parent
            }
        }
    }

    /// `owner` lost its last enabled record: it becomes an empty non-terminal if names remain
    /// below it; otherwise ancestors that were empty non-terminals only for it go too.
    private func nameVanished(_ owner: DNSName, after: Zone) throws {
        if try hasRows(owner) { return }  // disabled rows keep the name
        if try hasDescendants(owner) {
            try insertEmptyNonTerminal(owner, after: after)
            return
        }
        var name = owner
        while let parent = name.parent, parent != origin, parent.isSubdomain(of: origin) {
            let types = try Row.fetchAll(db, sql: "SELECT type FROM records WHERE domain_id = ? AND name = ?",
                                         arguments: [info.id, PowerDNSFormat.storedName(parent)])
            let onlyEmptyNonTerminal = !types.isEmpty && types.allSatisfy { $0[0] as String? == nil }
            guard onlyEmptyNonTerminal, try !hasDescendants(parent) else { break }
            try execute("DELETE FROM records WHERE domain_id = ? AND name = ? AND type IS NULL", parent)
            name = parent
        }
    }

    private func insertEmptyNonTerminal(_ name: DNSName, after: Zone) throws {
        let row = PowerDNSFormat.emptyNonTerminalRow(name, auth: after.delegation(covering: name) == nil)
        try ZoneStore.insert(row, domainID: info.id, with: try db.cachedStatement(sql: ZoneStore.insertRecordSQL))
    }

    /// A delegation that appeared or went changes `auth` of every row at and below its cut.
    func maintainDelegations(_ keys: [Key], before: Zone, after: Zone) throws {
        for key in keys where key.type == .ns && key.owner != origin {
            let wasCut = before.rrset(at: key.owner, type: .ns) != nil
            let isCut = after.rrset(at: key.owner, type: .ns) != nil
            guard wasCut != isCut else { continue }
            // Below a higher cut everything is already non-authoritative.
            if let parent = key.owner.parent, after.delegation(covering: parent) != nil { continue }
            if isCut {
                try markDelegated(key.owner)
                continue
            }
            let suffix = Self.descendantSuffix(key.owner)
            try db.execute(sql: "UPDATE records SET auth = 1 WHERE domain_id = ?1 AND (name = ?4 OR \(Self.below))",
                           arguments: [info.id, suffix.utf8.count, suffix, PowerDNSFormat.storedName(key.owner)])
            let names = try String.fetchAll(db, sql: """
                SELECT DISTINCT name FROM records
                WHERE domain_id = ?1 AND type = 'NS' AND disabled = 0 AND \(Self.below)
                """, arguments: [info.id, suffix.utf8.count, suffix])
            let cuts = names.compactMap(PowerDNSFormat.name(fromStored:))
                .sorted { DNSName.canonicalCompare($0, $1) < 0 }
            var highest: [DNSName] = []
            for cut in cuts where !highest.contains(where: { cut.isSubdomain(of: $0) }) {
                highest.append(cut)
                try markDelegated(cut)
            }
        }
    }

    /// `auth` = 0 at and below the cut at `name`, except the parent-side DS at the cut.
    private func markDelegated(_ name: DNSName) throws {
        let suffix = Self.descendantSuffix(name)
        try db.execute(sql: "UPDATE records SET auth = 0 WHERE domain_id = ?1 AND \(Self.below)",
                       arguments: [info.id, suffix.utf8.count, suffix])
        try execute("UPDATE records SET auth = CASE WHEN type = 'DS' THEN 1 ELSE 0 END "
                        + "WHERE domain_id = ? AND name = ?", name)
    }

    /// The new SOA, per the zone's SOA-EDIT-API, written to its row.
    func bumpSerial(_ soa: SOA, unixSeconds: Int64) throws -> SOA {
        let values = try ZoneStore.metadata(db, kind: SOAEditAPI.metadataKind, domainID: info.id)
        let method: SOAEditAPI
        if let value = values.first, !value.isEmpty {
            guard let parsed = SOAEditAPI(metadata: value) else {
                throw StorageError.unsupportedSOAEditAPI(zone: origin, value: value)
            }
            method = parsed
        } else {
            method = .default
        }
        var bumped = soa
        bumped.serial = method.nextSerial(after: soa.serial, unixSeconds: unixSeconds)
        let (content, _) = PowerDNSFormat.content(of: .soa(bumped))
        try db.cachedStatement(sql: "UPDATE records SET content = ? "
                                   + "WHERE domain_id = ? AND name = ? AND type = 'SOA' AND disabled = 0")
            .execute(arguments: [content, info.id, PowerDNSFormat.storedName(origin)])
        // Rows written by others may hold two enabled SOA rows (an existing problem we leave
        // alone); none means a concurrent writer removed it.
        guard db.changesCount >= 1 else { throw StorageError.missingSOA(origin) }
        return bumped
    }

    // MARK: Small queries

    /// Rows strictly below a name, with `domain_id = ?1` beside it: ?2 is the length of ?3, the
    /// suffix ".<name>". Suffix comparison, not LIKE or GLOB, whose wildcards (`_`, `*`) occur in
    /// DNS names.
    static let below = "length(name) > ?2 AND substr(name, -?2) = ?3"

    /// ".<name>" in stored form.
    static func descendantSuffix(_ name: DNSName) -> String {
        precondition(!name.isRoot, "the root has no suffix form")
        return "." + PowerDNSFormat.storedName(name)
    }

    func hasRows(_ name: DNSName) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM records WHERE domain_id = ? AND name = ? LIMIT 1"),
                          arguments: [info.id, PowerDNSFormat.storedName(name)]) ?? false
    }

    func hasDescendants(_ name: DNSName) throws -> Bool {
        let suffix = Self.descendantSuffix(name)
        let statement = try db.cachedStatement(
            sql: "SELECT 1 FROM records WHERE domain_id = ?1 AND \(Self.below) LIMIT 1")
        return try Bool.fetchOne(statement, arguments: [info.id, suffix.utf8.count, suffix]) ?? false
    }

    private func execute(_ sql: String, _ name: DNSName) throws {
        try db.cachedStatement(sql: sql).execute(arguments: [info.id, PowerDNSFormat.storedName(name)])
    }
}
