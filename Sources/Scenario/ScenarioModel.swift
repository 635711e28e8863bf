import Balancer
import DNSWire
import Determinism

/// A validated scenario (schema version 1): what `ddnslab run` simulates and how it is judged.
///
/// Produced by `ScenarioLoader` from YAML; every field here has passed validation, so the compiler
/// into simulator configuration never fails on user input. Positions (`SourcePosition`) are kept
/// for the fields that later stages may still report on (hosts named in faults, expectations).
public struct Scenario: Sendable, Equatable {
    public var version: Int
    public var name: String
    public var seed: UInt64
    public var duration: SimDuration
    /// Wall-clock date of virtual time zero, as seconds since 1970 (for date-like values only).
    public var epochSeconds: Int64
    public var sites: [Site]
    public var links: [Link]
    public var nameservers: [NameserverSpec]
    public var zoneFiles: [String]
    public var workload: [ResolverPopulationSpec]
    /// Zone changes committed on primaries (workload items of kind `changes`), in file order.
    public var changes: [ChangeStreamSpec]
    public var faults: [FaultSpec]
    public var randomFaults: RandomFaultSpec?
    public var expectations: [Expectation]
    /// The load balancers clients reach, in declaration order (none: clients query nameservers
    /// directly).
    public var balancers: [BalancerSpec] = []
    /// What every balancer runs (the scenario's `dnsdist` section).
    public var balancerConfig = BalancerConfig()
    /// The hoster's DoS filter in front of the public hosts (`edge`), if any.
    public var edge: EdgeSpec?
    /// The web server, its customers, their update clients and address changes (issue 6).
    public var webPart = WebPart()
    /// Captures replayed through the cluster (workload items `replay`), in file order.
    public var replays: [ReplaySpec] = []
    /// Scheduled backups of a primary's database (issue 7).
    public var backups: BackupSpec?
    /// The SHA-256-free stable digest of the scenario's bytes (FNV-1a 64), for the report.
    public var sourceDigest: UInt64

    public init(
        version: Int = 1, name: String, seed: UInt64, duration: SimDuration, epochSeconds: Int64 = 1_767_225_600,
        sites: [Site], links: [Link], nameservers: [NameserverSpec], zoneFiles: [String],
        workload: [ResolverPopulationSpec], changes: [ChangeStreamSpec] = [], faults: [FaultSpec] = [],
        randomFaults: RandomFaultSpec? = nil, expectations: [Expectation] = [], sourceDigest: UInt64 = 0
    ) {
        self.version = version
        self.name = name
        self.seed = seed
        self.duration = duration
        self.epochSeconds = epochSeconds
        self.sites = sites
        self.links = links
        self.nameservers = nameservers
        self.zoneFiles = zoneFiles
        self.workload = workload
        self.changes = changes
        self.faults = faults
        self.randomFaults = randomFaults
        self.expectations = expectations
        self.sourceDigest = sourceDigest
    }
}

/// A line and column in a scenario file (both from 1).
public struct SourcePosition: Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
    public var description: String { "\(line):\(column)" }
}

/// A named place hosts live in (a data centre such as fsn1, or an "internet" client region).
public struct Site: Sendable, Equatable {
    public var name: String
    /// The networks hosts at this site attach to, e.g. ["public", "internal"].
    public var networks: [String]
    /// One-way latency between two hosts at this same site.
    public var localLatency: LatencySpec

    public init(name: String, networks: [String], localLatency: LatencySpec = LatencySpec(base: .microseconds(100))) {
        self.name = name
        self.networks = networks
        self.localLatency = localLatency
    }
}

/// One-way latency of a path: a fixed base, plus random jitter, plus a rare heavy tail.
public struct LatencySpec: Sendable, Equatable {
    public var base: SimDuration
    public var jitter: Distribution?
    /// With probability `tailPartsPerMillion`, an extra delay drawn from `tail` is added.
    public var tail: Distribution?
    public var tailPartsPerMillion: UInt32

    public init(base: SimDuration, jitter: Distribution? = nil, tail: Distribution? = nil, tailPartsPerMillion: UInt32 = 0) {
        self.base = base
        self.jitter = jitter
        self.tail = tail
        self.tailPartsPerMillion = tailPartsPerMillion
    }
}

/// A random duration distribution; parameters in nanoseconds.
public enum Distribution: Sendable, Equatable {
    case constant(SimDuration)
    case uniform(SimDuration, SimDuration)
    case exponential(mean: SimDuration)
    case normal(mean: SimDuration, standardDeviation: SimDuration)
    /// e^N(log median, sigma)
    case logNormal(median: SimDuration, sigma: Double)
    case pareto(minimum: SimDuration, alpha: Double)
}

/// A bidirectional path between two sites with its impairments.
public struct Link: Sendable, Equatable {
    public var between: (String, String)
    public var latency: LatencySpec
    public var lossPartsPerMillion: UInt32
    public var duplicatePartsPerMillion: UInt32
    /// Share of packets held back by `reorderDelay` so that later ones overtake them.
    public var reorderPartsPerMillion: UInt32
    public var reorderDelay: SimDuration

    public init(
        between: (String, String), latency: LatencySpec, lossPartsPerMillion: UInt32 = 0,
        duplicatePartsPerMillion: UInt32 = 0, reorderPartsPerMillion: UInt32 = 0, reorderDelay: SimDuration = .milliseconds(5)
    ) {
        self.between = between
        self.latency = latency
        self.lossPartsPerMillion = lossPartsPerMillion
        self.duplicatePartsPerMillion = duplicatePartsPerMillion
        self.reorderPartsPerMillion = reorderPartsPerMillion
        self.reorderDelay = reorderDelay
    }

    public static func == (lhs: Link, rhs: Link) -> Bool {
        lhs.between == rhs.between && lhs.latency == rhs.latency && lhs.lossPartsPerMillion == rhs.lossPartsPerMillion
            && lhs.duplicatePartsPerMillion == rhs.duplicatePartsPerMillion
            && lhs.reorderPartsPerMillion == rhs.reorderPartsPerMillion && lhs.reorderDelay == rhs.reorderDelay
    }
}

/// Service capacity of a server: cores, time per operation, and how many operations may wait.
public struct CapacitySpec: Sendable, Equatable {
    public var cores: Int
    public var serviceTime: SimDuration
    public var queueLimit: Int

    public init(cores: Int = 2, serviceTime: SimDuration = .microseconds(20), queueLimit: Int = 1024) {
        self.cores = cores
        self.serviceTime = serviceTime
        self.queueLimit = queueLimit
    }
}

/// An authoritative nameserver: answers from the zones, alone or as a primary or secondary of a
/// replication cluster (`role`).
public struct NameserverSpec: Sendable, Equatable {
    public var name: String
    public var site: String
    /// Networks it is reachable on; clients reach it only over a network they share.
    public var networks: [String]
    public var capacity: CapacitySpec
    /// Its part in replication; `.authoritative` (no transfers) unless the scenario says otherwise.
    public var role: NameserverRole
    public var position: SourcePosition?

    public init(name: String, site: String, networks: [String], capacity: CapacitySpec = CapacitySpec(),
                role: NameserverRole = .authoritative, position: SourcePosition? = nil) {
        self.name = name
        self.site = site
        self.networks = networks
        self.capacity = capacity
        self.role = role
        self.position = position
    }
}

/// A dnsdist-style load balancer host.
public struct BalancerSpec: Sendable, Equatable {
    public var name: String
    public var site: String
    public var networks: [String]
    public var capacity: CapacitySpec
    public var position: SourcePosition?

    public init(name: String, site: String, networks: [String], capacity: CapacitySpec = CapacitySpec(),
                position: SourcePosition? = nil) {
        self.name = name
        self.site = site
        self.networks = networks
        self.capacity = capacity
        self.position = position
    }
}

/// How often a population sends queries.
public enum RateSpec: Sendable, Equatable {
    /// Evenly spaced queries.
    case constant(perSecond: Double)
    /// Exponential inter-arrival times.
    case poisson(perSecond: Double)
    /// Poisson with a rate moving linearly from `from` to `to` over the run.
    case ramp(from: Double, to: Double)
    /// Poisson with a sinusoidal rate between trough and peak with the given period, peaking at `peakAt`.
    case diurnal(trough: Double, peak: Double, period: SimDuration, peakAt: SimDuration)

    /// The mean rate at `elapsed` into a run of `duration`.
    public func rate(at elapsed: SimDuration, duration: SimDuration) -> Double {
        switch self {
        case .constant(let perSecond), .poisson(let perSecond): return perSecond
        case .ramp(let from, let to):
            let share = duration.nanoseconds > 0 ? Double(elapsed.nanoseconds) / Double(duration.nanoseconds) : 0
            return from + (to - from) * min(1, max(0, share))
        case .diurnal(let trough, let peak, let period, let peakAt):
            // A cosine without libm: cos(2πx) by the even Taylor series after range reduction.
            let phase = Double((elapsed - peakAt).nanoseconds % max(1, period.nanoseconds)) / Double(period.nanoseconds)
            return trough + (peak - trough) * (1 + cosTwoPi(phase)) / 2
        }
    }
}

/// Whether a population is judged (legitimate) or is the attack a scenario defends against.
public enum PopulationRole: String, Sendable, Equatable, CaseIterable {
    case legitimate
    case attack
}

/// cos(2π x) with only basic IEEE operations (deterministic across machines).
func cosTwoPi(_ x: Double) -> Double {
    var t = x - x.rounded(.down)  // [0, 1)
    if t > 0.5 { t = 1 - t }  // cos is symmetric
    let angle = 2 * 3.141_592_653_589_793 * t  // [0, π]
    var term = 1.0
    var sum = 1.0
    let square = angle * angle
    var n = 1.0
    while n <= 30 {
        term *= -square / ((2 * n - 1) * (2 * n))
        sum += term
        n += 1
    }
    return sum
}

/// A population of stub or recursive resolvers sending queries.
public struct ResolverPopulationSpec: Sendable, Equatable {
    public var name: String
    public var count: Int
    public var site: String
    /// The nameservers queried; a client picks one at random per query (like a resolver's server list).
    public var targets: [String]
    public var rate: RateSpec
    /// Query types with weights in parts per million (summing to 1,000,000).
    public var queryTypes: [(RRType, UInt32)]
    /// Zipf exponent of name popularity over the zone's names.
    public var zipfExponent: Double
    /// Share of queries for names that do not exist.
    public var nxdomainPartsPerMillion: UInt32
    /// Share of queries sent with EDNS, and the payload sizes drawn uniformly.
    public var ednsPartsPerMillion: UInt32
    public var ednsSizes: [UInt16]
    public var timeout: SimDuration
    public var retries: Int
    public var tcpFallback: Bool
    /// Legitimate traffic is what availability and collateral damage are judged on; attack traffic
    /// is what the balancers must stop.
    public var role: PopulationRole = .legitimate
    /// The population sends from `start` until `stop` (offsets from the run's start); the whole run
    /// when absent.
    public var start: SimDuration?
    public var stop: SimDuration?
    /// NXDOMAIN-share names are random labels under these names (random-subdomain attack).
    public var randomSubdomainOf: [DNSName] = []
    /// When not empty, queries ask these names only.
    public var fixedNames: [DNSName] = []
    /// Share of sends that are random bytes.
    public var malformedPartsPerMillion: UInt32 = 0
    /// Queries carry the addresses of this population as their source (reflection): the answers go
    /// to its clients, who never asked.
    public var spoof: String?
    /// How queries travel: UDP (Do53/UDP), TCP, DoT or DoH; over a connection each client keeps
    /// one open per target and pipelines on it.
    public var transport: FrontendProtocol = .do53UDP
    /// Slow or idle connections: each client holds `perClient` connections open.
    public var hold: ConnectionHoldSpec?
    /// Every query leaves from this source port (an amplification vector such as NTP's 123);
    /// nil: a random port per query.
    public var sourcePort: UInt16?

    public init(
        name: String, count: Int, site: String, targets: [String], rate: RateSpec,
        queryTypes: [(RRType, UInt32)] = [(.a, 1_000_000)], zipfExponent: Double = 1.1,
        nxdomainPartsPerMillion: UInt32 = 0, ednsPartsPerMillion: UInt32 = 1_000_000, ednsSizes: [UInt16] = [1232],
        timeout: SimDuration = .seconds(2), retries: Int = 2, tcpFallback: Bool = true
    ) {
        self.name = name
        self.count = count
        self.site = site
        self.targets = targets
        self.rate = rate
        self.queryTypes = queryTypes
        self.zipfExponent = zipfExponent
        self.nxdomainPartsPerMillion = nxdomainPartsPerMillion
        self.ednsPartsPerMillion = ednsPartsPerMillion
        self.ednsSizes = ednsSizes
        self.timeout = timeout
        self.retries = retries
        self.tcpFallback = tcpFallback
    }

    public static func == (lhs: ResolverPopulationSpec, rhs: ResolverPopulationSpec) -> Bool {
        lhs.name == rhs.name && lhs.count == rhs.count && lhs.site == rhs.site && lhs.targets == rhs.targets
            && lhs.rate == rhs.rate && lhs.queryTypes.map(\.0) == rhs.queryTypes.map(\.0)
            && lhs.queryTypes.map(\.1) == rhs.queryTypes.map(\.1) && lhs.zipfExponent == rhs.zipfExponent
            && lhs.nxdomainPartsPerMillion == rhs.nxdomainPartsPerMillion
            && lhs.ednsPartsPerMillion == rhs.ednsPartsPerMillion && lhs.ednsSizes == rhs.ednsSizes
            && lhs.timeout == rhs.timeout && lhs.retries == rhs.retries && lhs.tcpFallback == rhs.tcpFallback
    }
}

/// A fault on the timeline.
public struct FaultSpec: Sendable, Equatable {
    public var at: SimDuration
    /// How long it lasts; nil means until the end of the run.
    public var duration: SimDuration?
    public var kind: FaultKind
    public var position: SourcePosition?

    public init(at: SimDuration, duration: SimDuration?, kind: FaultKind, position: SourcePosition? = nil) {
        self.at = at
        self.duration = duration
        self.kind = kind
        self.position = position
    }
}

public enum FaultKind: Sendable, Equatable {
    /// The host stops; memory is lost, disk kept; it restarts when the fault ends.
    case crash(host: String)
    /// The host stops processing: what arrives is dropped until the fault ends.
    case hang(host: String)
    /// Service times are multiplied by `factor`.
    case slow(host: String, factor: Int)
    /// Traffic from `from` to `to` sites is dropped; both directions unless `oneWay`.
    case partition(from: String, to: String, oneWay: Bool)
    /// A link gets extra latency and loss.
    case degrade(between: (String, String), extraLatency: SimDuration, lossPartsPerMillion: UInt32)
    /// The host's clock runs `offset` ahead (negative: behind).
    case clockSkew(host: String, offset: SimDuration)
    /// The database of `host` (the backups' primary, and the web server sharing it) is gone: its
    /// files are deleted and the services on it stop until a `restore` (docs/backups.md).
    case loseDatabase(host: String)
    /// The database file of `host` is damaged on disk (every page after the first overwritten); the
    /// services on it stop until a `restore`.
    case corruptDatabase(host: String)
    /// The database of `host` is restored from a snapshot (nil: the latest verified one), and the
    /// services on it start again from it alone.
    case restore(host: String, snapshot: Int?)

    /// True for the kinds that act on a database (instants, without `for`).
    public var isDatabaseStep: Bool {
        switch self {
        case .loseDatabase, .corruptDatabase, .restore: true
        default: false
        }
    }

    public var label: String {
        switch self {
        case .crash: "crash"
        case .hang: "hang"
        case .slow: "slow"
        case .partition: "partition"
        case .degrade: "degrade"
        case .clockSkew: "clock_skew"
        case .loseDatabase: "lose_database"
        case .corruptDatabase: "corrupt_database"
        case .restore: "restore"
        }
    }

    public static func == (lhs: FaultKind, rhs: FaultKind) -> Bool {
        switch (lhs, rhs) {
        case (.crash(let a), .crash(let b)), (.hang(let a), .hang(let b)): a == b
        case (.slow(let a, let f), .slow(let b, let g)): a == b && f == g
        case (.partition(let a, let b, let c), .partition(let d, let e, let f)): a == d && b == e && c == f
        case (.degrade(let a, let b, let c), .degrade(let d, let e, let f)): a == d && b == e && c == f
        case (.clockSkew(let a, let b), .clockSkew(let c, let d)): a == c && b == d
        case (.loseDatabase(let a), .loseDatabase(let b)), (.corruptDatabase(let a), .corruptDatabase(let b)): a == b
        case (.restore(let a, let b), .restore(let c, let d)): a == c && b == d
        default: false
        }
    }
}

/// Faults drawn at random from the run's seed.
public struct RandomFaultSpec: Sendable, Equatable {
    public var kinds: [String]
    public var meanInterval: SimDuration
    public var minimumDuration: SimDuration
    public var maximumDuration: SimDuration
    /// No fault starts at or after this instant and each ends by it (nil: the end of the run).
    /// Not a scenario key: seed sweeps set it so that the cluster has time to heal before the end.
    public var until: SimDuration?

    public init(kinds: [String], meanInterval: SimDuration, minimumDuration: SimDuration, maximumDuration: SimDuration,
                until: SimDuration? = nil) {
        self.kinds = kinds
        self.meanInterval = meanInterval
        self.minimumDuration = minimumDuration
        self.maximumDuration = maximumDuration
        self.until = until
    }
}

/// A threshold on a report figure that decides pass or fail, e.g. `legit.latency.p99 < 60ms`.
public struct Expectation: Sendable, Equatable {
    public enum Comparison: String, Sendable, Equatable, CaseIterable {
        case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">=", equal = "==", notEqual = "!="
    }

    /// The figure's path in the report, e.g. `legit.latency.p99`.
    public var figure: String
    public var comparison: Comparison
    /// The threshold in the figure's unit (milliseconds for latencies, percent for availability).
    public var threshold: Double
    /// The threshold as written, for messages.
    public var text: String
    public var position: SourcePosition?

    public init(figure: String, comparison: Comparison, threshold: Double, text: String, position: SourcePosition? = nil) {
        self.figure = figure
        self.comparison = comparison
        self.threshold = threshold
        self.text = text
        self.position = position
    }

    public func holds(for value: Double) -> Bool {
        switch comparison {
        case .less: value < threshold
        case .lessOrEqual: value <= threshold
        case .greater: value > threshold
        case .greaterOrEqual: value >= threshold
        case .equal: value == threshold
        case .notEqual: value != threshold
        }
    }
}

/// `hold_connections`: a slow/idle connection attack (see `ConnectionHold` in Traffic).
public struct ConnectionHoldSpec: Sendable, Equatable {
    public var perClient: Int
    /// One query per connection at this interval (slow); nil sends nothing (idle).
    public var sendEvery: SimDuration?

    public init(perClient: Int, sendEvery: SimDuration?) {
        self.perClient = perClient
        self.sendEvery = sendEvery
    }
}

/// `edge`: the hoster's upstream DoS filter in front of some hosts (see `EdgeFilterConfig` in
/// SimNet): source ports dropped, packet-rate limits per source and in total. 0: no limit.
public struct EdgeSpec: Sendable, Equatable {
    /// Hosts behind the filter, in the order given.
    public var protect: [String]
    public var dropSourcePorts: [UInt16]
    public var maxPacketsPerSecondPerSource: Int
    public var maxPacketsPerSecond: Int

    public init(protect: [String], dropSourcePorts: [UInt16] = [], maxPacketsPerSecondPerSource: Int = 0,
                maxPacketsPerSecond: Int = 0) {
        self.protect = protect
        self.dropSourcePorts = dropSourcePorts
        self.maxPacketsPerSecondPerSource = maxPacketsPerSecondPerSource
        self.maxPacketsPerSecond = maxPacketsPerSecond
    }
}
