import Determinism

/// The REST API's limits (documented in docs/openapi.yaml).
public struct RESTAPIConfig: Sendable, Equatable {
    /// Domains an account of a class may own, by class name (IPv64's standard class: 3).
    public var domainLimits: [String: Int]
    /// The limit of a class missing from `domainLimits`.
    public var defaultDomainLimit: Int
    /// Calls admitted per account within `callWindow` (deSEC's cheap DNS API rate: 10/s).
    public var callsPerWindow: Int
    /// The sliding window of `callsPerWindow`.
    public var callWindow: SimDuration
    /// TTLs an RRset written through the API may have (deSEC: the domain's minimum to 86400).
    public var ttlRange: ClosedRange<Int64>
    /// Records per RRset written through the API.
    public var maxRecordsPerRRset: Int
    /// Octets of one record's presentation text.
    public var maxRecordLength: Int
    /// Seed of new tokens' secrets (`TokenSecret.derive`); set from the run's seed.
    public var secretSeed: UInt64

    /// Limits with the defaults named above.
    public init(domainLimits: [String: Int] = ["standard": 3], defaultDomainLimit: Int = 3, callsPerWindow: Int = 30,
                callWindow: SimDuration = .seconds(10), ttlRange: ClosedRange<Int64> = 60...86_400,
                maxRecordsPerRRset: Int = 64, maxRecordLength: Int = 4_096, secretSeed: UInt64 = 0) {
        precondition(callsPerWindow >= 1 && callWindow > .zero, "a call window admits something")
        precondition(ttlRange.lowerBound >= 0 && ttlRange.upperBound <= Int64(Int32.max), "TTLs are 31-bit")
        precondition(maxRecordsPerRRset >= 1 && maxRecordLength >= 1, "an RRset holds a record")
        self.domainLimits = domainLimits
        self.defaultDomainLimit = defaultDomainLimit
        self.callsPerWindow = callsPerWindow
        self.callWindow = callWindow
        self.ttlRange = ttlRange
        self.maxRecordsPerRRset = maxRecordsPerRRset
        self.maxRecordLength = maxRecordLength
        self.secretSeed = secretSeed
    }

    /// The domain limit of the class named `name`.
    public func domainLimit(ofClass name: String) -> Int {
        domainLimits[name] ?? defaultDomainLimit
    }

    /// Whole seconds of the call window (at least 1), for `Retry-After`.
    var callWindowSeconds: Int64 { max(1, callWindow.nanoseconds / 1_000_000_000) }
}

/// A sliding window of calls per account, in memory: the last `limit` admitted instants of each
/// account, oldest first. Looked up only, never iterated (STYLE.md §4.3).
struct APICallWindow: Sendable {
    let limit: Int
    let window: SimDuration
    private var recent: [Int64: [Instant]] = [:]

    init(limit: Int, window: SimDuration) {
        precondition(limit >= 1, "a window admits at least one call")
        self.limit = limit
        self.window = window
    }

    /// Whether the account may call at `now`; if so, the call is counted.
    mutating func admit(account: Int64, now: Instant) -> Bool {
        // Taken out of the table, so the appends below do not copy the array.
        var instants = recent.removeValue(forKey: account) ?? []
        instants.removeFirst(instants.prefix { $0 + window <= now }.count)
        defer { recent[account] = instants }
        guard instants.count < limit else { return false }
        instants.append(now)
        return true
    }
}
