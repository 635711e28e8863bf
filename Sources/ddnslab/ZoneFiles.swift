import DNSWire
import DNSZone
import Foundation

/// Reads zone files for the CLI (the only place that touches the file system for zones).
enum ZoneFiles {
    struct LoadError: Error, CustomStringConvertible {
        var description: String
    }

    /// The zone origin of a file: its `$ORIGIN` line if the file starts with one, else the file
    /// name without a `.zone` suffix (e.g. dyn.example.zone -> dyn.example.).
    static func origin(of path: String, text: String) -> DNSName? {
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix(";") { continue }
            if trimmed.uppercased().hasPrefix("$ORIGIN") {
                let parts = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" })
                if parts.count >= 2 { return DNSName(String(parts[1])) }
            }
            break
        }
        var base = (path as NSString).lastPathComponent
        if base.hasSuffix(".zone") { base = String(base.dropLast(5)) }
        return DNSName(base)
    }

    static func read(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// Loads every file into one zone set; errors come back as `file:line:column: error: …` lines.
    static func load(_ paths: [String]) throws(LoadError) -> (ZoneSet, warnings: [String]) {
        var zones: [Zone] = []
        var warnings: [String] = []
        var errors: [String] = []
        for path in paths {
            guard let text = read(path) else {
                errors.append("\(path): error: cannot read the zone file")
                continue
            }
            guard let origin = origin(of: path, text: text) else {
                errors.append("\(path): error: cannot tell the zone's origin (add an $ORIGIN line)")
                continue
            }
            do {
                // The parser resolves $INCLUDE paths against the including file's folder itself.
                let loaded = try ZoneFileParser.load(text, fileName: path, origin: origin) { included in read(included) }
                zones.append(loaded.zone)
                warnings += loaded.warnings.map { "\($0)" }
            } catch {
                errors += error.errors.map { "\($0)" }
            }
        }
        guard errors.isEmpty else { throw LoadError(description: errors.joined(separator: "\n")) }
        do {
            return (try ZoneSet(zones), warnings)
        } catch {
            throw LoadError(description: "error: \(error)")
        }
    }
}
