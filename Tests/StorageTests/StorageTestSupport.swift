import DNSWire
import DNSZone
import Foundation
import GRDB
import Storage
import Testing

/// A name from a literal in a test; a bad literal is a bug in the test.
func name(_ text: String) -> DNSName {
    guard let parsed = try? DNSName(parsing: text, origin: .root) else { fatalError("bad test name \(text)") }
    return parsed
}

/// One record from a zone-file line with an absolute owner and a TTL.
func record(_ line: String) -> ResourceRecord {
    let parsed = ZoneFileParser.parseRecords(line, fileName: "test", origin: .root)
    guard parsed.errors.isEmpty, parsed.records.count == 1 else {
        fatalError("bad test record \(line): \(parsed.errors)")
    }
    return parsed.records[0].record
}

/// An RRset from zone-file lines of one owner and type.
func rrset(_ lines: String...) -> RRset {
    let records = lines.map(record)
    return RRset(owner: records[0].name, type: records[0].type, ttl: records[0].ttl, rdatas: records.map(\.rdata))
}

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

/// A fresh folder under the system's temporary folder, removed by `remove()`.
struct TemporaryFolder {
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/ddnslab-storage-XXXXXX").utf8CString)
        let made: String? = template.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress, let result = mkdtemp(base) else { return nil }
            return String(cString: result)
        }
        guard let made else { throw CocoaError(.fileWriteUnknown) }
        path = made
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
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
