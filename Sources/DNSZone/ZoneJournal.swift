import DNSWire

/// A bounded history of one zone's diffs, oldest first, each starting where the previous ends.
///
/// It answers "what changed since serial N" for IXFR (RFC 1995): the run of diffs from the one
/// starting at N to the current version, or the news that the history does not reach back that
/// far, in which case the server sends the whole zone. Serials compare with RFC 1982 arithmetic.
/// Both bounds are named (STYLE.md §5): the number of diffs kept and the records they carry; the
/// oldest diffs go first when either is crossed (BIND's `max-journal-size` works the same way).
public struct ZoneJournal: Hashable, Sendable {
    /// The zone's origin.
    public let origin: DNSName
    /// Most diffs kept.
    public let diffCountMax: Int
    /// Most records (removed plus added, SOA records included) kept over all diffs.
    public let recordCountMax: Int
    /// The diffs, oldest first; each starts at the serial the previous one leads to.
    public private(set) var diffs: [ZoneDiff] = []
    /// Records over all diffs, as counted against `recordCountMax`.
    public private(set) var recordCount = 0

    /// An empty journal. `diffCountMax` 0 keeps nothing (every IXFR gets the whole zone).
    public init(origin: DNSName, diffCountMax: Int = 100, recordCountMax: Int = 100_000) {
        precondition(diffCountMax >= 0 && recordCountMax >= 0, "journal bounds are counts")
        self.origin = origin
        self.diffCountMax = diffCountMax
        self.recordCountMax = recordCountMax
    }

    /// What `append` did.
    public enum AppendOutcome: Hashable, Sendable {
        /// Appended; `dropped` oldest diffs went to stay within the bounds.
        case appended(dropped: Int)
        /// The diff did not start where the journal ended (a reload, a serial reset): the history
        /// was cleared and restarted with it.
        case restarted
    }

    /// Adds the newest diff.
    public mutating func append(_ diff: ZoneDiff) -> AppendOutcome {
        precondition(diff.origin == origin, "a journal holds one zone's diffs")
        var outcome = AppendOutcome.appended(dropped: 0)
        if let last = diffs.last, last.newSerial != diff.oldSerial {
            removeAll()
            outcome = .restarted
        }
        diffs.append(diff)
        recordCount += Self.weight(diff)
        var dropped = 0
        while !diffs.isEmpty && (diffs.count > diffCountMax || recordCount > recordCountMax) {
            recordCount -= Self.weight(diffs.removeFirst())
            dropped += 1
        }
        assert(recordCount == diffs.reduce(0) { $0 + Self.weight($1) }, "journal record count drifted")
        if case .appended = outcome { return .appended(dropped: dropped) }
        return outcome
    }

    /// Forgets every diff (the zone was replaced whole).
    public mutating func removeAll() {
        diffs.removeAll()
        recordCount = 0
    }

    /// The oldest serial an incremental answer can start from.
    public var oldestSerial: SerialNumber? { diffs.first?.oldSerial }
    /// The serial the newest diff leads to.
    public var newestSerial: SerialNumber? { diffs.last?.newSerial }

    private static func weight(_ diff: ZoneDiff) -> Int { diff.changeCount + 2 }

    /// What the journal can say about a client at some serial.
    public enum Lookup: Hashable, Sendable {
        /// The client has the current version, or claims a newer one (RFC 1995 §2: answered with
        /// the current SOA alone).
        case upToDate
        /// The diffs from the client's serial to the current one, oldest first.
        case changes([ZoneDiff])
        /// The history does not reach back to the client's serial: send the whole zone.
        case notInJournal
    }

    /// The changes from `serial` to `current` (the zone's serial now).
    public func changes(from serial: SerialNumber, to current: SerialNumber) -> Lookup {
        switch serial.compare(to: current) {
        case .equal, .greater: return .upToDate
        case .less, .undefined: break
        }
        guard newestSerial == current else { return .notInJournal }
        // The newest diff starting at `serial` gives the shortest run (a serial may recur after wrap).
        guard let start = diffs.lastIndex(where: { $0.oldSerial == serial }) else { return .notInJournal }
        let run = Array(diffs[start...])
        assert(zip(run, run.dropFirst()).allSatisfy { $0.newSerial == $1.oldSerial }, "journal chain broken")
        return .changes(run)
    }
}
