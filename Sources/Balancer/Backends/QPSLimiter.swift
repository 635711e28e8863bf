import Determinism

/// dnsdist's `QPSLimiter`: a token bucket holding at most `burst` tokens, refilled at `rate` per
/// second, starting full. `checkOnly` refills and peeks (at least one token?) without consuming;
/// `addHit` consumes one token when a query is actually sent, and may drive the bucket negative
/// (a query sent by the `leastOutstanding` fall-back to a backend over its limit).
public struct QPSLimiter: Sendable, Equatable {
    public let rate: Double
    public let burst: Double
    public private(set) var tokens: Double
    private var last: Instant?

    public init(rate: Int, burst: Int? = nil) {
        self.rate = Double(rate)
        self.burst = Double(burst ?? rate)
        self.tokens = self.burst
    }

    @inline(__always)
    mutating func refill(_ now: Instant) {
        if let last {
            if now > last {
                tokens = min(burst, tokens + rate * Double((now - last).nanoseconds) / 1e9)
                self.last = now
            }
        } else {
            last = now
        }
    }

    /// True when a query could pass now; consumes nothing.
    @inline(__always)
    public mutating func checkOnly(now: Instant) -> Bool {
        refill(now)
        return tokens >= 1
    }

    /// Takes one token if there is one (dnsdist `check`).
    public mutating func check(now: Instant) -> Bool {
        refill(now)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    /// Consumes one token unconditionally (dnsdist `addHit`, on every query sent to the backend).
    @inline(__always)
    public mutating func addHit(now: Instant) {
        refill(now)
        tokens -= 1
    }
}
