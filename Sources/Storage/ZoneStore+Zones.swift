import DNSWire
import DNSZone
import GRDB

/// What `storeZone` wrote.
public struct StoredZone: Hashable, Sendable {
    /// The `domains` row.
    public var info: ZoneInfo
    /// The SOA serial of the stored data.
    public var serial: UInt32
    /// Rows of DNS data written.
    public var recordCount: Int
    /// Empty non-terminal rows written.
    public var emptyNonTerminalCount: Int
}

/// Every zone of a database, ready to serve.
public struct LoadedZones: Hashable, Sendable {
    /// The enabled zones.
    public var zones: ZoneSet
    /// Zones whose SOA row is disabled, which PowerDNS does not serve; canonical order.
    public var disabled: [DNSName]
}

extension ZoneStore {
    /// Writes a whole zone in one transaction: creates the zone, or replaces every record of an
    /// existing one (a secondary's new copy after AXFR, kind `.slave`, `primaries` its primaries).
    ///
    /// A new NATIVE or MASTER zone gets `SOA-EDIT-API` = DEFAULT, as PowerDNS's API writes it.
    /// Rows are inserted with one prepared statement, in canonical order.
    public func storeZone(_ zone: Zone, kind: ZoneKind, primaries: [String] = []) throws(StorageError) -> StoredZone {
        let fatal = zone.validate().filter { $0.reason == .missingSOA || $0.reason == .multipleSOA }
        guard fatal.isEmpty, let soa = zone.soa else {
            throw StorageError.invalidZone(zone: zone.origin, problems: fatal.map(\.description))
        }
        precondition(primaries.allSatisfy { !$0.contains(",") }, "a primary address with a comma")
        return try write { db in
            let info = try Self.upsertDomain(db, origin: zone.origin, kind: kind, primaries: primaries)
            try db.execute(sql: "DELETE FROM records WHERE domain_id = ?", arguments: [info.id])
            var counts = (records: 0, ents: 0)
            let insert = try db.makeStatement(sql: Self.insertRecordSQL)
            try ZoneRows.forEachRow(of: zone) { row in
                try Self.insert(row, domainID: info.id, with: insert)
                if row.isEmptyNonTerminal { counts.ents += 1 } else { counts.records += 1 }
            }
            assert(counts.records == zone.recordCount, "every record of the zone becomes one row")
            return StoredZone(info: info, serial: soa.serial, recordCount: counts.records,
                              emptyNonTerminalCount: counts.ents)
        }
    }

    static let insertRecordSQL = """
        INSERT INTO records (domain_id, name, type, content, ttl, prio, disabled, ordername, auth) \
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    static func insert(_ row: PowerDNSRecord, domainID: Int64, with statement: Statement) throws {
        statement.setUncheckedArguments([
            domainID, row.name, row.type, row.content, row.ttl.map { Int64($0) }, row.prio, row.disabled,
            row.ordername, row.auth,
        ])
        try statement.execute()
    }

    /// The `domains` row of `origin`, created or updated to `kind` and `primaries`.
    static func upsertDomain(_ db: Database, origin: DNSName, kind: ZoneKind, primaries: [String]) throws -> ZoneInfo {
        let masters = primaries.joined(separator: ",")
        if let existing = try domain(db, origin) {
            try db.execute(sql: "UPDATE domains SET type = ?, master = ? WHERE id = ?",
                           arguments: [kind.rawValue, masters, existing.id])
            return try requireDomain(db, origin)
        }
        // As `pdnsutil create-zone` writes it: empty master and account rather than NULL.
        try db.execute(sql: "INSERT INTO domains (name, master, type, account) VALUES (?, ?, ?, '')",
                       arguments: [PowerDNSFormat.storedName(origin), masters, kind.rawValue])
        let info = try requireDomain(db, origin)
        if kind != .slave {
            try db.execute(sql: "INSERT INTO domainmetadata (domain_id, kind, content) VALUES (?, ?, ?)",
                           arguments: [info.id, SOAEditAPI.metadataKind, SOAEditAPI.default.rawValue])
        }
        return info
    }
}

extension ZoneStore {
    /// Reads one zone: nil when its SOA row is disabled (PowerDNS does not serve it then).
    /// Disabled records and empty non-terminal rows are skipped.
    public func loadZone(_ origin: DNSName) throws(StorageError) -> Zone? {
        try read { db in
            let info = try Self.requireDomain(db, origin)
            return try Self.loadZone(db, info)
        }
    }

    /// Reads every zone, in one read transaction.
    public func loadZones() throws(StorageError) -> LoadedZones {
        try read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT \(Self.domainColumns) FROM domains ORDER BY id")
            var zones: [Zone] = []
            var disabled: [DNSName] = []
            for info in try rows.map(Self.zoneInfo) {
                if let zone = try Self.loadZone(db, info) { zones.append(zone) } else { disabled.append(info.origin) }
            }
            disabled.sort { DNSName.canonicalCompare($0, $1) < 0 }
            do {
                return LoadedZones(zones: try ZoneSet(zones), disabled: disabled)
            } catch {
                // domains.name is UNIQUE, but "a.example" and "a.example." (written by someone who
                // broke the no-trailing-dot rule) are one origin.
                throw StorageError.invalidRow(RowProblem(table: "domains", rowID: 0, reason: "\(error)"))
            }
        }
    }

    static func loadZone(_ db: Database, _ info: ZoneInfo) throws -> Zone? {
        var records: [ResourceRecord] = []
        var rowIDs: [Int64] = []
        var soaRows = (enabled: 0, disabled: 0)
        var previous: (text: String, name: DNSName)?
        var typeCache = TypeCache()
        let cursor = try Row.fetchCursor(
            db, sql: "SELECT id, name, type, content, ttl, prio, disabled FROM records "
                + "WHERE domain_id = ? AND type IS NOT NULL ORDER BY id",
            arguments: [info.id])
        while let row = try cursor.next() {
            let id: Int64 = row[0]
            let type: String = row[2]
            let disabledValue: Bool? = row[6]
            let isDisabled = disabledValue ?? false
            if type == "SOA" {
                if isDisabled { soaRows.disabled += 1 } else { soaRows.enabled += 1 }
            }
            if isDisabled { continue }
            let nameText: String = row[1]
            // Rows come grouped by owner: parse each owner name once.
            let owner: DNSName
            if let previous, previous.text == nameText {
                owner = previous.name
            } else {
                owner = try PowerDNSFormat.owner(nameText, rowID: id)
                previous = (nameText, owner)
            }
            let rrType = try typeCache.type(type, rowID: id)
            records.append(try PowerDNSFormat.record(owner: owner, type: rrType, content: row[3], ttl: row[4],
                                                     prio: row[5], rowID: id))
            rowIDs.append(id)
        }
        if soaRows.enabled == 0 {
            if soaRows.disabled > 0 { return nil }
            throw StorageError.missingSOA(info.origin)
        }
        return try assemble(origin: info.origin, records: records, rowIDs: rowIDs)
    }

    /// Builds the zone in canonical order (appends, no inserts), naming the row of a bad record.
    static func assemble(origin: DNSName, records: [ResourceRecord], rowIDs: [Int64]) throws -> Zone {
        var zone = Zone(origin: origin)
        for index in Zone.canonicalOrder(records) {
            do {
                _ = try zone.add(records[index])
            } catch {
                throw StorageError.invalidRow(RowProblem(table: "records", rowID: rowIDs[index], reason: "\(error)"))
            }
        }
        return zone
    }
}

/// Type mnemonics already parsed while loading: a zone has a handful of types and a million rows.
/// Only looked up, never iterated (STYLE.md §4.3).
struct TypeCache {
    private var types: [String: RRType] = [:]

    mutating func type(_ text: String, rowID: Int64) throws(StorageError) -> RRType {
        if let type = types[text] { return type }
        guard let type = RRType(mnemonic: text) else {
            throw .invalidRow(RowProblem(table: "records", rowID: rowID, reason: "unknown type '\(text)'"))
        }
        types[text] = type
        return type
    }
}

extension ZoneStore {
    /// The serial in the zone's enabled SOA row, without loading the zone: what a primary compares
    /// with the copy it serves to notice a commit made by another writer (the web server). Nil when
    /// the zone or its SOA row is missing.
    public func serial(of origin: DNSName) throws(StorageError) -> UInt32? {
        try read { db in
            guard let info = try Self.domain(db, origin) else { return nil }
            let content = try String.fetchOne(
                db, sql: "SELECT content FROM records WHERE domain_id = ? AND type = 'SOA' AND disabled = 0 LIMIT 1",
                arguments: [info.id])
            guard let content else { return nil }
            let fields = content.split(separator: " ", omittingEmptySubsequences: true)
            return fields.count >= 3 ? UInt32(fields[2]) : nil
        }
    }
}

extension ZoneStore {
    /// SQLite's `PRAGMA integrity_check`: `["ok"]` for a sound file, else one line per problem.
    public func integrityCheck() throws(StorageError) -> [String] {
        try read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
    }
}
