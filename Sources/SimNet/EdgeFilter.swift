import Determinism

/// A hoster's upstream DoS filter in front of some nodes, such as the ones Hetzner and OVH run at
/// their edge: it sees packets, not DNS, and only those arriving from other sites. Stateless source-port rules (the usual amplification
/// vectors) and packet-rate limits per source address and in total per protected node. Zero
/// means no limit.
public struct EdgeFilterConfig: Sendable, Equatable {
    /// UDP datagrams from these source ports are dropped (e.g. 19 chargen, 123 NTP, 1900 SSDP,
    /// 11211 memcached).
    public var dropSourcePorts: [UInt16] = []
    /// Packets per second one source address may send to one protected node (a token bucket with
    /// one second of burst).
    public var maxPacketsPerSecondPerSource: Int = 0
    /// Packets per second a protected node may receive in total (one second of burst).
    public var maxPacketsPerSecond: Int = 0

    public init(dropSourcePorts: [UInt16] = [], maxPacketsPerSecondPerSource: Int = 0, maxPacketsPerSecond: Int = 0) {
        self.dropSourcePorts = dropSourcePorts
        self.maxPacketsPerSecondPerSource = maxPacketsPerSecondPerSource
        self.maxPacketsPerSecond = maxPacketsPerSecond
    }
}

/// What the filter in front of one node did.
public struct EdgeFilterStats: Sendable, Equatable {
    public var passed: UInt64 = 0
    public var droppedSourcePort: UInt64 = 0
    public var droppedPerSource: UInt64 = 0
    public var droppedTotalRate: UInt64 = 0

    public init() {}

    public var dropped: UInt64 { droppedSourcePort + droppedPerSource + droppedTotalRate }
}

/// The filter in front of one node. Packets (datagrams and connection attempts) are judged in
/// arrival order, each at its arrival instant.
struct EdgeFilter: Sendable {
    enum Verdict { case pass, sourcePort, perSource, totalRate }

    let config: EdgeFilterConfig
    private(set) var stats = EdgeFilterStats()
    private var perSource = UInt64Map<TokenBucket>(minimumCapacity: 256)
    private var total: TokenBucket

    init(config: EdgeFilterConfig) {
        self.config = config
        total = TokenBucket(rate: config.maxPacketsPerSecond)
    }

    /// `source` identifies the sending address (node and address index), `port` its port.
    mutating func admit(source: UInt64, port: UInt16, datagram: Bool, now: UInt64) -> Verdict {
        if datagram && config.dropSourcePorts.contains(port) {
            stats.droppedSourcePort &+= 1
            return .sourcePort
        }
        if config.maxPacketsPerSecondPerSource > 0 {
            var bucket = perSource[source] ?? TokenBucket(rate: config.maxPacketsPerSecondPerSource)
            let allowed = bucket.take(now: now)
            perSource[source] = bucket
            guard allowed else {
                stats.droppedPerSource &+= 1
                return .perSource
            }
        }
        if config.maxPacketsPerSecond > 0 && !total.take(now: now) {
            stats.droppedTotalRate &+= 1
            return .totalRate
        }
        stats.passed &+= 1
        return .pass
    }
}

/// Packets per second with one second of burst, in integer nanosecond-packets.
struct TokenBucket: Sendable {
    let rate: UInt64
    /// Tokens times 1e9; one packet costs 1e9.
    var tokens: UInt64
    var last: UInt64 = 0

    init(rate: Int) {
        self.rate = UInt64(max(0, rate))
        tokens = self.rate * 1_000_000_000
    }

    mutating func take(now: UInt64) -> Bool {
        let capacity = rate * 1_000_000_000
        if now > last {
            let elapsed = min(now - last, 2_000_000_000)
            tokens = min(capacity, tokens + elapsed * rate)
            last = now
        }
        guard tokens >= 1_000_000_000 else { return false }
        tokens -= 1_000_000_000
        return true
    }
}
