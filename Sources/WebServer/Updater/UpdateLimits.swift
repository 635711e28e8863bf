import Determinism
import DNSWire

/// IPv64's call limit: at most `limit` admitted requests per token within a sliding `window`
/// (3 within 10 s). Kept in memory: a crash of the web server forgets it (a restarted server
/// admits a fresh burst), which the report's crash scenarios must allow for.
///
/// Only requests that passed authentication are counted, and a refused (429) request does not
/// count, so a client that backs off for `window` is admitted again.
struct RateLimiter {
    let limit: Int
    let window: SimDuration
    /// The instants of the last `limit` admitted requests per token id, oldest first. Looked up
    /// only, never iterated (STYLE.md §4.3).
    private var recent: [Int64: [Instant]] = [:]

    init(limit: Int, window: SimDuration) {
        precondition(limit >= 1, "a window admits at least one request")
        self.limit = limit
        self.window = window
    }

    /// Whether the token may make a request at `now`; if so, the request is counted.
    mutating func admit(token: Int64, now: Instant) -> Bool {
        var instants = recent[token] ?? []
        instants.removeAll { $0 + window <= now }
        guard instants.count < limit else {
            recent[token] = instants
            return false
        }
        instants.append(now)
        recent[token] = instants
        assert(instants.count <= limit, "the window holds at most `limit` instants")
        return true
    }
}

/// Dyn's abuse rule (dyndns.md §1.3): a host that keeps getting `nochg` is blocked.
///
/// Policy: `limit` consecutive `nochg` answers for one host, each within `window` of the previous
/// one, block the host for `block`; the answer that reaches the limit is still `nochg`, every
/// later request for the host answers `abuse` until the block ends, then the count starts afresh.
/// A `good` answer resets the count. Defaults: 5 within 24 h, blocked for 1 h. Kept in memory
/// (lost on a crash, like `RateLimiter`); a blocked host's request writes nothing.
struct AbuseTracker {
    let limit: Int
    let window: SimDuration
    let block: SimDuration

    struct HostState {
        var consecutiveNochg: Int
        var lastNochg: Instant
        var blockedUntil: Instant?
    }

    /// Per host name (lowercase). Looked up only, never iterated.
    private var hosts: [DNSName: HostState] = [:]

    init(limit: Int, window: SimDuration, block: SimDuration) {
        self.limit = limit
        self.window = window
        self.block = block
    }

    /// Whether `host` is blocked at `now`.
    func isBlocked(_ host: DNSName, now: Instant) -> Bool {
        guard let until = hosts[host]?.blockedUntil else { return false }
        return now < until
    }

    /// Records a committed answer for `host`.
    mutating func record(_ code: UpdateCode, host: DNSName, now: Instant) {
        switch code {
        case .good:
            hosts[host] = nil
        case .nochg:
            var state = hosts[host] ?? HostState(consecutiveNochg: 0, lastNochg: now, blockedUntil: nil)
            if let until = state.blockedUntil, now >= until { state = HostState(consecutiveNochg: 0, lastNochg: now) }
            if state.lastNochg + window < now { state.consecutiveNochg = 0 }
            state.consecutiveNochg += 1
            state.lastNochg = now
            if state.consecutiveNochg >= limit {
                state.blockedUntil = now + block
                state.consecutiveNochg = 0
            }
            hosts[host] = state
        default:
            break
        }
    }
}

extension AbuseTracker.HostState {
    init(consecutiveNochg: Int, lastNochg: Instant) {
        self.init(consecutiveNochg: consecutiveNochg, lastNochg: lastNochg, blockedUntil: nil)
    }
}
