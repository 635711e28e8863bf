import Determinism
import DNSWire

/// A file stored beside a snapshot (its configuration), with its size and checksum.
public struct StoredFile: Hashable, Sendable {
    /// The name inside the backup folder.
    public var name: String
    public var size: Int64
    /// SHA-256 of the stored bytes, 64 lowercase hex digits.
    public var sha256: String

    public init(name: String, size: Int64, sha256: String) {
        self.name = name
        self.size = size
        self.sha256 = sha256
    }
}

/// Rows in one table of a snapshot.
public struct TableCount: Hashable, Sendable {
    public var table: String
    public var rows: Int64

    public init(table: String, rows: Int64) {
        self.table = table
        self.rows = rows
    }
}

/// One snapshot in the catalogue: when, what, how big, its checksum, and what verification found.
public struct SnapshotEntry: Hashable, Sendable {
    /// Unique in the folder, increasing in the order snapshots were taken.
    public var id: Int
    /// When it was taken, on the run's time line.
    public var instant: Instant
    /// The same moment as seconds since 1970 (the run's epoch plus the instant, rounded down).
    public var unixSeconds: Int64
    /// The database file (SQLite, or gzip of it when `compressed`).
    public var database: StoredFile
    public var compressed: Bool
    /// The components' configuration handed in with the snapshot, if any.
    public var configuration: StoredFile?
    public var state: SnapshotState
    /// Why verification failed, for a `failed` snapshot.
    public var failure: String?
    /// Rows per table, by table name; empty until verified.
    public var rowCounts: [TableCount]
    /// Digest of every zone in the snapshot, canonical order; empty until verified.
    public var zones: [ZoneDigest]
    /// Why the ladder kept it at the last pruning (`RetentionDecision.reasons`).
    public var keptBy: [String]

    public init(id: Int, instant: Instant, unixSeconds: Int64, database: StoredFile, compressed: Bool,
                configuration: StoredFile?) {
        self.id = id
        self.instant = instant
        self.unixSeconds = unixSeconds
        self.database = database
        self.compressed = compressed
        self.configuration = configuration
        state = .pending
        failure = nil
        rowCounts = []
        zones = []
        keptBy = []
    }

    /// `2026-01-01T00:15:00Z`.
    public var utc: String { UTCText.iso8601(unixSeconds) }
}

/// The catalogue of a backup folder (`catalogue.json`): the folder's settings and every snapshot
/// it holds, oldest first.
public struct BackupCatalogue: Hashable, Sendable {
    /// The run's epoch: seconds since 1970 at instant zero.
    public var epoch: Int64
    public var ladder: RetentionLadder
    public var compress: Bool
    /// The id the next snapshot gets.
    public var nextID: Int
    /// Oldest first (by id).
    public var snapshots: [SnapshotEntry]

    public init(epoch: Int64, ladder: RetentionLadder, compress: Bool) {
        precondition(epoch >= 0, "the epoch is seconds since 1970")
        self.epoch = epoch
        self.ladder = ladder
        self.compress = compress
        nextID = 1
        snapshots = []
    }

    /// The index of snapshot `id`.
    public func index(of id: Int) -> Int? {
        snapshots.firstIndex { $0.id == id }
    }

    /// The newest verified snapshot.
    public var latestVerified: SnapshotEntry? {
        snapshots.last { $0.state == .verified }
    }
}

/// UTC text from seconds since 1970, without Foundation.
public enum UTCText {
    /// `2026-01-01T00:15:00Z` (RFC 3339).
    public static func iso8601(_ unixSeconds: Int64) -> String {
        let (date, second) = split(unixSeconds)
        return "\(date.year)-\(two(date.month))-\(two(date.day))T\(two(second / 3600)):\(two(second / 60 % 60)):"
            + "\(two(second % 60))Z"
    }

    /// `20260101T001500Z`, for file names.
    public static func compact(_ unixSeconds: Int64) -> String {
        let (date, second) = split(unixSeconds)
        return "\(date.year)\(two(date.month))\(two(date.day))T\(two(second / 3600))\(two(second / 60 % 60))"
            + "\(two(second % 60))Z"
    }

    private static func split(_ unixSeconds: Int64) -> ((year: Int, month: Int, day: Int), Int) {
        let days = floorDivide(unixSeconds, 86_400)
        let second = Int(unixSeconds - days * 86_400)
        return (TextEncoding.civilDate(daysSinceEpoch: Int(days)), second)
    }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
