import Determinism

/// What a restore did.
public struct RestoreResult: Hashable, Sendable {
    /// The snapshot restored.
    public var snapshot: SnapshotEntry
    /// Newer verified snapshots passed over because their file no longer matched its checksum
    /// (now marked failed), newest first.
    public var skipped: [Int]
}

extension BackupVault {
    /// Applies the retention ladder at `now` (`RetentionLadder.decide`): deletes the files and
    /// catalogue entries of the snapshots it prunes, and records on each kept one why it is kept.
    /// Returns the pruned ids, oldest first.
    public mutating func prune(now: Instant) throws(BackupError) -> [Int] {
        let nowUnixSeconds = catalogue.epoch + Int64(now.seconds)
        let candidates = catalogue.snapshots.map {
            RetentionCandidate(id: $0.id, unixSeconds: $0.unixSeconds, state: $0.state)
        }
        let decisions = catalogue.ladder.decide(candidates, nowUnixSeconds: nowUnixSeconds)
        assert(decisions.map(\.id) == candidates.map(\.id), "one decision per snapshot, in order")
        let latestVerified = catalogue.latestVerified?.id
        // Files first: a failed removal leaves the catalogue as it was.
        var pruned: [Int] = []
        for index in decisions.indices where !decisions[index].isKept {
            try FileOps.remove(path(catalogue.snapshots[index].database.name))
            if let configuration = catalogue.snapshots[index].configuration {
                try FileOps.remove(path(configuration.name))
            }
            pruned.append(catalogue.snapshots[index].id)
        }
        // Then the entries, compacted in place (no copy of the kept ones).
        var kept = 0
        for index in decisions.indices where decisions[index].isKept {
            if catalogue.snapshots[index].keptBy != decisions[index].reasons {
                catalogue.snapshots[index].keptBy = decisions[index].reasons
            }
            if kept != index { catalogue.snapshots.swapAt(kept, index) }
            kept += 1
        }
        catalogue.snapshots.removeLast(catalogue.snapshots.count - kept)
        assert(kept + pruned.count == decisions.count, "every snapshot kept or pruned")
        assert(latestVerified == nil || catalogue.latestVerified?.id == latestVerified,
               "pruning never removes the last verified snapshot")
        return pruned
    }

    /// Restores snapshot `id`, or with nil the newest verified snapshot whose file still matches its
    /// checksum, into the database file at `target`: stale `-wal`, `-shm` and `-journal` files of
    /// the target are removed first, and the file is written through a rename. Only verified
    /// snapshots are restored; one whose file changed since it was verified is marked failed (and,
    /// when none was named, the next older verified one is tried).
    public mutating func restore(_ id: Int?, to target: String) throws(BackupError) -> RestoreResult {
        var skipped: [Int] = []
        let candidates: [SnapshotEntry]
        if let id {
            let entry = try entry(id)
            guard entry.state == .verified else {
                throw .notRestorable(id: id, reason: entry.state == .failed
                    ? "verification failed (\(entry.failure ?? "no reason recorded"))" : "not verified yet")
            }
            candidates = [entry]
        } else {
            candidates = catalogue.snapshots.filter { $0.state == .verified }.reversed()
        }
        for entry in candidates {
            if let problem = checksumProblem(entry.database) {
                markFailed(entry.id, reason: problem + " at restore")
                if id != nil { throw .notRestorable(id: entry.id, reason: problem) }
                skipped.append(entry.id)
                continue
            }
            for suffix in ["", "-wal", "-shm", "-journal"] { try FileOps.remove(target + suffix) }
            let source = path(entry.database.name)
            if entry.compressed {
                try Gzip.decompress(source, to: target)
            } else {
                let copied = try FileOps.copy(source, to: target)
                guard copied.sha256 == entry.database.sha256 else {
                    try FileOps.remove(target)
                    markFailed(entry.id, reason: "checksum mismatch at restore")
                    if id != nil { throw .notRestorable(id: entry.id, reason: "checksum mismatch") }
                    skipped.append(entry.id)
                    continue
                }
            }
            return RestoreResult(snapshot: try self.entry(entry.id), skipped: skipped)
        }
        throw .noVerifiedSnapshot
    }

    /// `ddnslab backup restore`: `restore(id, to: target)`, then the catalogue is saved whether the
    /// restore succeeded or not, so that snapshots the attempt marked failed stay marked. The
    /// command calls this and only prints; tests that restore "as the command does" call it too.
    /// A failed save wins over a failed restore (the catalogue on disk is then stale).
    public mutating func restoreAndSave(_ id: Int?, to target: String) throws(BackupError) -> RestoreResult {
        let result: RestoreResult
        do {
            result = try restore(id, to: target)
        } catch {
            try save()
            throw error
        }
        try save()
        return result
    }
}
