import DNSWire
import Determinism

/// The web server: updater endpoints, REST API and dashboard, on the database of a primary
/// (scenario section `web`).
public struct WebSpec: Sendable, Equatable {
    public var name: String
    public var site: String
    public var networks: [String]
    /// Service time per request and cores: an update costs a commit.
    public var capacity: CapacitySpec
    /// The primary whose database the web server writes (and which it tells of each commit).
    public var primary: String
    public var limits: WebLimitsSpec
    public var position: SourcePosition

    public init(name: String, site: String, networks: [String], capacity: CapacitySpec = CapacitySpec(cores: 2, serviceTime: .milliseconds(1)),
                primary: String, limits: WebLimitsSpec = WebLimitsSpec(), position: SourcePosition = SourcePosition(line: 0, column: 0)) {
        self.name = name
        self.site = site
        self.networks = networks
        self.capacity = capacity
        self.primary = primary
        self.limits = limits
        self.position = position
    }
}

/// IPv64's published limits, and our abuse rule for repeated `nochg`.
public struct WebLimitsSpec: Sendable, Equatable {
    /// Updates per account per day of scenario time (IPv64's standard class: 48).
    public var dailyUpdates: Int = 48
    /// Requests per token within `window` (IPv64: 3 per 10 s).
    public var requestsPerWindow: Int = 3
    public var window: SimDuration = .seconds(10)
    /// Consecutive `nochg` answers for one host before it is blocked for `abuseBlock`.
    public var abuseNochg: Int = 5
    public var abuseBlock: SimDuration = .seconds(3600)

    public init() {}
}

/// The provider's customers: one account, domain and A record (and AAAA for a share) each, under
/// `zone` (scenario section `customers`).
public struct CustomersSpec: Sendable, Equatable {
    public var count: Int
    public var zone: DNSName
    public var ttl: UInt32
    /// Customers with an AAAA record too, in parts per million.
    public var ipv6PartsPerMillion: UInt32
    public var position: SourcePosition

    public init(count: Int, zone: DNSName, ttl: UInt32 = 60, ipv6PartsPerMillion: UInt32 = 0, position: SourcePosition = SourcePosition(line: 0, column: 0)) {
        self.count = count
        self.zone = zone
        self.ttl = ttl
        self.ipv6PartsPerMillion = ipv6PartsPerMillion
        self.position = position
    }
}

/// The update clients dyndns.md §4 describes.
public enum UpdaterModelKind: String, Sendable, CaseIterable {
    case ddclient, inadyn, fritzbox, cron
}

/// A population of update clients: a share of the customers running one client model (workload
/// item `updaters`).
public struct UpdaterPopulationSpec: Sendable, Equatable {
    public var name: String
    public var model: UpdaterModelKind
    /// The share of all customers, in parts per million; populations take customers in file order.
    public var sharePartsPerMillion: UInt32
    public var site: String
    /// The model's check or update interval (ddclient `daemon`, inadyn `period`, cron's schedule).
    public var interval: SimDuration?
    /// These clients send a wrong token (a misconfigured fleet).
    public var badToken: Bool = false
    public var start: SimDuration = .zero
    public var position: SourcePosition

    public init(name: String, model: UpdaterModelKind, sharePartsPerMillion: UInt32, site: String, interval: SimDuration? = nil,
                position: SourcePosition = SourcePosition(line: 0, column: 0)) {
        self.name = name
        self.model = model
        self.sharePartsPerMillion = sharePartsPerMillion
        self.site = site
        self.interval = interval
        self.position = position
    }
}

/// How customers' addresses change (workload item `ip_changes`).
public struct IPChangeSpec: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The German ISPs' forced reconnect once a day at `at` (seconds after midnight of
        /// scenario time) plus a uniform jitter below `spread`.
        case dailyReconnect(at: Int64, spread: SimDuration)
        /// Exponential times between changes, per customer.
        case random(meanInterval: SimDuration)
    }

    public var kind: Kind
    /// The customers affected, in parts per million (drawn per customer from the seed).
    public var sharePartsPerMillion: UInt32 = 1_000_000
    /// A reconnect also brings a new IPv6 /64 prefix.
    public var ipv6Prefix: Bool = true
    public var position: SourcePosition

    public init(kind: Kind, position: SourcePosition = SourcePosition(line: 0, column: 0)) {
        self.kind = kind
        self.position = position
    }
}

extension Scenario {
    /// The web server, customers, update clients and address changes of the scenario.
    public struct WebPart: Sendable, Equatable {
        public var web: WebSpec?
        public var customers: CustomersSpec?
        public var updaters: [UpdaterPopulationSpec] = []
        public var ipChanges: [IPChangeSpec] = []

        public init() {}
    }
}
