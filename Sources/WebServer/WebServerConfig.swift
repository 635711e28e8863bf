import Determinism
import DNSWire

/// A class of customer account: how many updater requests it may make per day (IPv64's
/// `dyndns_update_limit`, 48 for the standard class; https://ipv64.net/dyndns_updater_api).
public struct AccountClass: Sendable, Hashable {
    /// The class name stored in `lab_accounts.class`.
    public var name: String
    /// Accepted updater requests per account and scenario day (reset at 00:00 of scenario time).
    public var dailyUpdateLimit: Int

    /// A class `name` allowing `dailyUpdateLimit` accepted updates a day.
    public init(name: String, dailyUpdateLimit: Int) {
        precondition(dailyUpdateLimit >= 0, "a daily limit is not negative")
        self.name = name
        self.dailyUpdateLimit = dailyUpdateLimit
    }

    /// IPv64's standard class: 48 updates per 24 h.
    public static let standard = AccountClass(name: "standard", dailyUpdateLimit: 48)
}

/// The web server's settings: which zones hold customers' domains, the run's epoch, the limits and
/// the address policy. The limits and their reasons are documented on `WebServer`.
public struct WebServerConfig: Sendable, Equatable {
    /// PowerDNS zones (in the same database) under which customers' domains live, e.g. `dyn.example`.
    public var providerZones: [DNSName]
    /// Unix seconds at virtual time zero: dates of log rows, serials and scenario days.
    public var epochSeconds: Int64
    /// Account classes by name; an account whose class is missing here gets the first class's
    /// limit (and `standard` when the list is empty).
    public var accountClasses: [AccountClass]
    /// Updater requests admitted per token within `requestWindow` (IPv64: 3 in 10 s).
    public var requestsPerWindow: Int
    /// The sliding window of `requestsPerWindow`.
    public var requestWindow: SimDuration
    /// Consecutive `nochg` answers for one host (within `abuseWindow`) after which the host is
    /// blocked for `abuseBlock` and answers `abuse`.
    public var abuseNochgLimit: Int
    /// Consecutive `nochg` answers further apart than this start a new count.
    public var abuseWindow: SimDuration
    /// How long a blocked host answers `abuse`.
    public var abuseBlock: SimDuration
    /// Hosts per request before the whole request is answered `numhost` (Dyn: 20).
    public var maxHostsPerRequest: Int
    /// Whether private, loopback, link-local, unique-local, multicast and other reserved addresses
    /// may be stored (documentation and benchmarking ranges are always allowed).
    public var allowPrivateAddresses: Bool
    /// TTL of address RRsets the updater creates (an existing RRset keeps its TTL).
    public var recordTTL: UInt32

    /// Settings with IPv64's published limits as defaults.
    public init(
        providerZones: [DNSName], epochSeconds: Int64, accountClasses: [AccountClass] = [.standard],
        requestsPerWindow: Int = 3, requestWindow: SimDuration = .seconds(10), abuseNochgLimit: Int = 5,
        abuseWindow: SimDuration = .seconds(86_400), abuseBlock: SimDuration = .seconds(3_600),
        maxHostsPerRequest: Int = 20, allowPrivateAddresses: Bool = false, recordTTL: UInt32 = 60
    ) {
        precondition(epochSeconds >= 0, "the epoch is seconds since 1970")
        precondition(requestsPerWindow >= 1 && requestWindow > .zero, "a request window admits something")
        precondition(abuseNochgLimit >= 1 && abuseBlock >= .zero, "abuse limits are positive")
        precondition(maxHostsPerRequest >= 1, "a request may name one host")
        self.providerZones = providerZones
        self.epochSeconds = epochSeconds
        self.accountClasses = accountClasses
        self.requestsPerWindow = requestsPerWindow
        self.requestWindow = requestWindow
        self.abuseNochgLimit = abuseNochgLimit
        self.abuseWindow = abuseWindow
        self.abuseBlock = abuseBlock
        self.maxHostsPerRequest = maxHostsPerRequest
        self.allowPrivateAddresses = allowPrivateAddresses
        self.recordTTL = recordTTL
    }

    /// The daily limit of the class named `name`.
    public func dailyLimit(ofClass name: String) -> Int {
        if let match = accountClasses.first(where: { $0.name == name }) { return match.dailyUpdateLimit }
        return (accountClasses.first ?? .standard).dailyUpdateLimit
    }

    /// The scenario day (days since 1970 in scenario time) of `now`: the daily budget resets when it
    /// changes, at 00:00 UTC of scenario time.
    public func day(at now: Instant) -> Int64 {
        (epochSeconds + Int64(now.seconds)) / 86_400
    }

    /// Unix seconds of `now`.
    public func unixSeconds(at now: Instant) -> Int64 {
        epochSeconds + Int64(now.seconds)
    }
}
