import Determinism
import GRDB
import Storage

/// A backup folder: snapshots of a `ZoneStore` with their configuration files, and the catalogue.
///
/// The vault does the work; its owner decides when. A cycle is `snapshot` (a consistent copy of
/// the live database, taken in one read transaction while other connections keep writing), then
/// `verify` (checksum, `PRAGMA integrity_check`, row counts, a digest of every zone compared with
/// what the primary served), then `prune` (the retention ladder). Nothing here reads a clock: the
/// caller passes the instant, and the folder's epoch turns it into a date. The catalogue is written
/// by `save()`, which the owner calls when it wants the folder's state on disk (once per cycle, or
/// at the end of a run); a snapshot file without a catalogue entry is ignored.
///
/// Files in the folder: `catalogue.json`, `snapshot-NNNNNN-YYYYMMDDTHHMMSSZ.sqlite` (or `.sqlite.gz`)
/// and `snapshot-…​.config`. Scratch files end in `.partial` or `.scratch`.
public struct BackupVault: Sendable {
    /// The folder's path.
    public let folder: String
    /// Everything the folder holds.
    public internal(set) var catalogue: BackupCatalogue

    static let catalogueName = "catalogue.json"

    /// Opens the folder, creating it and an empty catalogue if it has none. An existing catalogue
    /// keeps its own epoch, ladder and compression; the arguments apply to a new folder.
    public static func open(folder: String, epoch: Int64, ladder: RetentionLadder, compress: Bool)
        throws(BackupError) -> BackupVault
    {
        try FileOps.makeDirectory(folder)
        if FileOps.exists(folder + "/" + catalogueName) { return try open(existing: folder) }
        return BackupVault(folder: folder, catalogue: BackupCatalogue(epoch: epoch, ladder: ladder, compress: compress))
    }

    /// Opens a folder that already has a catalogue.
    public static func open(existing folder: String) throws(BackupError) -> BackupVault {
        let bytes = try FileOps.read(folder + "/" + catalogueName)
        return BackupVault(folder: folder, catalogue: try BackupCatalogue(parsing: bytes))
    }

    private init(folder: String, catalogue: BackupCatalogue) {
        self.folder = folder
        self.catalogue = catalogue
    }

    /// Writes `catalogue.json` (through a rename, so a reader sees the old or the new one).
    public func save() throws(BackupError) {
        try FileOps.write(catalogue.serialized, to: path(Self.catalogueName))
    }

    /// The path of a file in the folder.
    public func path(_ name: String) -> String {
        precondition(!name.utf8.contains(UInt8(ascii: "/")), "a file name in the backup folder")
        return folder + "/" + name
    }

    /// The snapshot `id`.
    public func entry(_ id: Int) throws(BackupError) -> SnapshotEntry {
        guard let index = catalogue.index(of: id) else { throw .unknownSnapshot(id) }
        return catalogue.snapshots[index]
    }

    mutating func update(_ id: Int, _ body: (inout SnapshotEntry) -> Void) {
        guard let index = catalogue.index(of: id) else { preconditionFailure("snapshot \(id) is in the catalogue") }
        body(&catalogue.snapshots[index])
    }
}

// MARK: - Taking a snapshot

extension BackupVault {
    /// Copies `store`'s database into the folder, consistent as of one instant, while other
    /// connections keep writing, and stores `configuration` beside it. Returns the new entry,
    /// `pending` until `verify`.
    ///
    /// The copy is SQLite's online backup API run inside one read transaction of `store`'s
    /// connection: in WAL mode, commits by other connections during the copy are not seen by it,
    /// so the copy is the database as of the transaction's start. `pagesPerStep` pages are copied
    /// per step and `betweenSteps` runs after each step (a test writes there). The copy is switched
    /// to rollback journal mode, so the snapshot is one self-contained file.
    public mutating func snapshot(
        of store: ZoneStore, configuration: [UInt8]?, now: Instant, pagesPerStep: Int32 = -1,
        betweenSteps: (() -> Void)? = nil
    ) throws(BackupError) -> SnapshotEntry {
        let id = catalogue.nextID
        let unixSeconds = catalogue.epoch + Int64(now.seconds)
        let base = "snapshot-" + Self.padded(id) + "-" + UTCText.compact(unixSeconds)
        let scratch = path(base + ".sqlite.scratch")
        try FileOps.remove(scratch)
        do {
            let destination = try DatabaseQueue(path: scratch)
            // The scratch file is renamed into place only when complete: commits to it need no wait
            // for the disk and no rollback journal (a lost scratch file is simply not in the
            // catalogue). Exclusive locking keeps the WAL index in memory when the copy, which
            // carries the source's WAL header, is switched to rollback mode below: no -shm file.
            try destination.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE; "
                    + "PRAGMA journal_mode = OFF")
            }
            try store.database.read { source in
                // A deferred transaction takes its snapshot at the first read. Without this read,
                // each backup step would open and close its own read transaction, and a commit by
                // another connection between steps would restart the copy.
                _ = try Int.fetchOne(source, sql: "SELECT count(*) FROM sqlite_master")
                try destination.writeWithoutTransaction { target in
                    try source.backup(to: target, pagesPerStep: pagesPerStep) { _ in betweenSteps?() }
                }
            }
            // Leaving WAL rewrites the header to rollback mode (the file format stores WAL or not,
            // never which rollback mode); a MEMORY journal gives the same bytes as DELETE without
            // creating and deleting a -journal file for that one write.
            try destination.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = MEMORY") }
            try destination.close()
        } catch {
            try? FileOps.remove(scratch)
            throw .database(StorageError.classifying(error))
        }
        let databaseName = base + (catalogue.compress ? ".sqlite.gz" : ".sqlite")
        if catalogue.compress {
            try Gzip.compress(scratch, to: path(databaseName))
            try FileOps.remove(scratch)
        } else {
            try FileOps.rename(scratch, to: path(databaseName))
        }
        let sum = try FileOps.checksum(path(databaseName))
        var configurationFile: StoredFile?
        if let configuration {
            let name = base + ".config"
            try FileOps.write(configuration, to: path(name))
            configurationFile = StoredFile(name: name, size: Int64(configuration.count),
                                           sha256: SHA256.hexDigest(configuration))
        }
        let entry = SnapshotEntry(
            id: id, instant: now, unixSeconds: unixSeconds,
            database: StoredFile(name: databaseName, size: sum.size, sha256: sum.sha256),
            compressed: catalogue.compress, configuration: configurationFile)
        catalogue.snapshots.append(entry)
        catalogue.nextID += 1
        return entry
    }

    static func padded(_ id: Int) -> String {
        let digits = String(id)
        return String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }
}
