import DNSWire
import DNSZone
import GRDB
import Storage

/// A customer domain with what the REST API and the dashboard show about it.
struct DomainSummary: Hashable {
    var domain: CustomerDomain
    /// Unix seconds of creation.
    var created: Int64
}

/// A row of `lab_tokens` as the API lists it (never the hash).
struct TokenRow: Hashable {
    var id: Int64
    var kind: TokenKind
    var domainName: DNSName?
    var recordName: DNSName?
    var recordType: String?
    var created: Int64
    var lastUsed: Int64?
}

/// Per-day counters of an account from `lab_stats`.
struct DayCounters: Hashable {
    var day: Int64
    var requests: Int
    var good: Int
    var nochg: Int
}

/// The queries of the REST API and the dashboard, inside the caller's transaction (`WebStore`'s
/// convention). Names are compared in PowerDNS's stored form (lowercase, no trailing dot).
extension WebStore {
    /// The domains of an account with their creation time, canonical order.
    static func domainSummaries(ofAccount accountID: Int64, in db: Database) throws -> [DomainSummary] {
        let statement = try db.cachedStatement(sql: "SELECT id, created FROM lab_domains WHERE account_id = ?")
        var created: [Int64: Int64] = [:]  // looked up only
        for row in try Row.fetchAll(statement, arguments: [accountID]) { created[row[0]] = row[1] }
        return try domains(ofAccount: accountID, in: db).map { DomainSummary(domain: $0, created: created[$0.id] ?? 0) }
    }

    /// Every enabled RRset at or below `domain`, canonical order of owner, then type. Rows that do
    /// not read back as DNS data are an error (`StorageError.invalidRow`).
    static func rrsets(in domain: CustomerDomain, in db: Database) throws -> [RRset] {
        let stored = PowerDNSFormat.storedName(domain.name)
        let suffix = "." + stored
        let statement = try db.cachedStatement(sql: """
            SELECT id, name, type, content, ttl, prio FROM records
            WHERE domain_id = ?1 AND disabled = 0 AND type IS NOT NULL
              AND (name = ?4 OR (length(name) > ?2 AND substr(name, -?2) = ?3))
            ORDER BY id
            """)
        let rows = try Row.fetchAll(statement, arguments: [domain.zoneID, suffix.utf8.count, suffix, stored])
        return try assembleRRsets(rows)
    }

    /// The enabled RRsets at exactly `owner` in the zone `zoneID`, in type order.
    static func rrsets(at owner: DNSName, zoneID: Int64, in db: Database) throws -> [RRset] {
        let statement = try db.cachedStatement(sql: """
            SELECT id, name, type, content, ttl, prio FROM records
            WHERE domain_id = ? AND name = ? AND disabled = 0 AND type IS NOT NULL ORDER BY id
            """)
        return try assembleRRsets(try Row.fetchAll(statement, arguments: [zoneID, PowerDNSFormat.storedName(owner)]))
    }

    /// Groups rows (id, name, type, content, ttl, prio) into RRsets, canonical order.
    private static func assembleRRsets(_ rows: [Row]) throws -> [RRset] {
        var rrsets: [RRset] = []
        var index: [RRsetKey: Int] = [:]  // looked up only
        for row in rows {
            let id: Int64 = row[0]
            let stored = PowerDNSRecord(name: row[1], type: row[2], content: row[3],
                                        ttl: (row[4] as Int64?).map { UInt32(clamping: $0) }, prio: row[5], auth: true)
            guard let record = try PowerDNSFormat.record(from: stored, rowID: id) else { continue }
            let key = RRsetKey(owner: record.name.lowercased, type: record.type)
            if let position = index[key] {
                _ = rrsets[position].insert(record.rdata)
            } else {
                index[key] = rrsets.count
                rrsets.append(RRset(owner: key.owner, type: record.type, ttl: record.ttl, rdatas: [record.rdata]))
            }
        }
        return rrsets.sorted {
            let order = DNSName.canonicalCompare($0.owner, $1.owner)
            return order != 0 ? order < 0 : $0.type < $1.type
        }
    }

    /// Unix seconds of the newest update-log row of a domain, or nil.
    static func lastUpdate(ofDomain domainID: Int64, in db: Database) throws -> Int64? {
        let statement = try db.cachedStatement(sql: "SELECT MAX(time) FROM lab_update_log WHERE domain_id = ?")
        return try Int64.fetchOne(statement, arguments: [domainID])
    }

    /// Whether `name` is taken in the zone `zoneID`: a customer domain at, above or below it, or
    /// any row of the provider's own data at or below it.
    static func isNameTaken(_ name: DNSName, zoneID: Int64, in db: Database) throws -> Bool {
        let stored = PowerDNSFormat.storedName(name)
        let suffix = "." + stored
        let domains = try db.cachedStatement(sql: """
            SELECT COUNT(*) FROM lab_domains
            WHERE name = ?1 OR (length(name) > ?2 AND substr(name, -?2) = ?3)
              OR (length(?1) > length(name) AND substr(?1, -length(name) - 1) = '.' || name)
            """)
        if try Int.fetchOne(domains, arguments: [stored, suffix.utf8.count, suffix]) ?? 0 > 0 { return true }
        let records = try db.cachedStatement(sql: """
            SELECT COUNT(*) FROM records
            WHERE domain_id = ?1 AND (name = ?4 OR (length(name) > ?2 AND substr(name, -?2) = ?3))
            """)
        return try Int.fetchOne(records, arguments: [zoneID, suffix.utf8.count, suffix, stored]) ?? 0 > 0
    }

    /// Deletes a customer domain's row; its tokens go with it (ON DELETE CASCADE), its log rows
    /// stay with their domain set to NULL.
    static func deleteDomainRow(id: Int64, in db: Database) throws {
        try db.execute(sql: "DELETE FROM lab_domains WHERE id = ?", arguments: [id])
    }

    /// The tokens of an account, oldest first.
    static func tokens(ofAccount accountID: Int64, in db: Database) throws -> [TokenRow] {
        let statement = try db.cachedStatement(sql: """
            SELECT t.id, t.kind, d.name, t.record_name, t.record_type, t.created, t.last_used
            FROM lab_tokens t LEFT JOIN lab_domains d ON d.id = t.domain_id
            WHERE t.account_id = ? ORDER BY t.id
            """)
        return try Row.fetchAll(statement, arguments: [accountID]).map { row in
            let id: Int64 = row[0]
            guard let kind = TokenKind(rawValue: row[1]) else { throw problem("lab_tokens", id, "unknown kind") }
            return TokenRow(id: id, kind: kind, domainName: (row[2] as String?).flatMap(PowerDNSFormat.name(fromStored:)),
                            recordName: (row[3] as String?).flatMap(PowerDNSFormat.name(fromStored:)),
                            recordType: row[4], created: row[5], lastUsed: row[6])
        }
    }

    /// Deletes token `id` of `accountID`; false when the account has no such token.
    static func deleteToken(id: Int64, accountID: Int64, in db: Database) throws -> Bool {
        try db.execute(sql: "DELETE FROM lab_tokens WHERE id = ? AND account_id = ?", arguments: [id, accountID])
        return db.changesCount == 1
    }

    /// The newest `limit` log rows of an account, newest first; only those of `domainID` when
    /// given, and only those of the host `hostname` (stored form) when given.
    static func logRows(ofAccount accountID: Int64, domainID: Int64?, hostname: String?, limit: Int,
                        in db: Database) throws -> [(entry: UpdateLogEntry, domain: String?)] {
        let statement = try db.cachedStatement(sql: """
            SELECT l.id, l.account_id, l.domain_id, l.time, l.virtual_ns, l.peer, l.dialect, l.user_agent,
                   l.hostname, l.result, l.content, l.serial, d.name
            FROM lab_update_log l LEFT JOIN lab_domains d ON d.id = l.domain_id
            WHERE l.account_id = ?1 AND (?2 IS NULL OR l.domain_id = ?2) AND (?3 IS NULL OR l.hostname = ?3)
            ORDER BY l.id DESC LIMIT ?4
            """)
        return try Row.fetchAll(statement, arguments: [accountID, domainID, hostname, limit]).map { row in
            let entry = UpdateLogEntry(
                id: row[0], accountID: row[1], domainID: row[2], unixSeconds: row[3],
                virtualNanoseconds: UInt64(clamping: row[4] as Int64), peer: row[5], dialect: row[6],
                userAgent: row[7], hostname: row[8], result: row[9], content: row[10],
                serial: UInt32(truncatingIfNeeded: row[11] as Int64))
            return (entry, row[12])
        }
    }

    /// The account's `lab_stats` rows of days `first` through `last`, oldest first.
    static func dayCounters(ofAccount accountID: Int64, from first: Int64, through last: Int64,
                            in db: Database) throws -> [DayCounters] {
        let statement = try db.cachedStatement(sql: """
            SELECT day, requests, good, nochg FROM lab_stats
            WHERE account_id = ? AND day BETWEEN ? AND ? ORDER BY day
            """)
        return try Row.fetchAll(statement, arguments: [accountID, first, last])
            .map { DayCounters(day: $0[0], requests: $0[1], good: $0[2], nochg: $0[3]) }
    }
}

/// An RRset's identity: owner (lowercase) and type.
struct RRsetKey: Hashable {
    var owner: DNSName
    var type: RRType
}
