import DNSWire
import DNSZone
import GRDB

/// The DNS data of one server in a SQLite file, in PowerDNS's gsqlite3 schema.
///
/// Every public method runs in one transaction and throws a typed `StorageError`; on any error the
/// transaction rolls back. Writers: `storeZone` (a whole zone: a new zone, or a secondary's
/// transferred copy) and `apply` (every change to a zone, with its serial bump). Readers:
/// `loadZone`, `loadZones`, `zones`, `metadata`.
///
/// In a simulation run each server's database is a real file in the run's work folder (so later
/// issues can back it up, lose it and restore it); unit tests may use `inMemory()`. The store does
/// not read a clock: the callers pass `now` and the run's epoch.
public struct ZoneStore: Sendable {
    /// The connection. Public so later layers (backups: `backup(to:)`, `VACUUM INTO` in
    /// `writeWithoutTransaction`) can use it; DNS data goes through the methods below.
    public let database: DatabaseQueue

    /// What a commit survives once `apply` returns.
    public enum Durability: Sendable {
        /// A power loss: every commit waits for the disk (`PRAGMA synchronous = FULL`).
        case powerLoss
        /// A crash of the process (memory lost, the operating system's page cache kept):
        /// `synchronous = NORMAL` in WAL mode. This is exactly the simulator's crash fault, so
        /// simulation runs use it; benchmarks and live mode use `powerLoss`.
        case processCrash
    }

    /// Opens (creating if needed) the database file at `path` and brings its schema up to date.
    /// The file is in WAL mode, as PowerDNS's gsqlite3 backend opens it by default
    /// (`gsqlite3-journal-mode=WAL`).
    public init(path: String, durability: Durability = .powerLoss) throws(StorageError) {
        do {
            var configuration = Self.configuration()
            configuration.journalMode = .wal
            let synchronous = durability == .powerLoss ? "FULL" : "NORMAL"
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            // After opening, not in prepareDatabase: GRDB's WAL set-up runs after that hook and sets
            // synchronous = NORMAL. The setting lasts for the queue's one connection.
            try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = \(synchronous)") }
            self.init(migrated: queue)
            try StorageMigrations.migrator().migrate(database)
        } catch {
            throw StorageError.from(error)
        }
    }

    /// A private in-memory database with the full schema, for tests.
    public static func inMemory() throws(StorageError) -> ZoneStore {
        do {
            let store = ZoneStore(migrated: try DatabaseQueue(configuration: configuration()))
            try StorageMigrations.migrator().migrate(store.database)
            return store
        } catch {
            throw StorageError.from(error)
        }
    }

    init(migrated database: DatabaseQueue) {
        self.database = database
    }

    /// Foreign keys on (PowerDNS's schema starts with `PRAGMA foreign_keys = 1`), and a busy
    /// database is an immediate, typed error rather than a wait (STYLE.md §6).
    static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .immediateError
        configuration.label = "ddnslab.storage"
        return configuration
    }

    /// Runs `body` in one write transaction; any error rolls it back. Inside a group transaction
    /// (`groupTransaction`) the transaction is a savepoint of the group's: `body`'s writes are
    /// kept or rolled back as one, and reach the disk when the group commits.
    func write<T>(_ body: (Database) throws -> T) throws(StorageError) -> T {
        do {
            return try database.unsafeReentrantWrite { db in
                var result: T?
                if db.isInsideTransaction {
                    try db.inSavepoint {
                        result = try body(db)
                        return .commit
                    }
                } else {
                    try db.inTransaction {
                        result = try body(db)
                        return .commit
                    }
                }
                guard let result else { preconditionFailure("the transaction ran its body") }
                return result
            }
        } catch {
            throw StorageError.from(error)
        }
    }

    /// Runs `body` in one deferred transaction (a consistent snapshot) that `body` must only read
    /// from. Inside a group transaction `body` reads the group's state, uncommitted writes included.
    ///
    /// Unlike GRDB's `read`, this does not toggle `PRAGMA query_only` around the transaction: that
    /// pragma expires every prepared statement of the connection (SQLite's OP_Expire for flag
    /// pragmas), so the cached statements of a hot path would be compiled again on every request.
    func read<T>(_ body: (Database) throws -> T) throws(StorageError) -> T {
        do {
            return try database.unsafeReentrantRead { db in
                if db.isInsideTransaction { return try body(db) }
                var result: T?
                try db.inTransaction(.deferred) {
                    result = try body(db)
                    return .commit
                }
                guard let result else { preconditionFailure("the transaction ran its body") }
                return result
            }
        } catch {
            throw StorageError.from(error)
        }
    }
}

extension ZoneStore {
    /// Every zone, in canonical order of origin.
    public func zones() throws(StorageError) -> [ZoneInfo] {
        try read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT \(Self.domainColumns) FROM domains ORDER BY id")
            let zones = try rows.map(Self.zoneInfo)
            return zones.sorted { DNSName.canonicalCompare($0.origin, $1.origin) < 0 }
        }
    }

    /// The zone at `origin`, or nil.
    public func zone(_ origin: DNSName) throws(StorageError) -> ZoneInfo? {
        try read { db in try Self.domain(db, origin) }
    }

    /// Deletes a zone with its records, metadata, comments and keys (the foreign keys cascade).
    public func deleteZone(_ origin: DNSName) throws(StorageError) {
        try write { db in
            let info = try Self.requireDomain(db, origin)
            try db.execute(sql: "DELETE FROM domains WHERE id = ?", arguments: [info.id])
        }
    }

    /// The values of one metadata kind of a zone, in insertion order (kinds ignore case).
    public func metadata(_ kind: String, of origin: DNSName) throws(StorageError) -> [String] {
        try read { db in
            let info = try Self.requireDomain(db, origin)
            return try Self.metadata(db, kind: kind, domainID: info.id)
        }
    }

    /// Replaces the values of one metadata kind of a zone; no values removes the kind.
    public func setMetadata(_ kind: String, values: [String], of origin: DNSName) throws(StorageError) {
        try write { db in
            let info = try Self.requireDomain(db, origin)
            try db.execute(sql: "DELETE FROM domainmetadata WHERE domain_id = ? AND kind = ?",
                           arguments: [info.id, kind])
            for value in values {
                try db.execute(sql: "INSERT INTO domainmetadata (domain_id, kind, content) VALUES (?, ?, ?)",
                               arguments: [info.id, kind, value])
            }
        }
    }

    /// Records the serial a primary has announced by NOTIFY (`domains.notified_serial`).
    public func setNotifiedSerial(_ serial: UInt32, of origin: DNSName) throws(StorageError) {
        try write { db in
            let info = try Self.requireDomain(db, origin)
            try db.execute(sql: "UPDATE domains SET notified_serial = ? WHERE id = ?",
                           arguments: [Int64(serial), info.id])
        }
    }

    /// Records when a secondary last checked its primary's SOA (`domains.last_check`, seconds since
    /// 1970, computed by the caller from the run's epoch plus now).
    public func setLastCheck(unixSeconds: Int64, of origin: DNSName) throws(StorageError) {
        try write { db in
            let info = try Self.requireDomain(db, origin)
            try db.execute(sql: "UPDATE domains SET last_check = ? WHERE id = ?", arguments: [unixSeconds, info.id])
        }
    }
}

// MARK: - Row helpers shared by the readers and writers

extension ZoneStore {
    static let domainColumns = "id, name, type, master, notified_serial, last_check"

    static func zoneInfo(_ row: Row) throws -> ZoneInfo {
        let id: Int64 = row[0]
        let nameText: String = row[1]
        let typeText: String = row[2]
        func problem(_ reason: String) -> StorageError {
            .invalidRow(RowProblem(table: "domains", rowID: id, reason: reason))
        }
        guard let origin = PowerDNSFormat.name(fromStored: nameText) else {
            throw problem("name '\(nameText)' is not a domain name")
        }
        guard let kind = ZoneKind(rawValue: typeText.uppercased()) else {
            throw problem("unsupported type '\(typeText)'")
        }
        let masters: String = row[3] ?? ""
        let primaries = masters.split(separator: ",").map { $0.trimmingSpaces }.filter { !$0.isEmpty }
        let notified: Int64? = row[4]
        return ZoneInfo(id: id, origin: origin, kind: kind, primaries: primaries,
                        notifiedSerial: notified.map { UInt32(truncatingIfNeeded: $0) }, lastCheck: row[5])
    }

    static func domain(_ db: Database, _ origin: DNSName) throws -> ZoneInfo? {
        // domains.name is COLLATE NOCASE; we also store it lowercased, as PowerDNS does.
        let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT \(domainColumns) FROM domains WHERE name = ?"),
                                   arguments: [PowerDNSFormat.storedName(origin)])
        return try row.map(zoneInfo)
    }

    static func requireDomain(_ db: Database, _ origin: DNSName) throws -> ZoneInfo {
        guard let info = try domain(db, origin) else { throw StorageError.zoneNotFound(origin) }
        return info
    }

    static func metadata(_ db: Database, kind: String, domainID: Int64) throws -> [String] {
        let statement = try db.cachedStatement(
            sql: "SELECT content FROM domainmetadata WHERE domain_id = ? AND kind = ? ORDER BY id")
        return try String.fetchAll(statement, arguments: [domainID, kind])
    }
}

extension Substring {
    /// Without leading and trailing spaces (Foundation-free).
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
