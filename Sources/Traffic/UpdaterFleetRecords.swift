import DNSWire
import Determinism

/// Address families, as a set: what an address change or a request covers.
public struct FleetFamilies: OptionSet, Sendable, Hashable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let v4 = FleetFamilies(rawValue: 1)
    public static let v6 = FleetFamilies(rawValue: 2)
}

/// One address change of one customer, at the instant it took effect (what reachability after an
/// IP change is measured from).
public struct FleetIPChange: Sendable, Equatable {
    public var customer: Int
    public var at: Instant
    /// The IPv4 address before and after (equal when only the prefix changed).
    public var oldV4: IPv4Address
    public var newV4: IPv4Address
    /// The customer's IPv6 address before and after (equal when only IPv4 changed).
    public var oldV6: IPv6Address?
    public var newV6: IPv6Address?

    /// Which families changed.
    public var families: FleetFamilies {
        var families: FleetFamilies = []
        if oldV4 != newV4 { families.insert(.v4) }
        if oldV6 != newV6 { families.insert(.v6) }
        return families
    }
}

/// One update request and how it ended.
public struct FleetRequest: Sendable, Equatable {
    public var customer: Int
    /// Index into the fleet's `models`.
    public var model: Int
    /// The families the request sets.
    public var families: FleetFamilies
    /// The instant the client started it (opened the connection).
    public var sentAt: Instant
    /// When the response arrived, or when the client gave up (network failure, timeout); nil
    /// while in flight.
    public var answeredAt: Instant?
    /// The HTTP status; nil without a response.
    public var status: Int?
    /// The first word of the body (the dyndns2 code: `good`, `nochg`, `badauth`, `911`, …), or
    /// `network` (no connection, or closed before the answer), or `timeout`; empty in flight.
    public var code: String
    /// The values the request asks for.
    public var v4: IPv4Address?
    public var v6: IPv6Address?
    /// True when it repeats a failed update (error retry, not a regular check).
    public var isRetry: Bool
    /// The server that answered (or was tried last).
    public var server: Int
}

/// How often one code was seen.
public struct FleetCodeCount: Sendable, Equatable {
    public var code: String
    public var count: Int
}

/// Counters for one model.
public struct FleetModelCounters: Sendable, Equatable {
    /// Requests started.
    public var sent = 0
    /// Requests the model judged successful (ddclient counts `nochg` among them).
    public var succeeded = 0
    /// Requests the model judged failed (cron judges nothing: neither counter moves).
    public var failed = 0
    public var good = 0
    public var nochg = 0
    /// Requests without a response: no connection on any server, or closed before the answer.
    public var network = 0
    public var timeouts = 0
    /// Requests that repeat a failed update.
    public var retries = 0
    /// Connections retried on the next server after a failed connect.
    public var failovers = 0
    /// Clients that stopped updating for good (inadyn after a fatal answer).
    public var exited = 0
    /// Every code seen (first body word, `network`, `timeout`), sorted by code.
    public var codes: [FleetCodeCount] = []

    public init() {}

    mutating func count(code: String) {
        var low = 0
        var high = codes.count
        while low < high {
            let mid = (low + high) / 2
            if codes[mid].code < code { low = mid + 1 } else { high = mid }
        }
        if low < codes.count && codes[low].code == code {
            codes[low].count += 1
        } else {
            codes.insert(FleetCodeCount(code: code, count: 1), at: low)
        }
    }

    /// How often `code` was seen.
    public func count(of code: String) -> Int { codes.first { $0.code == code }?.count ?? 0 }
}
