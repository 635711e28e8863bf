import DNSWire
import DNSZone
import GRDB
import Storage

/// The web server's data: accounts, customer domains, tokens, the update log and daily counters in
/// the `lab_` tables (`LabSchema`), beside the PowerDNS zones they point into — one SQLite file.
///
/// Two layers:
/// - `static` functions taking a `Database` read or write inside a transaction the caller opens
///   (`ZoneStore.readTransaction`/`writeTransaction`), so a request's rows and its zone change
///   commit together (the updater, the REST API);
/// - instance methods that run one of them in its own transaction (set-up, tests, the dashboard).
///
/// Secrets are never stored: a token is looked up by the hex SHA-256 of its secret
/// (`TokenSecret.hash`). All SQL uses cached prepared statements and bound parameters; times are
/// parameters (unix seconds of scenario time), never `CURRENT_TIMESTAMP`.
public struct WebStore: Sendable {
    /// The zones and the connection.
    public let zones: ZoneStore

    /// The web store over `zones` (whose migrations created the `lab_` tables).
    public init(zones: ZoneStore) {
        self.zones = zones
    }
}

// MARK: - Reads inside a transaction

extension WebStore {
    /// The scope of the token whose secret hashes to `hash`, or nil.
    public static func token(hash: String, in db: Database) throws -> TokenScope? {
        let statement = try db.cachedStatement(sql: """
            SELECT t.id, t.kind, t.record_name, t.record_type,
                   a.id, a.name, a.email, a.class, a.created,
                   d.id, d.name, d.zone_id, z.name
            FROM lab_tokens t JOIN lab_accounts a ON a.id = t.account_id
            LEFT JOIN lab_domains d ON d.id = t.domain_id LEFT JOIN domains z ON z.id = d.zone_id
            WHERE t.hash = ?
            """)
        guard let row = try Row.fetchOne(statement, arguments: [hash]) else { return nil }
        let tokenID: Int64 = row[0]
        guard let kind = TokenKind(rawValue: row[1]) else { throw problem("lab_tokens", tokenID, "unknown kind") }
        let account = CustomerAccount(id: row[4], name: row[5], email: row[6], accountClass: row[7], created: row[8])
        var domain: CustomerDomain?
        if let domainID: Int64 = row[9] {
            domain = try customerDomain(id: domainID, accountID: account.id, name: row[10], zoneID: row[11],
                                        zone: row[12])
        }
        var recordName: DNSName?
        var recordType: RRType?
        if let nameText: String = row[2], let typeText: String = row[3] {
            guard let name = PowerDNSFormat.name(fromStored: nameText), let type = RRType(mnemonic: typeText) else {
                throw problem("lab_tokens", tokenID, "record '\(nameText)' '\(typeText)' does not parse")
            }
            (recordName, recordType) = (name.lowercased, type)
        }
        return TokenScope(tokenID: tokenID, kind: kind, account: account, domain: domain, recordName: recordName,
                          recordType: recordType)
    }

    /// The customer domain named exactly `name`, or nil.
    public static func domain(named name: DNSName, in db: Database) throws -> CustomerDomain? {
        let statement = try db.cachedStatement(sql: """
            SELECT d.id, d.account_id, d.name, d.zone_id, z.name
            FROM lab_domains d JOIN domains z ON z.id = d.zone_id WHERE d.name = ?
            """)
        guard let row = try Row.fetchOne(statement, arguments: [PowerDNSFormat.storedName(name)]) else { return nil }
        return try customerDomain(id: row[0], accountID: row[1], name: row[2], zoneID: row[3], zone: row[4])
    }

    /// The customer domain that `host` is or lies below, or nil. Walks up at most to the first
    /// provider zone among `zones` (a domain is never a provider zone itself).
    public static func domain(covering host: DNSName, zones: [DNSName], in db: Database) throws -> CustomerDomain? {
        guard let zone = zones.first(where: { host.isSubdomain(of: $0) }) else { return nil }
        var name = host
        while name != zone, name.isSubdomain(of: zone) {
            if let found = try domain(named: name, in: db) { return found }
            guard let parent = name.parent else { break }
            name = parent
        }
        return nil
    }

    /// The enabled A and AAAA RRsets at `owner` in the zone `zoneID`, and whether a CNAME is there.
    public static func addresses(at owner: DNSName, zoneID: Int64, in db: Database) throws -> HostRecords {
        let statement = try db.cachedStatement(sql: """
            SELECT id, type, content, ttl FROM records
            WHERE domain_id = ? AND name = ? AND disabled = 0 AND type IN ('A', 'AAAA', 'CNAME') ORDER BY id
            """)
        var found = HostRecords()
        let rows = try Row.fetchCursor(statement, arguments: [zoneID, PowerDNSFormat.storedName(owner)])
        while let row = try rows.next() {
            let type: String = row[1]
            if type == "CNAME" {
                found.hasCNAME = true
                continue
            }
            let rdata = try addressRData(type: type, content: row[2], rowID: row[0])
            let ttl = UInt32(clamping: row[3] as Int64? ?? 0)
            let rrtype: RRType = type == "A" ? .a : .aaaa
            var rrset = (type == "A" ? found.a : found.aaaa)
                ?? RRset(owner: owner.lowercased, type: rrtype, ttl: ttl, rdatas: [])
            _ = rrset.insert(rdata)
            if type == "A" { found.a = rrset } else { found.aaaa = rrset }
        }
        return found
    }

    /// Every enabled AAAA RRset at or below `domain`, canonical order (for IPv6 prefix updates).
    public static func aaaaRRsets(in domain: CustomerDomain, in db: Database) throws -> [RRset] {
        let suffix = "." + PowerDNSFormat.storedName(domain.name)
        let statement = try db.cachedStatement(sql: """
            SELECT id, name, content, ttl FROM records
            WHERE domain_id = ?1 AND type = 'AAAA' AND disabled = 0
              AND (name = ?4 OR (length(name) > ?2 AND substr(name, -?2) = ?3))
            ORDER BY name, id
            """)
        var rrsets: [RRset] = []  // rows come grouped by name
        var lastName = ""
        let rows = try Row.fetchCursor(statement, arguments: [domain.zoneID, suffix.utf8.count, suffix,
                                                              PowerDNSFormat.storedName(domain.name)])
        while let row = try rows.next() {
            let id: Int64 = row[0]
            let nameText: String = row[1]
            let rdata = try addressRData(type: "AAAA", content: row[2], rowID: id)
            if nameText != lastName || rrsets.isEmpty {
                guard let owner = PowerDNSFormat.name(fromStored: nameText) else {
                    throw problem("records", id, "name '\(nameText)' does not parse")
                }
                let ttl = UInt32(clamping: row[3] as Int64? ?? 0)
                rrsets.append(RRset(owner: owner, type: .aaaa, ttl: ttl, rdatas: []))
                lastName = nameText
            }
            _ = rrsets[rrsets.count - 1].insert(rdata)
        }
        return rrsets.sorted { DNSName.canonicalCompare($0.owner, $1.owner) < 0 }
    }

    /// Accepted updater requests of `accountID` on scenario day `day` (the daily budget's count).
    public static func requests(ofAccount accountID: Int64, day: Int64, in db: Database) throws -> Int {
        let statement = try db.cachedStatement(sql: "SELECT requests FROM lab_stats WHERE day = ? AND account_id = ?")
        return try Int.fetchOne(statement, arguments: [day, accountID]) ?? 0
    }

    /// The account named `name`, or nil.
    public static func account(named name: String, in db: Database) throws -> CustomerAccount? {
        let statement = try db.cachedStatement(
            sql: "SELECT id, name, email, class, created FROM lab_accounts WHERE name = ?")
        guard let row = try Row.fetchOne(statement, arguments: [name]) else { return nil }
        return CustomerAccount(id: row[0], name: row[1], email: row[2], accountClass: row[3], created: row[4])
    }

    /// The domains of an account, canonical order.
    public static func domains(ofAccount accountID: Int64, in db: Database) throws -> [CustomerDomain] {
        let statement = try db.cachedStatement(sql: """
            SELECT d.id, d.account_id, d.name, d.zone_id, z.name
            FROM lab_domains d JOIN domains z ON z.id = d.zone_id WHERE d.account_id = ? ORDER BY d.id
            """)
        return try Row.fetchAll(statement, arguments: [accountID])
            .map { try customerDomain(id: $0[0], accountID: $0[1], name: $0[2], zoneID: $0[3], zone: $0[4]) }
            .sorted { DNSName.canonicalCompare($0.name, $1.name) < 0 }
    }

    /// The newest `limit` log entries of an account, newest first.
    public static func updateLog(ofAccount accountID: Int64, limit: Int, in db: Database) throws -> [UpdateLogEntry] {
        let statement = try db.cachedStatement(sql: """
            SELECT id, account_id, domain_id, time, virtual_ns, peer, dialect, user_agent, hostname, result, content,
                   serial
            FROM lab_update_log WHERE account_id = ? ORDER BY id DESC LIMIT ?
            """)
        return try Row.fetchAll(statement, arguments: [accountID, limit]).map { row in
            UpdateLogEntry(id: row[0], accountID: row[1], domainID: row[2], unixSeconds: row[3],
                           virtualNanoseconds: UInt64(clamping: row[4] as Int64), peer: row[5], dialect: row[6],
                           userAgent: row[7], hostname: row[8], result: row[9], content: row[10],
                           serial: UInt32(truncatingIfNeeded: row[11] as Int64))
        }
    }

    // MARK: Row helpers

    static func customerDomain(id: Int64, accountID: Int64, name: String, zoneID: Int64, zone: String) throws
        -> CustomerDomain
    {
        guard let domainName = PowerDNSFormat.name(fromStored: name),
              let zoneName = PowerDNSFormat.name(fromStored: zone)
        else { throw problem("lab_domains", id, "name '\(name)' or zone '\(zone)' does not parse") }
        return CustomerDomain(id: id, accountID: accountID, name: domainName.lowercased, zoneID: zoneID,
                              zone: zoneName.lowercased)
    }

    static func addressRData(type: String, content: String, rowID: Int64) throws -> RData {
        if type == "A", let address = IPv4Address(content) { return .a(address) }
        if type == "AAAA", let address = IPv6Address(content) { return .aaaa(address) }
        throw problem("records", rowID, "\(type) content '\(content)' is not an address")
    }

    static func problem(_ table: String, _ rowID: Int64, _ reason: String) -> StorageError {
        .invalidRow(RowProblem(table: table, rowID: rowID, reason: reason))
    }
}
