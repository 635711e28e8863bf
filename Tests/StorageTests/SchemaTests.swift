import Foundation
import GRDB
import HarnessTesting
import Storage
import Testing

/// The database holds PowerDNS's gsqlite3 schema exactly, beside our own (separate) migrations.
@Suite struct SchemaTests {
    /// The CREATE statements SQLite keeps for the PowerDNS tables and indexes, in creation order.
    static func powerDNSSchema(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: """
            SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'grdb%' AND name NOT LIKE 'lab%'
            ORDER BY rowid
            """)
    }

    @Test func sqliteMasterHoldsPowerDNSStatementsVerbatim() throws {
        let store = try ZoneStore.inMemory()
        let stored = try store.database.read(Self.powerDNSSchema)
        #expect(stored == PowerDNSSchema.statements)
        let tables = try store.database.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master "
                                    + "WHERE type = 'table' AND name NOT LIKE 'grdb%' AND name NOT LIKE 'lab%' ORDER BY rowid")
        }
        #expect(tables == PowerDNSSchema.tableNames)
        #expect(tables
            == ["domains", "records", "supermasters", "comments", "domainmetadata", "cryptokeys", "tsigkeys"])
    }

    /// The statements are PowerDNS's own: byte for byte the schema file of the installed
    /// pdns-backend-sqlite3 package (Debian 12, PowerDNS 4.7), when it is installed.
    @Test func statementsMatchTheInstalledPowerDNSSchemaFile() throws {
        let path = "/usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql"
        guard let file = try? String(contentsOfFile: path, encoding: .utf8) else { return }
        let reference = try DatabaseQueue()
        try reference.writeWithoutTransaction { db in try db.execute(sql: file) }
        let expected = try reference.read(Self.powerDNSSchema)
        #expect(expected == PowerDNSSchema.statements)
        // And the file's statements, split at semicolons, are ours in order.
        let fileStatements = file.split(separator: ";").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty && !$0.hasPrefix("PRAGMA") }
        #expect(fileStatements == PowerDNSSchema.statements)
    }

    @Test func foreignKeysAreOnAsPowerDNSAsksAndCascade() throws {
        let store = try Fixtures.storeWithDynExample()
        let enabled = try store.database.read { db in try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") }
        #expect(enabled == true)
        try store.deleteZone(name("dyn.example."))
        let left = try store.database.read { db in
            try Int.fetchOne(db, sql: "SELECT (SELECT count(*) FROM records) + (SELECT count(*) FROM domainmetadata)")
        }
        #expect(left == 0)
    }

    @Test func migrationListsAreSeparateAndPrefixed() {
        #expect(StorageMigrations.powerDNS.map(\.identifier) == ["pdns/4.7.0"])
        #expect(StorageMigrations.powerDNS.flatMap(\.statements) == PowerDNSSchema.statements)
        #expect(StorageMigrations.ddnslab.allSatisfy { $0.identifier.hasPrefix("lab/") })
        #expect(StorageMigrations.all.map(\.identifier).first == "pdns/4.7.0")
    }

    /// Our own tables come from the `lab/` list, all with the `lab_` prefix, after PowerDNS's.
    @Test func labTablesArePrefixedAndComeAfterPowerDNS() throws {
        let store = try ZoneStore.inMemory()
        let tables = try store.database.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'lab%' "
                                    + "ORDER BY rowid")
        }
        #expect(tables == LabSchema.tableNames)
        #expect(tables.allSatisfy { $0.hasPrefix("lab_") })
        let applied = try store.database.read { db in
            try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid")
        }
        #expect(applied == StorageMigrations.all.map(\.identifier))
    }

    /// Opening an existing file again applies nothing twice and keeps the data.
    @Test func reopeningAFileKeepsSchemaAndData() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path + "/ns.sqlite3"
        do {
            let store = try ZoneStore(path: path)
            _ = try store.storeZone(try Fixtures.dynExample(), kind: .native)
        }
        let reopened = try ZoneStore(path: path)
        #expect(try reopened.database.read(Self.powerDNSSchema) == PowerDNSSchema.statements)
        #expect(try reopened.loadZone(name("dyn.example.")) == (try Fixtures.dynExample()))
    }
}

/// The durability choice reaches SQLite: FULL for power loss, NORMAL for a process crash (WAL).
@Suite struct DurabilityTests {
    @Test(arguments: [(ZoneStore.Durability.powerLoss, 2), (.processCrash, 1)])
    func synchronousFollowsTheDurability(durability: ZoneStore.Durability, expected: Int) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try ZoneStore(path: folder.path + "/ns.sqlite3", durability: durability)
        let (journal, synchronous) = try store.database.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"))
        }
        #expect(journal == "wal" && synchronous == expected)
    }
}
