import Storage

/// Why a backup operation failed (STYLE.md §6): the file system or SQLite failed (environmental),
/// the caller asked for something that is not there (bad input), or the folder's catalogue is
/// damaged.
public enum BackupError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A file operation failed: `operation` on `path` with the C library's `errno`.
    case io(operation: String, path: String, errno: Int32)
    /// SQLite failed while copying, checking or restoring a database.
    case database(StorageError)
    /// `catalogue.json` does not read back (offset into the file and reason).
    case catalogue(reason: String)
    /// No snapshot with this id in the catalogue. The caller is at fault.
    case unknownSnapshot(Int)
    /// The snapshot exists but may not be restored (it failed verification, or its file no longer
    /// matches its checksum). The caller is at fault when they named it.
    case notRestorable(id: Int, reason: String)
    /// Restore of "the latest verified snapshot" found none.
    case noVerifiedSnapshot

    public var description: String {
        switch self {
        case .io(let operation, let path, let errno): "\(operation) \(path): errno \(errno)"
        case .database(let error): "\(error)"
        case .catalogue(let reason): "catalogue: \(reason)"
        case .unknownSnapshot(let id): "no snapshot \(id) in the catalogue"
        case .notRestorable(let id, let reason): "snapshot \(id) cannot be restored: \(reason)"
        case .noVerifiedSnapshot: "no verified snapshot to restore"
        }
    }

    /// True when the caller named something that is not there or not usable (exit code 2 in the
    /// CLI), false for environmental failures.
    public var isCallerError: Bool {
        switch self {
        case .unknownSnapshot, .notRestorable, .noVerifiedSnapshot, .catalogue: true
        case .io, .database: false
        }
    }
}
