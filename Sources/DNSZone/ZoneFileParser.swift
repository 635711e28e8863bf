import DNSWire

/// A record read from a zone file, with where it was read.
public struct LocatedRecord: Hashable, Sendable {
    /// The record, with absolute names and its resolved TTL.
    public var record: ResourceRecord
    /// The position of its owner (column 1 for a blank owner).
    public var location: SourceLocation

    /// A record read at `location`.
    public init(record: ResourceRecord, location: SourceLocation) {
        self.record = record
        self.location = location
    }
}

/// The records of a zone file before they are assembled into a zone.
public struct ParsedZoneFile: Hashable, Sendable {
    /// The records in file order, includes expanded in place.
    public var records: [LocatedRecord]
    /// Every error found, in file order.
    public var errors: [ZoneFileError]
    /// Every warning, in file order.
    public var warnings: [ZoneFileWarning]
}

/// A zone loaded and validated from a zone file.
public struct LoadedZone: Hashable, Sendable {
    /// The zone, valid per `Zone.validate()`.
    public var zone: Zone
    /// Warnings of the parse and of assembly (duplicates, TTL mismatches).
    public var warnings: [ZoneFileWarning]
}

/// The zone-file reader (RFC 1035 §5.1, `$TTL` from RFC 2308 §4).
///
/// Pure: files are read through the `loader` closure (a path in, the text or nil out), so the
/// target does no I/O. Every error in the file is collected, up to `ZoneFileLimits.errorCountMax`.
///
/// Default TTL: a record without a TTL takes the `$TTL` in effect; with none, the SOA MINIMUM of
/// the zone's SOA once it has been read (the SOA itself uses its own MINIMUM), with a warning, as
/// BIND does; before any SOA it is an error. The RFC 1035 rule "the last explicit TTL" is not used.
/// `$INCLUDE file [origin]` resolves a relative path against the including file's directory; the
/// included file starts with the given origin (or the current one), the current `$TTL` and no
/// previous owner, and none of its changes leak back (RFC 1035 §5.1).
public enum ZoneFileParser {
    /// Reads a file: its path in, its text out, nil when it cannot be read.
    public typealias Loader = (String) -> String?

    /// Reads the records of `text` and what it includes, without building a zone.
    public static func parseRecords(
        _ text: String, fileName: String, origin: DNSName, class zoneClass: DNSClass = .in,
        limits: ZoneFileLimits = ZoneFileLimits(), loader: Loader? = nil
    ) -> ParsedZoneFile {
        var reader = ZoneFileReader(zoneOrigin: origin, zoneClass: zoneClass, limits: limits, loader: loader)
        var state = ZoneFileReader.FileState(file: fileName, depth: 0, origin: origin)
        reader.read(text, state: &state)
        return ParsedZoneFile(records: reader.records, errors: reader.errors, warnings: reader.warnings)
    }

    /// Reads, assembles and validates a zone; throws every error found.
    public static func load(
        _ text: String, fileName: String, origin: DNSName, class zoneClass: DNSClass = .in,
        limits: ZoneFileLimits = ZoneFileLimits(), loader: Loader? = nil
    ) throws(ZoneFileErrors) -> LoadedZone {
        var parsed = parseRecords(text, fileName: fileName, origin: origin, class: zoneClass, limits: limits,
                                  loader: loader)
        var zone = Zone(origin: origin, class: zoneClass)
        var firstLocation: [RRsetKey: SourceLocation] = [:]
        var assembly: [(index: Int, warning: ZoneFileWarning)] = []
        for index in Zone.canonicalOrder(parsed.records.map(\.record)) {
            let located = parsed.records[index]
            let key = RRsetKey(owner: located.record.name, type: located.record.type)
            if firstLocation[key] == nil { firstLocation[key] = located.location }
            do {
                switch try zone.add(located.record) {
                case .added: break
                case .duplicate:
                    assembly.append((index, ZoneFileWarning(location: located.location, reason: .duplicateRecord)))
                case .ttlMismatch(let kept):
                    let reason = ZoneFileWarning.Reason.ttlMismatch(given: located.record.ttl, kept: kept)
                    assembly.append((index, ZoneFileWarning(location: located.location, reason: reason)))
                }
            } catch {
                parsed.errors.append(ZoneFileError(Self.reason(for: error, zoneClass: zoneClass), at: located.location))
            }
        }
        // Assembly runs in canonical order; report its warnings in file order.
        parsed.warnings += assembly.sorted { $0.index < $1.index }.map(\.warning)
        let fallback = parsed.records.first?.location ?? SourceLocation(file: fileName, line: 1, column: 1)
        for problem in zone.validate() {
            let location = firstLocation[RRsetKey(owner: problem.owner, type: problem.type)]
                ?? firstLocation[RRsetKey(owner: origin, type: .soa)] ?? fallback
            parsed.errors.append(ZoneFileError(.zone(problem), at: location))
        }
        guard parsed.errors.isEmpty else { throw ZoneFileErrors(errors: parsed.errors, warnings: parsed.warnings) }
        return LoadedZone(zone: zone, warnings: parsed.warnings)
    }

    private static func reason(for error: ZoneError, zoneClass: DNSClass) -> ZoneFileError.Reason {
        switch error {
        case .outOfZone(let name): .outOfZone(name)
        case .classMismatch(let given): .classMismatch(given, expected: zoneClass)
        case .metaType(let type): .metaType(type)
        case .emptyRData(let type): .emptyRData(type)
        }
    }
}

/// Key of an RRset for look-ups only (never iterated, so hash order cannot leak).
struct RRsetKey: Hashable {
    var owner: DNSName
    var type: RRType
}

extension Zone {
    /// Loads a zone from zone-file text; warnings are dropped (use `ZoneFileParser.load` to keep them).
    public init(
        zoneFile text: String, fileName: String = "zone", origin: DNSName,
        loader: ZoneFileParser.Loader? = nil
    ) throws(ZoneFileErrors) {
        self = try ZoneFileParser.load(text, fileName: fileName, origin: origin, loader: loader).zone
    }

    /// The zone as a canonical zone file: `$ORIGIN`, the SOA, then every other RRset in canonical
    /// owner order and type order, one absolute record per line. `ZoneFileParser` reads it back to an
    /// equal zone.
    public var zoneFileText: String {
        var lines = ["$ORIGIN \(origin)"]
        if let soa = soaRRset { lines += soa.records.map(\.description) }
        for node in nodes {
            for rrset in node.rrsets where !(rrset.type == .soa && node.owner == origin) {
                lines += rrset.records.map(\.description)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
