import Determinism
import DNSWire
import DNSZone
import Foundation
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

enum Fixtures {
    static let origin = name("dyn.example.")
    /// 2026-01-01T00:00:00Z.
    static let epoch: Int64 = 1_767_225_600

    /// The repository's root folder.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../..").standardizedFileURL.path

    static func read(_ path: String) -> String? {
        try? String(contentsOfFile: path.hasPrefix("/") ? path : root + "/" + path, encoding: .utf8)
    }

    /// fixtures/zones/dyn.example.zone.
    static func dynExample() throws -> Zone {
        let path = "fixtures/zones/dyn.example.zone"
        let text = try #require(read(path))
        return try ZoneFileParser.load(text, fileName: path, origin: origin, loader: read).zone
    }

    /// A WAL-mode store at `path` holding the fixture zone (as a simulation run opens it).
    static func store(at path: String) throws -> ZoneStore {
        let store = try ZoneStore(path: path, durability: .processCrash)
        _ = try store.storeZone(try dynExample(), kind: .master)
        return store
    }

    /// Sets host`index`.dyn.example to an address derived from `value`: one committed update.
    static func update(_ store: ZoneStore, host index: Int, value: Int, seconds: UInt64) throws {
        let address = "192.0.2.\(value % 250 + 1)"
        let change = ZoneChange([.replace(rrset("host\(index).dyn.example. 60 IN A \(address)"))])
        _ = try store.apply(change, to: origin, now: Instant(nanoseconds: seconds * 1_000_000_000), epoch: epoch)
    }
}

/// A fresh folder under the system's temporary folder, removed by `remove()`.
struct TemporaryFolder {
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/ddnslab-backup-XXXXXX").utf8CString)
        let made: String? = template.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress, let result = mkdtemp(base) else { return nil }
            return String(cString: result)
        }
        guard let made else { throw CocoaError(.fileWriteUnknown) }
        path = made
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

