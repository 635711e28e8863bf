import DNSWire
import Determinism

/// The administrative state (dnsdist `setUp` / `setDown` / `setAuto`): forced up, forced down, or
/// decided by health checks.
public enum AdminState: String, Sendable, Equatable {
    case auto, up, down
}

/// dnsdist's lazy health-check states.
public enum LazyStatus: String, Sendable, Equatable {
    /// No probes; regular query results feed the sample window.
    case healthy
    /// The failure threshold was reached: probed every `interval`; still up.
    case potentialFailure
    /// `maxFailures` probes failed: marked down, probed every `lazy.interval` (with optional back-off).
    case failed
}

/// Per-backend counters (dnsdist's `Server` statistics).
public struct BackendCounters: Sendable, Equatable {
    public var queries: UInt64 = 0
    public var responses: UInt64 = 0
    public var timeouts: UInt64 = 0
    public var tcpResponses: UInt64 = 0
    public var noError: UInt64 = 0
    public var servFail: UInt64 = 0
    public var nxDomain: UInt64 = 0
    public var refused: UInt64 = 0
    public var otherRCode: UInt64 = 0
    public var probesSent: UInt64 = 0
    public var probeFailures: UInt64 = 0
    public var probeTimeouts: UInt64 = 0

    public init() {}
}

/// An outstanding health-check probe.
struct PendingProbe: Sendable, Equatable {
    var id: UInt64
    var dnsID: UInt16
    var sentAt: Instant
    var deadline: Instant
}

/// Health-check bookkeeping of one backend (dnsdist's `currentCheckFailures`,
/// `consecutiveSuccessfulChecks`, lazy stats).
struct HealthState: Sendable, Equatable {
    /// Mode used when the backend is administratively `auto`: `.auto` (active) or `.lazy`.
    var checkMode: HealthCheckMode
    var consecutiveFailures = 0
    var consecutiveSuccesses = 0
    /// The first active probe's result is applied directly (dnsdist's initial check at startup).
    var initialPending: Bool
    var lazyStatus: LazyStatus = .healthy
    /// Ring of the last `sampleSize` regular-query results, true = failure.
    var sample: [Bool]
    var sampleCount = 0
    var sampleNext = 0
    var sampleFailures = 0
    /// When the next probe is due, nil when none is scheduled.
    var nextCheck: Instant?
    var probe: PendingProbe?

    mutating func clearSample() {
        sampleCount = 0
        sampleNext = 0
        sampleFailures = 0
    }

    mutating func record(failure: Bool) {
        guard !sample.isEmpty else { return }
        if sampleCount == sample.count {
            if sample[sampleNext] { sampleFailures -= 1 }
        } else {
            sampleCount += 1
        }
        sample[sampleNext] = failure
        if failure { sampleFailures += 1 }
        sampleNext += 1
        if sampleNext == sample.count { sampleNext = 0 }
    }
}

/// One backend and everything the balancer tracks about it.
public struct BackendState: Sendable {
    public let index: Int
    public let config: BackendConfig
    public internal(set) var admin: AdminState
    /// The state the health checks decided (dnsdist `upStatus`).
    public internal(set) var healthUp: Bool
    /// Queries sent and not yet answered or timed out.
    public internal(set) var outstanding: Int = 0
    /// UDP latency EWMA in microseconds: `lat = 127/128·lat + 1/128·elapsed` on every UDP
    /// response; starts at 0.
    public internal(set) var latencyMicros: Double = 0
    /// The same average over TCP responses (dnsdist `latencyUsecTCP`).
    public internal(set) var tcpLatencyMicros: Double = 0
    public internal(set) var counters = BackendCounters()
    /// The `firstAvailable` limiter, nil when the backend has no QPS limit.
    public internal(set) var qpsLimiter: QPSLimiter?
    var health: HealthState
    /// Sorted points of this backend on the `chashed` ring.
    let ringPoints: [UInt64]
    /// Probe query with ID 0; the ID is patched per probe.
    let probeTemplate: [UInt8]
    let probeName: DNSName

    /// Selectable: forced up, or auto and healthy.
    @inline(__always)
    public var isUp: Bool {
        switch admin {
        case .up: true
        case .down: false
        case .auto: healthUp
        }
    }

    public var name: String { config.name }
    public var order: Int { config.order }
    public var weight: Int { config.weight }
    public var lazyStatus: LazyStatus { health.lazyStatus }
    public var consecutiveCheckFailures: Int { health.consecutiveFailures }
    public var consecutiveCheckSuccesses: Int { health.consecutiveSuccesses }
    /// Failures in the current lazy sample window, and its size.
    public var lazySample: (failures: Int, count: Int) { (health.sampleFailures, health.sampleCount) }
}
