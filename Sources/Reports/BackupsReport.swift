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
    /// Cycles that found no database to copy (lost, not yet restored).
    public var skipped: UInt64 = 0
    /// Snapshots the ladder, applied once at the end to every snapshot ever taken, would keep but the
    /// folder lacks, or the other way round. Must be 0.
    public var retentionMismatches: UInt64 = 0
    /// Failure reasons of failed snapshots, in order (`id: reason`).
    public var failures: [String] = []
    public var kept: [Kept] = []
    /// The run's `restore` steps, in order.
    public var restores: [RestoreReport] = []
    /// The scenario has database faults or restores (their figures are reported).
    public var drills = false

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
            ("backups.skipped", Double(backups.skipped)),
        ] + restoreFigures(backups)
    }

    /// `restore.…`: over every restore, counts summed and durations at their worst; a restore that
    /// failed, or whose recovery never completed, leaves `restore.rpo`/`restore.rto` out.
    func restoreFigures(_ backups: BackupsReport) -> [(String, Double)] {
        guard backups.drills else { return [] }
        let restores = backups.restores
        let done = restores.filter { $0.snapshot != nil }
        var figures: [(String, Double)] = [
            ("restore.count", Double(done.count)), ("restore.failed", Double(restores.count - done.count)),
        ]
        let objectives = done.compactMap(\.pointObjective)
        if !done.isEmpty && objectives.count == done.count, let worst = objectives.max() {
            figures.append(("restore.rpo", Double(worst.nanoseconds) / 1e6))
        }
        let recoveries = done.compactMap(\.recovery)
        if !done.isEmpty && recoveries.count == done.count, let worst = recoveries.max() {
            figures.append(("restore.rto", Double(worst.nanoseconds) / 1e6))
        }
        figures += [
            ("restore.unrecovered", Double(done.count - recoveries.count)),
            ("restore.lost_updates", Double(done.reduce(0) { $0 + $1.lostUpdates.count })),
            ("restore.lost_hosts", Double(done.reduce(0) { $0 + $1.lostHosts })),
            ("restore.lost_commits", Double(done.reduce(0) { $0 + $1.lostCommits })),
            ("restore.oracle_mismatches", Double(done.reduce(0) { $0 + $1.oracleMismatches.count })),
            ("restore.wrong_hosts", Double(done.reduce(0) { $0 + $1.wrongAtRestore.count })),
            ("restore.wrong_hosts_later", Double(done.reduce(0) { $0 + $1.wrongLater.count })),
            ("restore.lost_still_wrong", Double(done.reduce(0) { $0 + $1.wrongLater.filter(\.lostByRestore).count })),
        ]
        return figures
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
            "kept": .array(kept), "skipped": .integer(Int64(backups.skipped)),
            "restores": .array(backups.restores.map(Self.restoreJSON)),
        ])
    }

    static func restoreJSON(_ restore: RestoreReport) -> JSONValue {
        func seconds(_ instant: Instant?) -> JSONValue {
            instant.map { .number(Double($0.nanoseconds) / 1e9) } ?? .null
        }
        func seconds(_ duration: SimDuration?) -> JSONValue {
            duration.map { .number(Double($0.nanoseconds) / 1e9) } ?? .null
        }
        func hosts(_ list: [RestoreReport.WrongHost]) -> JSONValue {
            .array(list.map { wrong in
                .object(["host": .string(wrong.host), "type": .string(wrong.type),
                         "served": .array(wrong.served.map(JSONValue.string)), "actual": .string(wrong.actual),
                         "updater": .string(wrong.updater), "lost_by_restore": .bool(wrong.lostByRestore)])
            })
        }
        return .object([
            "host": .string(restore.host), "at_seconds": seconds(restore.at),
            "fault": restore.fault.map(JSONValue.string) ?? .null, "fault_at_seconds": seconds(restore.faultAt),
            "snapshot": restore.snapshot.map { .integer(Int64($0)) } ?? .null,
            "snapshot_at_seconds": seconds(restore.snapshotAt),
            "skipped_snapshots": .array(restore.skippedSnapshots.map { .integer(Int64($0)) }),
            "failure": restore.failure.map(JSONValue.string) ?? .null,
            "rpo_seconds": seconds(restore.pointObjective), "rto_seconds": seconds(restore.recovery),
            "serials": .array(restore.serials.map { zone in
                .object(["zone": .string(zone.zone), "restored": .integer(Int64(zone.restored)),
                         "served": .integer(Int64(zone.served))])
            }),
            "lost_commits": .integer(Int64(restore.lostCommits)),
            "lost_updates": .array(restore.lostUpdates.map { lost in
                .object(["host": .string(lost.host), "type": .string(lost.type), "value": .string(lost.value),
                         "acknowledged_at_seconds": seconds(lost.acknowledgedAt), "serial": .integer(Int64(lost.serial)),
                         "updater": .string(lost.updater)])
            }),
            "oracle_mismatches": .array(restore.oracleMismatches.map(JSONValue.string)),
            "wrong_at_restore": hosts(restore.wrongAtRestore),
            "wrong_later_at_seconds": seconds(restore.laterAt), "wrong_later": hosts(restore.wrongLater),
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
        if !backups.restores.isEmpty {
            lines += ["", "| restore at | after | snapshot | RPO | RTO | lost updates (hosts) | lost commits | wrong at restore | wrong later | oracle mismatches |",
                      "|---|---|---:|---|---|---:|---:|---:|---:|---:|"]
            for restore in backups.restores {
                let snapshot = restore.snapshot.map { "\($0)" + (restore.snapshotAt.map { " (\($0))" } ?? "") }
                    ?? "failed: \(restore.failure ?? "?")"
                lines.append("| \(restore.at) | \(restore.fault ?? "-") | \(snapshot) | "
                    + "\(restore.pointObjective.map(Self.seconds) ?? "-") | \(restore.recovery.map(Self.seconds) ?? "not recovered") | "
                    + "\(restore.lostUpdates.count) (\(restore.lostHosts)) | \(restore.lostCommits) | "
                    + "\(restore.wrongAtRestore.count) | \(restore.wrongLater.count) | \(restore.oracleMismatches.count) |")
            }
            for restore in backups.restores where !restore.wrongLater.isEmpty {
                let lost = restore.wrongLater.filter(\.lostByRestore)
                var byUpdater: [(String, Int)] = []
                for wrong in lost {
                    if let index = byUpdater.firstIndex(where: { $0.0 == wrong.updater }) { byUpdater[index].1 += 1 } else { byUpdater.append((wrong.updater, 1)) }
                }
                let shown = lost.prefix(10).map { "\($0.host) \($0.type)" }
                let more = lost.count > 10 ? " and \(lost.count - 10) more" : ""
                lines.append(contentsOf: ["", "Still wrong at \(restore.laterAt.map { "\($0)" } ?? "the end"): "
                    + "\(restore.wrongLater.count) addresses; \(lost.count) of them updates the restore lost ("
                    + byUpdater.map { "\($0.0) \($0.1)" }.joined(separator: ", ") + "): "
                    + shown.joined(separator: ", ") + more + "."])
            }
        }
        lines.append("")
        return lines
    }
}
