import DNSWire
import DNSZone
import Determinism
import Metrics

/// Replication figures: for every committed change, the time until a secondary serves it.
public enum ReplicationLag {
    public struct Result: Sendable {
        /// Lag of each change that reached the secondary, in nanoseconds (HDR histogram).
        public var lag: LatencyHistogram
        /// Changes committed but never served by the secondary before the run ended.
        public var missing: Int
    }

    /// Matches commits with the first later transfer that brought the same or a newer serial
    /// (RFC 1982 order): that transfer made the change servable.
    public static func measure(
        commits: [(zone: DNSName, serial: UInt32, at: Instant)], applied: [(zone: DNSName, serial: UInt32, at: Instant)]
    ) -> Result {
        var lag = LatencyHistogram()
        var missing = 0
        for commit in commits {
            let reached = applied.first { entry in
                entry.zone == commit.zone && entry.at >= commit.at
                    && !SerialNumber(entry.serial).isLess(than: SerialNumber(commit.serial))
            }
            if let reached {
                lag.record(UInt64((reached.at - commit.at).nanoseconds))
            } else {
                missing += 1
            }
        }
        return Result(lag: lag, missing: missing)
    }
}
