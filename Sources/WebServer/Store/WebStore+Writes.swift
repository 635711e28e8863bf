import DNSWire
import GRDB
import Storage

// MARK: - Writes inside a transaction

extension WebStore {
    /// Inserts an account; the name must be new (UNIQUE). Returns its id.
    public static func createAccount(name: String, email: String?, accountClass: String, unixSeconds: Int64,
                                     in db: Database) throws -> Int64 {
        let statement = try db.cachedStatement(
            sql: "INSERT INTO lab_accounts (name, email, class, created) VALUES (?, ?, ?, ?)")
        try statement.execute(arguments: [name, email, accountClass, unixSeconds])
        return db.lastInsertedRowID
    }

    /// Inserts a customer domain of `accountID` inside the provider zone `zone` (which must exist,
    /// else `StorageError.zoneNotFound`). Returns its id.
    public static func createDomain(_ name: DNSName, accountID: Int64, zone: DNSName, unixSeconds: Int64,
                                    in db: Database) throws -> Int64 {
        precondition(name.isSubdomain(of: zone) && name != zone, "a customer domain lies below its provider zone")
        let lookup = try db.cachedStatement(sql: "SELECT id FROM domains WHERE name = ?")
        guard let zoneID = try Int64.fetchOne(lookup, arguments: [PowerDNSFormat.storedName(zone)]) else {
            throw StorageError.zoneNotFound(zone)
        }
        let statement = try db.cachedStatement(
            sql: "INSERT INTO lab_domains (account_id, name, zone_id, created) VALUES (?, ?, ?, ?)")
        try statement.execute(arguments: [accountID, PowerDNSFormat.storedName(name), zoneID, unixSeconds])
        return db.lastInsertedRowID
    }

    /// Inserts a token stored as `hash` (`TokenSecret.hash` of the secret). Account and API tokens
    /// have no domain; domain tokens have one; record tokens also name their record.
    public static func createToken(hash: String, kind: TokenKind, accountID: Int64, domainID: Int64?,
                                   record: (name: DNSName, type: RRType)?, unixSeconds: Int64,
                                   in db: Database) throws -> Int64 {
        precondition(TokenSecret.isHash(hash), "tokens are stored as hex SHA-256")
        precondition((kind == .account || kind == .api) == (domainID == nil),
                     "only domain and record tokens have a domain")
        precondition((kind == .record) == (record != nil), "only record tokens name a record")
        let statement = try db.cachedStatement(sql: """
            INSERT INTO lab_tokens (account_id, kind, hash, domain_id, record_name, record_type, created)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        try statement.execute(arguments: [accountID, kind.rawValue, hash, domainID,
                                          record.map { PowerDNSFormat.storedName($0.name) },
                                          record.map { $0.type.description }, unixSeconds])
        return db.lastInsertedRowID
    }

    /// Appends one row to the update log.
    public static func insertLog(_ entry: UpdateLogEntry, in db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO lab_update_log
              (account_id, domain_id, time, virtual_ns, peer, dialect, user_agent, hostname, result, content, serial)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try statement.execute(arguments: [
            entry.accountID, entry.domainID, entry.unixSeconds, Int64(clamping: entry.virtualNanoseconds), entry.peer,
            entry.dialect, entry.userAgent, entry.hostname, entry.result, entry.content, Int64(entry.serial),
        ])
    }

    /// Counts one accepted updater request of `accountID` on scenario day `day`, with its hosts'
    /// `good` and `nochg` answers.
    public static func countRequest(accountID: Int64, day: Int64, good: Int, nochg: Int, in db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO lab_stats (day, account_id, requests, good, nochg) VALUES (?, ?, 1, ?, ?)
            ON CONFLICT (day, account_id)
            DO UPDATE SET requests = requests + 1, good = good + excluded.good, nochg = nochg + excluded.nochg
            """)
        try statement.execute(arguments: [day, accountID, good, nochg])
    }

    /// Records when a token was last used for an accepted request.
    public static func touchToken(id: Int64, unixSeconds: Int64, in db: Database) throws {
        let statement = try db.cachedStatement(sql: "UPDATE lab_tokens SET last_used = ? WHERE id = ?")
        try statement.execute(arguments: [unixSeconds, id])
    }
}

// MARK: - The same in their own transaction

extension WebStore {
    /// The scope of the token whose secret is `secret`, or nil.
    public func token(secret: String) throws(StorageError) -> TokenScope? {
        let hash = TokenSecret.hash(secret)
        return try zones.readTransaction { db in try Self.token(hash: hash, in: db) }
    }

    /// The account named `name`, or nil.
    public func account(named name: String) throws(StorageError) -> CustomerAccount? {
        try zones.readTransaction { db in try Self.account(named: name, in: db) }
    }

    /// The customer domain named `name`, or nil.
    public func domain(named name: DNSName) throws(StorageError) -> CustomerDomain? {
        try zones.readTransaction { db in try Self.domain(named: name, in: db) }
    }

    /// The newest `limit` update-log entries of an account, newest first.
    public func updateLog(ofAccount accountID: Int64, limit: Int = 100) throws(StorageError) -> [UpdateLogEntry] {
        try zones.readTransaction { db in try Self.updateLog(ofAccount: accountID, limit: limit, in: db) }
    }

    /// Accepted updater requests of an account on a scenario day.
    public func requests(ofAccount accountID: Int64, day: Int64) throws(StorageError) -> Int {
        try zones.readTransaction { db in try Self.requests(ofAccount: accountID, day: day, in: db) }
    }
}
