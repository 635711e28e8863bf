import Determinism

/// What the scheduled backups did (`backups` in report.json; docs/report.md).
public struct BackupsReport: Sendable {
    /// One snapshot still in the folder at the end.
    public struct Kept: Sendable {
        public var id: Int
        public var utc: String
        public var state: String
        public var size: Int64
        public var keptBy: [String]

        public init(id: Int, utc: String, state: String, size: Int64, keptBy: [String]) {
            self.id = id
            self.utc = utc
            self.state = state
            self.size = size
            self.keptBy = keptBy
        }
    }

    /// The primary whose database was copied.
    public var host: String
    public var every: SimDuration
    /// The ladder, as `period×count` labels (`15m×96`).
    public var ladder: [String]
    public var compress: Bool
    public var snapshots: UInt64 = 0
    public var verified: UInt64 = 0
    public var failed: UInt64 = 0
    /// Snapshots taken while the primary still served an older serial than its database (a push in
    /// flight) after every postponement: verified without the comparison with the served zones.
    public var unconfirmed: UInt64 = 0
    /// Snapshots taken later than scheduled, waiting for the primary to serve what its database holds.
    public var postponed: UInt64 = 0
    public var pruned: UInt64 = 0
    /// Snapshots the ladder, applied once at the end to every snapshot ever taken, would keep but the
    /// folder lacks, or the other way round. Must be 0.
    public var retentionMismatches: UInt64 = 0
    /// Failure reasons of failed snapshots, in order (`id: reason`).
    public var failures: [String] = []
    public var kept: [Kept] = []

    public init(host: String, every: SimDuration, ladder: [String], compress: Bool) {
        self.host = host
        self.every = every
        self.ladder = ladder
        self.compress = compress
    }

    public var keptBytes: Int64 { kept.reduce(0) { $0 + $1.size } }
}

extension RunReport {
    var backupFigures: [(String, Double)] {
        guard let backups else { return [] }
        return [
            ("backups.snapshots", Double(backups.snapshots)), ("backups.verified", Double(backups.verified)),
            ("backups.failed", Double(backups.failed)), ("backups.unconfirmed", Double(backups.unconfirmed)),
            ("backups.pruned", Double(backups.pruned)), ("backups.kept", Double(backups.kept.count)),
            ("backups.kept_bytes", Double(backups.keptBytes)),
            ("backups.retention_mismatches", Double(backups.retentionMismatches)),
        ]
    }

    var backupsJSON: JSONValue? {
        guard let backups else { return nil }
        let kept: [JSONValue] = backups.kept.map { entry in
            .object(["id": .integer(Int64(entry.id)), "utc": .string(entry.utc), "state": .string(entry.state),
                     "size": .integer(entry.size), "kept_by": .array(entry.keptBy.map(JSONValue.string))])
        }
        return .object([
            "host": .string(backups.host), "every_seconds": .number(Double(backups.every.nanoseconds) / 1e9),
            "ladder": .array(backups.ladder.map(JSONValue.string)), "compress": .bool(backups.compress),
            "snapshots": .integer(Int64(backups.snapshots)), "verified": .integer(Int64(backups.verified)),
            "failed": .integer(Int64(backups.failed)), "unconfirmed": .integer(Int64(backups.unconfirmed)),
            "postponed": .integer(Int64(backups.postponed)), "pruned": .integer(Int64(backups.pruned)),
            "retention_mismatches": .integer(Int64(backups.retentionMismatches)),
            "failures": .array(backups.failures.map(JSONValue.string)), "kept_bytes": .integer(backups.keptBytes),
            "kept": .array(kept),
        ])
    }

    var backupsMarkdown: [String] {
        guard let backups else { return [] }
        var byReason: [(String, Int)] = []
        for entry in backups.kept {
            for reason in entry.keptBy {
                if let index = byReason.firstIndex(where: { $0.0 == reason }) {
                    byReason[index].1 += 1
                } else {
                    byReason.append((reason, 1))
                }
            }
        }
        var lines = [
            "## Backups", "",
            "Every \(backups.every) of \(backups.host), ladder \(backups.ladder.joined(separator: ", "))"
                + (backups.compress ? ", gzip" : "") + ".", "",
            "| snapshots | verified | failed | unconfirmed | postponed | pruned | kept | kept bytes | retention mismatches |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            "| \(backups.snapshots) | \(backups.verified) | \(backups.failed) | \(backups.unconfirmed) | "
                + "\(backups.postponed) | \(backups.pruned) | \(backups.kept.count) | \(backups.keptBytes) | "
                + "\(backups.retentionMismatches) |", "",
            "Kept by: " + byReason.map { "\($0.0) \($0.1)" }.joined(separator: ", ") + ".",
        ]
        if !backups.failures.isEmpty {
            lines.append(contentsOf: ["", "Failed: " + backups.failures.joined(separator: "; ") + "."])
        }
        lines.append("")
        return lines
    }
}
