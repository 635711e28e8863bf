import DNSWire
import DNSZone
import Determinism
import LabMetrics

/// Replication figures: for every committed change, the time until a secondary serves it.
public enum ReplicationLag {
    public struct Result: Sendable {
        /// Lag of each change that reached the secondary, in nanoseconds (HDR histogram).
        public var lag: LatencyHistogram
        /// Changes committed but never served by the secondary before the run ended.
        public var missing: Int
        /// Total time the secondary served older data than the primary: the union of the windows
        /// from each commit until the secondary served it (or the end of the run).
        public var behind: SimDuration = .zero
    }

    /// Matches commits with the first later transfer that brought the same or a newer serial
    /// (RFC 1982 order): that transfer made the change servable.
    public static func measure(
        commits: [(zone: DNSName, serial: UInt32, at: Instant)], applied: [(zone: DNSName, serial: UInt32, at: Instant)],
        end: Instant = .distantFuture
    ) -> Result {
        var lag = LatencyHistogram()
        var missing = 0
        var windows: [(Instant, Instant)] = []
        for commit in commits {
            let reached = applied.first { entry in
                entry.zone == commit.zone && entry.at >= commit.at
                    && !SerialNumber(entry.serial).isLess(than: SerialNumber(commit.serial))
            }
            if let reached {
                lag.record(UInt64((reached.at - commit.at).nanoseconds))
                windows.append((commit.at, reached.at))
            } else {
                missing += 1
                if end != .distantFuture { windows.append((commit.at, max(commit.at, end))) }
            }
        }
        return Result(lag: lag, missing: missing, behind: union(windows))
    }

    /// The total length of a set of intervals, overlaps counted once.
    static func union(_ windows: [(Instant, Instant)]) -> SimDuration {
        var total = SimDuration.zero
        var current: (Instant, Instant)?
        for window in windows.sorted(by: { $0.0 < $1.0 }) {
            if let open = current, window.0 <= open.1 {
                current = (open.0, max(open.1, window.1))
            } else {
                if let open = current { total = total + (open.1 - open.0) }
                current = window
            }
        }
        if let open = current { total = total + (open.1 - open.0) }
        return total
    }
}
