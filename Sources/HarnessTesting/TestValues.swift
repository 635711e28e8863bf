import DNSWire
import DNSZone
import Foundation

/// Values tests write as literals; a bad literal is a bug in the test, so it stops the test run.
public enum TestValues {
    /// A name from an absolute literal.
    public static func name(_ text: String) -> DNSName {
        guard let parsed = try? DNSName(parsing: text, origin: .root) else { fatalError("bad test name \(text)") }
        return parsed
    }

    /// One record from a zone-file line with an absolute owner and a TTL.
    public static func record(_ line: String) -> ResourceRecord {
        let parsed = ZoneFileParser.parseRecords(line, fileName: "test", origin: .root)
        guard parsed.errors.isEmpty, parsed.records.count == 1 else {
            fatalError("bad test record \(line): \(parsed.errors)")
        }
        return parsed.records[0].record
    }

    /// An RRset from zone-file lines of one owner and type.
    public static func rrset(_ lines: [String]) -> RRset {
        let records = lines.map(record)
        return RRset(owner: records[0].name, type: records[0].type, ttl: records[0].ttl, rdatas: records.map(\.rdata))
    }
}

/// A fresh folder under the system's temporary folder, removed by `remove()`.
public struct TemporaryFolder: Sendable {
    public let path: String

    public init() throws {
        var template = Array((NSTemporaryDirectory() + "/ddnslab-test-XXXXXX").utf8CString)
        let made: String? = template.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress, let result = mkdtemp(base) else { return nil }
            return String(cString: result)
        }
        guard let made else { throw CocoaError(.fileWriteUnknown) }
        path = made
    }

    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}
