import DNSWire
import Determinism

/// A health-check query to send to a backend.
public struct HealthProbe: Sendable, Equatable {
    public let backend: Int
    /// Unique per table (a counter); its low 16 bits are the DNS ID of `query`.
    public let probeID: UInt64
    /// The probe query on the wire: the configured qname/qtype/qclass, RD set, no EDNS.
    public let query: [UInt8]
    public let useTCP: Bool
    public let sentAt: Instant
    /// An answer must arrive by this instant; `healthTick` at or after it counts a timeout.
    public let deadline: Instant
}

/// Why a backend went up or down.
public enum BackendStateChangeReason: Sendable, Equatable {
    /// dnsdist's initial check: the first active probe's result is applied directly.
    case initialCheck
    /// `maxFailures` consecutive probes failed (active mode, or lazy PotentialFailure → Failed).
    case checksFailed(consecutive: Int)
    /// `rise` consecutive probes succeeded.
    case checksSucceeded(consecutive: Int)
    /// `setUp`, `setDown` or `setAuto`.
    case administrative(AdminState)
}

/// One up/down transition of a backend, for failover and recovery plots.
public struct BackendStateChange: Sendable, Equatable {
    public let backend: Int
    public let up: Bool
    public let at: Instant
    public let reason: BackendStateChangeReason

    public init(backend: Int, up: Bool, at: Instant, reason: BackendStateChangeReason) {
        self.backend = backend
        self.up = up
        self.at = at
        self.reason = reason
    }
}

/// The result of a regular query, as the lazy health check sees it.
public enum BackendQueryResult: Sendable, Equatable {
    case success, timeout, servFail
}

/// Why a probe failed.
public enum HealthProbeFailure: Sendable, Equatable {
    case timeout
    case malformed
    case idMismatch
    case notAResponse
    case servFail
    /// NXDOMAIN or REFUSED with `mustResolve`.
    case mustResolve(RCode)
    case questionMismatch
}

/// What `probeAnswered` made of an answer.
public enum HealthProbeOutcome: Sendable, Equatable {
    case success
    case failure(HealthProbeFailure)
    /// No such probe is outstanding (late, duplicate, or the backend is no longer checked).
    case unknownProbe
}

extension BackendTable {
    /// The earliest instant at which `healthTick` has work: a probe due, or a probe's deadline.
    public var nextHealthDeadline: Instant? {
        var earliest: Instant?
        for backend in backends.indices where backends[backend].admin == .auto {
            let due = backends[backend].health.probe?.deadline ?? backends[backend].health.nextCheck
            if let due, earliest == nil || due < earliest! { earliest = due }
        }
        return earliest
    }

    /// Times out overdue probes (a failed check at its deadline) and returns the probes due now,
    /// in backend order. At most one probe per backend is outstanding; a probe still pending
    /// when the next one is due delays it until the pending one resolves.
    public mutating func healthTick(now: Instant) -> [HealthProbe] {
        var probes: [HealthProbe] = []
        for backend in backends.indices where backends[backend].admin == .auto {
            if let probe = backends[backend].health.probe, probe.deadline <= now {
                backends[backend].health.probe = nil
                backends[backend].counters.probeTimeouts &+= 1
                applyProbeResult(backend, success: false, at: probe.deadline)
            }
            guard backends[backend].health.probe == nil, let due = backends[backend].health.nextCheck, due <= now,
                needsProbe(backend)
            else { continue }
            probes.append(sendProbe(backend, now: now))
        }
        return probes
    }

    private func needsProbe(_ backend: Int) -> Bool {
        let health = backends[backend].health
        return health.checkMode == .auto || health.lazyStatus != .healthy
    }

    private mutating func sendProbe(_ backend: Int, now: Instant) -> HealthProbe {
        probeCounter &+= 1
        let id = probeCounter
        let dnsID = UInt16(truncatingIfNeeded: id)
        var query = backends[backend].probeTemplate
        query[0] = UInt8(dnsID >> 8)
        query[1] = UInt8(dnsID & 0xFF)
        let checks = backends[backend].config.healthChecks
        let deadline = now + checks.timeout
        backends[backend].health.probe = PendingProbe(id: id, dnsID: dnsID, sentAt: now, deadline: deadline)
        backends[backend].counters.probesSent &+= 1
        // Schedule the next probe (dnsdist plans it when sending this one).
        var health = backends[backend].health
        if health.checkMode == .auto || health.lazyStatus == .potentialFailure {
            health.nextCheck = now + checks.interval
        } else {
            health.nextCheck = now + failedStateDelay(backend, planningAfterThisProbe: true)
        }
        backends[backend].health = health
        return HealthProbe(backend: backend, probeID: id, query: query, useTCP: checks.useTCP, sentAt: now,
                           deadline: deadline)
    }

    /// Delay before the next probe in the lazy Failed state: `lazy.interval`, or with exponential
    /// back-off `lazy.interval · 2^(failures − 1)` capped at `max_back_off`, where `failures` counts
    /// the consecutive failed probes including (when planning at send time) the one being sent.
    func failedStateDelay(_ backend: Int, planningAfterThisProbe: Bool) -> SimDuration {
        let lazy = backends[backend].config.healthChecks.lazy
        let health = backends[backend].health
        guard lazy.useExponentialBackOff, health.consecutiveSuccesses == 0 else { return lazy.interval }
        let failures = health.consecutiveFailures + (planningAfterThisProbe ? 1 : 0)
        let exponent = max(0, failures - 1)
        let cap = lazy.maxBackOff.nanoseconds
        let base = lazy.interval.nanoseconds
        guard exponent < 62, base <= cap >> Int64(exponent) else { return lazy.maxBackOff }
        return SimDuration(nanoseconds: base << Int64(exponent))
    }

    /// Hands in the answer to a probe. A probe is healthy when the answer carries its ID, has QR
    /// set, is not SERVFAIL (nor NXDOMAIN/REFUSED with `mustResolve`), and echoes its question.
    /// An answer after the deadline counts as a timeout.
    @discardableResult
    public mutating func probeAnswered(backend: Int, probeID: UInt64, response: [UInt8], now: Instant)
        -> HealthProbeOutcome
    {
        guard backends.indices.contains(backend), let probe = backends[backend].health.probe, probe.id == probeID else {
            return .unknownProbe
        }
        backends[backend].health.probe = nil
        let verdict: HealthProbeOutcome =
            now > probe.deadline ? .failure(.timeout) : checkProbeAnswer(backend, probe: probe, response: response)
        if case .failure(let why) = verdict {
            if why == .timeout { backends[backend].counters.probeTimeouts &+= 1 }
            applyProbeResult(backend, success: false, at: now)
        } else {
            applyProbeResult(backend, success: true, at: now)
        }
        return verdict
    }

    private func checkProbeAnswer(_ backend: Int, probe: PendingProbe, response: [UInt8]) -> HealthProbeOutcome {
        guard response.count >= dnsHeaderLength else { return .failure(.malformed) }
        guard UInt16(response[0]) << 8 | UInt16(response[1]) == probe.dnsID else { return .failure(.idMismatch) }
        guard response[2] & 0x80 != 0 else { return .failure(.notAResponse) }
        let rcode = RCode(rawValue: UInt16(response[3] & 0x0F))
        if rcode == .servFail { return .failure(.servFail) }
        let checks = backends[backend].config.healthChecks
        if checks.mustResolve, rcode == .nxDomain || rcode == .refused { return .failure(.mustResolve(rcode)) }
        guard response[4] == 0, response[5] >= 1 else { return .failure(.questionMismatch) }
        var reader = WireReader(response, offset: dnsHeaderLength)
        guard let name = try? reader.readName(), let type = try? reader.readUInt16(),
            let rrClass = try? reader.readUInt16()
        else { return .failure(.malformed) }
        guard name == backends[backend].probeName, type == checks.qtype.rawValue, rrClass == checks.qclass.rawValue
        else { return .failure(.questionMismatch) }
        return .success
    }

    /// Applies one probe result (dnsdist `submitHealthCheckResult`).
    mutating func applyProbeResult(_ backend: Int, success: Bool, at now: Instant) {
        var health = backends[backend].health
        let checks = backends[backend].config.healthChecks
        let wasUp = backends[backend].healthUp
        if !success { backends[backend].counters.probeFailures &+= 1 }
        if health.initialPending {
            health.initialPending = false
            if !success { health.consecutiveFailures += 1 }
            backends[backend].health = health
            setHealth(backend, up: success, at: now, reason: .initialCheck)
            return
        }
        var up = success
        var reason = BackendStateChangeReason.initialCheck
        if success {
            health.consecutiveFailures = 0
            health.consecutiveSuccesses += 1
            reason = .checksSucceeded(consecutive: health.consecutiveSuccesses)
            if !wasUp, health.consecutiveSuccesses < checks.rise {
                up = false
                if health.checkMode == .lazy { health.nextCheck = now + checks.lazy.interval }
            }
            if up, health.checkMode == .lazy {
                health.lazyStatus = .healthy
                health.clearSample()
                health.nextCheck = nil
            }
        } else {
            health.consecutiveSuccesses = 0
            health.consecutiveFailures += 1
            reason = .checksFailed(consecutive: health.consecutiveFailures)
            if wasUp {
                if health.consecutiveFailures < checks.maxFailures {
                    up = true
                } else if health.checkMode == .lazy {
                    health.lazyStatus = .failed
                    health.consecutiveFailures = 1
                    backends[backend].health = health
                    health.nextCheck = now + failedStateDelay(backend, planningAfterThisProbe: false)
                }
            }
        }
        backends[backend].health = health
        setHealth(backend, up: up, at: now, reason: reason)
    }

    private mutating func setHealth(_ backend: Int, up: Bool, at now: Instant, reason: BackendStateChangeReason) {
        let wasUp = backends[backend].isUp
        backends[backend].healthUp = up
        let isUp = backends[backend].isUp
        if wasUp != isUp { recordChange(BackendStateChange(backend: backend, up: isUp, at: now, reason: reason)) }
    }

    /// Feeds the lazy health check with the result of a regular query (`responseReceived` and
    /// `queryTimedOut` already do). In the Healthy state, once the window holds at least
    /// `minSampleCount` results and the failure share reaches `threshold` %, the backend moves to
    /// PotentialFailure and is probed at `now`. Ignored for other modes.
    public mutating func queryResult(backend: Int, outcome: BackendQueryResult, now: Instant) {
        guard backends[backend].admin == .auto, backends[backend].health.checkMode == .lazy,
            backends[backend].health.lazyStatus == .healthy
        else { return }
        let lazy = backends[backend].config.healthChecks.lazy
        let failure: Bool
        switch outcome {
        case .success: failure = false
        case .timeout: failure = true
        case .servFail: failure = lazy.mode == .timeoutOrServFail
        }
        backends[backend].health.record(failure: failure)
        let count = backends[backend].health.sampleCount
        let failures = backends[backend].health.sampleFailures
        guard count >= lazy.minSampleCount, count > 0, failures * 100 >= lazy.threshold * count else { return }
        backends[backend].health.clearSample()
        backends[backend].health.lazyStatus = .potentialFailure
        backends[backend].health.consecutiveSuccesses = 0
        if backends[backend].health.probe == nil { backends[backend].health.nextCheck = now }
    }
}
