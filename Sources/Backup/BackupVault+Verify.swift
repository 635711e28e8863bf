import DNSWire
import Storage

extension BackupVault {
    /// Verifies snapshot `id`: the file's SHA-256 and size equal the catalogue's (and the
    /// configuration file's; for a pending snapshot, whose checksum `snapshot` has just taken from
    /// the file, the database file is not hashed again), `PRAGMA integrity_check` says `ok`, and every zone's digest
    /// (`ZoneDigest`) equals `expected`, the digests of what the primary served at the snapshot's
    /// instant. With `expected` nil, a snapshot verified before is compared with the row counts and
    /// digests the catalogue recorded then (a later re-check, `ddnslab backup verify`), and a pending
    /// one records what it holds.
    ///
    /// The stored file is never opened for writing (a compressed one is checked through a scratch
    /// copy), so its checksum stays valid. A snapshot that fails is marked `failed` with the reason,
    /// stays failed, and is never chosen for restore. Returns the updated entry.
    public mutating func verify(_ id: Int, expected: [ZoneDigest]?) throws(BackupError) -> SnapshotEntry {
        let entry = try entry(id)
        guard entry.state != .failed else { return entry }
        let reference = expected ?? (entry.state == .verified ? entry.zones : nil)
        switch inspect(entry, expected: reference) {
        case .success(let found):
            update(id) { entry in
                entry.state = .verified
                entry.rowCounts = found.rowCounts
                entry.zones = found.zones
            }
        case .failure(let failure):
            update(id) { entry in
                entry.state = .failed
                entry.failure = failure.reason
            }
        }
        return try self.entry(id)
    }

    /// Marks a snapshot failed (a restore found its file changed since verification).
    mutating func markFailed(_ id: Int, reason: String) {
        update(id) { entry in
            entry.state = .failed
            entry.failure = reason
        }
    }

    struct Inspection {
        var rowCounts: [TableCount]
        var zones: [ZoneDigest]
    }

    struct VerificationFailure: Error {
        var reason: String
    }

    func inspect(_ entry: SnapshotEntry, expected: [ZoneDigest]?) -> Result<Inspection, VerificationFailure> {
        // A pending snapshot's checksum was taken from the file on disk moments ago by `snapshot`;
        // re-checks (`ddnslab backup verify`) and restores read the file again.
        if entry.state != .pending, let problem = checksumProblem(entry.database) {
            return .failure(VerificationFailure(reason: problem))
        }
        if let configuration = entry.configuration, let problem = checksumProblem(configuration) {
            return .failure(VerificationFailure(reason: "configuration: " + problem))
        }
        let scratch = path(entry.database.name + ".verify.scratch")
        defer { try? FileOps.remove(scratch) }
        let databasePath: String
        if entry.compressed {
            do {
                try Gzip.decompress(path(entry.database.name), to: scratch)
            } catch {
                return .failure(VerificationFailure(reason: "gzip stream: \(error)"))
            }
            databasePath = scratch
        } else {
            databasePath = path(entry.database.name)
        }
        let found: Inspection
        do {
            found = try Self.read(databasePath)
        } catch {
            return .failure(error)
        }
        if !entry.rowCounts.isEmpty && entry.rowCounts != found.rowCounts {
            return .failure(VerificationFailure(reason: "row counts differ from the catalogue's"))
        }
        if let expected, let difference = Self.difference(expected: expected, found: found.zones) {
            return .failure(VerificationFailure(reason: difference))
        }
        return .success(found)
    }

    /// Nil when the file has the recorded size and checksum, else what is wrong.
    func checksumProblem(_ file: StoredFile) -> String? {
        do {
            let sum = try FileOps.checksum(path(file.name))
            if sum.size != file.size { return "size \(sum.size), catalogue says \(file.size)" }
            if sum.sha256 != file.sha256 { return "checksum mismatch" }
            return nil
        } catch {
            return "unreadable: \(error)"
        }
    }

    /// Integrity check, row counts and zone digests of a database file, opened read-only.
    static func read(_ databasePath: String) throws(VerificationFailure) -> Inspection {
        do {
            let store = try ZoneStore.openReadOnly(path: databasePath)
            let integrity = try store.integrityCheck()
            guard integrity == ["ok"] else {
                throw VerificationFailure(reason: "integrity_check: " + integrity.prefix(3).joined(separator: "; "))
            }
            let counts = try store.rowCounts().map { TableCount(table: $0.table, rows: $0.rows) }
            let zones = ZoneDigest.of(try store.loadZones().zones)
            return Inspection(rowCounts: counts, zones: zones)
        } catch let failure as VerificationFailure {
            throw failure
        } catch {
            throw VerificationFailure(reason: "database: \(error)")
        }
    }

    /// Nil when the two lists hold the same zones with the same digests, else the first difference.
    static func difference(expected: [ZoneDigest], found: [ZoneDigest]) -> String? {
        let order: (ZoneDigest, ZoneDigest) -> Bool = { DNSName.canonicalCompare($0.origin, $1.origin) < 0 }
        let expected = expected.sorted(by: order)
        for zone in expected where !found.contains(where: { $0.origin == zone.origin }) {
            return "zone \(zone.origin) missing"
        }
        for zone in found {
            guard let wanted = expected.first(where: { $0.origin == zone.origin }) else {
                return "zone \(zone.origin) not expected"
            }
            if wanted.sha256 != zone.sha256 {
                return "zone \(zone.origin) differs: serial \(zone.serial.map(String.init) ?? "-") "
                    + "(\(zone.recordCount) records), expected serial \(wanted.serial.map(String.init) ?? "-") "
                    + "(\(wanted.recordCount) records)"
            }
        }
        return nil
    }
}
