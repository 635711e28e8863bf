import Determinism
import DNSWire
import HTTPWire

/// `catalogue.json`: keys sorted, one snapshot per line, integers exact. docs/backups.md shows the
/// format. The same catalogue always gives the same bytes.
extension BackupCatalogue {
    static let format = "ddnslab-backup-catalogue"
    static let version: Int64 = 1

    /// The catalogue as JSON text in UTF-8.
    public var serialized: [UInt8] {
        let ladderJSON = JSON.array(ladder.tiers.map { tier in
            ["count": .integer(Int64(tier.count)), "period": .string(tier.period.description)]
        })
        var out = Array("{\"compress\":\(compress),\"epoch\":\(epoch),\"format\":\"\(Self.format)\",".utf8)
        out += Array("\"ladder\":".utf8)
        ladderJSON.write(into: &out)
        out += Array(",\"next_id\":\(nextID),\"snapshots\":[".utf8)
        for (index, entry) in snapshots.enumerated() {
            out += Array((index == 0 ? "\n" : ",\n").utf8)
            entry.json.write(into: &out)
        }
        out += Array("\n],\"version\":\(Self.version)}\n".utf8)
        return out
    }

    /// Reads `serialized` back.
    public init(parsing bytes: [UInt8]) throws(BackupError) {
        let root: JSON
        do {
            root = try JSON.parse(bytes)
        } catch {
            throw .catalogue(reason: "\(error.reason) at byte \(error.offset)")
        }
        guard root["format"]?.stringValue == Self.format else { throw .catalogue(reason: "not a backup catalogue") }
        guard root["version"]?.intValue == Self.version else { throw .catalogue(reason: "unsupported version") }
        guard let epoch = root["epoch"]?.intValue, epoch >= 0, let compress = root["compress"]?.boolValue,
            let nextID = root["next_id"]?.intValue, let tierValues = root["ladder"]?.arrayValue,
            let snapshotValues = root["snapshots"]?.arrayValue
        else { throw .catalogue(reason: "missing or mistyped member at the top level") }
        var tiers: [RetentionTier] = []
        for value in tierValues {
            guard let text = value["period"]?.stringValue, let period = RetentionPeriod(text),
                let count = value["count"]?.intValue, count > 0, count <= 1_000_000
            else { throw .catalogue(reason: "bad ladder tier \(value.compactText)") }
            tiers.append(RetentionTier(period: period, count: Int(count)))
        }
        self.init(epoch: epoch, ladder: RetentionLadder(tiers: tiers), compress: compress)
        self.nextID = Int(nextID)
        snapshots = try snapshotValues.map { value throws(BackupError) in try SnapshotEntry(json: value) }
        guard snapshots.allSatisfy({ $0.id < self.nextID }) else { throw .catalogue(reason: "a snapshot id >= next_id") }
    }
}

extension SnapshotEntry {
    var json: JSON {
        let rows = JSONObject(rowCounts.map { JSONMember($0.table, .integer($0.rows)) })
        let zoneValues: [JSON] = zones.map { zone in
            ["origin": .string(zone.origin.description), "records": .integer(Int64(zone.recordCount)),
             "serial": zone.serial.map { .integer(Int64($0)) } ?? .null, "sha256": .string(zone.sha256)]
        }
        return [
            "compressed": .bool(compressed), "configuration": configuration.map(\.json) ?? .null,
            "database": database.json, "failure": failure.map(JSON.string) ?? .null, "id": .integer(Int64(id)),
            "instant_ns": .integer(Int64(bitPattern: instant.nanoseconds)), "kept_by": .array(keptBy.map(JSON.string)),
            "rows": .object(rows), "state": .string(state.rawValue), "unix_seconds": .integer(unixSeconds),
            "utc": .string(utc), "zones": .array(zoneValues),
        ]
    }

    init(json value: JSON) throws(BackupError) {
        func bad(_ what: String) -> BackupError { .catalogue(reason: "snapshot \(value["id"]?.intValue ?? -1): \(what)") }
        guard let id = value["id"]?.intValue, let nanoseconds = value["instant_ns"]?.intValue, nanoseconds >= 0,
            let unixSeconds = value["unix_seconds"]?.intValue, let compressed = value["compressed"]?.boolValue,
            let database = value["database"].flatMap(StoredFile.init(json:)),
            let stateText = value["state"]?.stringValue, let state = SnapshotState(rawValue: stateText)
        else { throw bad("missing or mistyped member") }
        var configuration: StoredFile?
        if let member = value["configuration"], !member.isNull {
            guard let file = StoredFile(json: member) else { throw bad("bad configuration") }
            configuration = file
        }
        self.init(id: Int(id), instant: Instant(nanoseconds: UInt64(nanoseconds)), unixSeconds: unixSeconds,
                  database: database, compressed: compressed, configuration: configuration)
        self.state = state
        failure = value["failure"]?.stringValue
        keptBy = (value["kept_by"]?.arrayValue ?? []).compactMap(\.stringValue)
        for member in value["rows"]?.objectMembers ?? [] {
            guard let rows = member.value.intValue else { throw bad("bad row count") }
            rowCounts.append(TableCount(table: member.key, rows: rows))
        }
        for zone in value["zones"]?.arrayValue ?? [] {
            guard let originText = zone["origin"]?.stringValue, let origin = DNSName(originText),
                let records = zone["records"]?.intValue, let sha256 = zone["sha256"]?.stringValue
            else { throw bad("bad zone digest") }
            let serial = zone["serial"]?.intValue.flatMap { UInt32(exactly: $0) }
            zones.append(ZoneDigest(origin: origin, serial: serial, recordCount: Int(records), sha256: sha256))
        }
    }
}

extension StoredFile {
    var json: JSON {
        ["name": .string(name), "sha256": .string(sha256), "size": .integer(size)]
    }

    init?(json value: JSON) {
        guard let name = value["name"]?.stringValue, !name.contains("/"), name != "..",
            let sha256 = value["sha256"]?.stringValue, let size = value["size"]?.intValue
        else { return nil }
        self.init(name: name, size: size, sha256: sha256)
    }
}
