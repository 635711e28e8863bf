import DNSWire
import DNSZone
import Foundation
import HarnessTesting
import GRDB
import Storage
import Testing

/// Test literals (HarnessTesting.TestValues).
func name(_ text: String) -> DNSName { TestValues.name(text) }
func record(_ line: String) -> ResourceRecord { TestValues.record(line) }
func rrset(_ lines: String...) -> RRset { TestValues.rrset(lines) }

/// Zone-file lines of records, sorted: expectations compared without caring for order (STYLE.md §9).
func lines(_ records: [ResourceRecord]) -> [String] { records.map(\.description).sorted() }

enum Fixtures {
    /// The repository's root folder.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../..").standardizedFileURL.path

    static func read(_ path: String) -> String? {
        try? String(contentsOfFile: path.hasPrefix("/") ? path : root + "/" + path, encoding: .utf8)
    }

    /// fixtures/zones/dyn.example.zone, origin dyn.example. (its file name, as the CLI finds it).
    static func dynExample() throws -> Zone {
        let path = "fixtures/zones/dyn.example.zone"
        let text = try #require(read(path))
        return try ZoneFileParser.load(text, fileName: path, origin: name("dyn.example."), loader: read).zone
    }

    /// A store holding the fixture as a MASTER zone.
    static func storeWithDynExample() throws -> ZoneStore {
        let store = try ZoneStore.inMemory()
        _ = try store.storeZone(try dynExample(), kind: .master)
        return store
    }
}


/// Every row of `records`, as text lines `name type content ttl prio disabled auth`, in id order.
func recordRows(_ store: ZoneStore) throws -> [String] {
    try store.database.read { db in
        let sql = "SELECT name, type, content, ttl, prio, disabled, auth FROM records ORDER BY id"
        return try Row.fetchAll(db, sql: sql).map { row in
            let type: String = row[1] ?? "NULL"
            let content: String = row[2] ?? "NULL"
            let ttl: Int64? = row[3]
            let prio: Int64? = row[4]
            let disabled: Int64 = row[5]
            let auth: Int64 = row[6]
            let ttlText = ttl.map(String.init) ?? "NULL"
            let prioText = prio.map(String.init) ?? "NULL"
            return "\(row[0] as String) \(type) \(content) \(ttlText) \(prioText) \(disabled) \(auth)"
        }
    }
}

/// A digest of every table's rows, to show that a failed change left the database as it was.
func databaseDump(_ store: ZoneStore) throws -> [String] {
    try store.database.read { db in
        var dump: [String] = []
        for table in PowerDNSSchema.tableNames {
            for row in try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY rowid") {
                dump.append("\(table) \(row.description)")
            }
        }
        return dump
    }
}
