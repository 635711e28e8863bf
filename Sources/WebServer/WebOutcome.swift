import DNSWire
import HTTPWire
import Storage

/// Which part of the web server answered: the host's latency class for the request.
public enum WebEndpoint: String, Sendable, Hashable, CaseIterable {
    /// `/nic/update` spoken as classic dyndns2.
    case dyndns2
    /// IPv64's updater (`/nic/update` with IPv64 credentials or parameters, `/update`, `/update.php`).
    case ipv64
    /// The REST API (`/api/v1`).
    case api
    /// The dashboard pages.
    case dashboard
    /// Anything else: unknown paths, helpers, requests that did not parse.
    case other
}

/// One host and family an accepted update confirmed: the value now stored and the zone's serial
/// after the commit. Given for `good` and `nochg` alike.
public struct AcknowledgedUpdate: Sendable, Hashable {
    /// The owner name.
    public var hostname: DNSName
    /// `.a` or `.aaaa`.
    public var type: RRType
    /// One address of the RRset now stored.
    public var value: IPAddress
    /// The zone's SOA serial after the transaction.
    public var serial: UInt32

    /// An acknowledgement with every field given.
    public init(hostname: DNSName, type: RRType, value: IPAddress, serial: UInt32) {
        self.hostname = hostname
        self.type = type
        self.value = value
        self.serial = serial
    }
}

/// What handling one request produced: the response and, when something was committed, what the
/// host must tell the rest of the system. Everything listed was committed before the response
/// was built.
public struct WebOutcome: Sendable {
    /// The response to send.
    public var response: HTTPResponse
    /// Which endpoint answered.
    public var endpoint: WebEndpoint
    /// Zone changes committed, in order (the host hands them to the primary, which NOTIFYs).
    /// Only changes that changed something: a request answered only `nochg` commits none.
    public var committed: [ChangeResult]
    /// Names whose cached answers the balancers must expunge (owners of changed RRsets), in order.
    public var purgeNames: [DNSName]
    /// Per host and family: the value now stored and the serial, for `good` and `nochg`.
    public var acknowledged: [AcknowledgedUpdate]
    /// Reason codes of refusals (`UpdateCode.rawValue`): one per refused request, or one per
    /// refused host of a request that was otherwise answered.
    public var rejections: [String]
    /// The response to send instead when the group transaction holding this request's writes
    /// fails to commit (`WebServer.handle(group:)`); nil: a generic storage failure.
    var ifNotCommitted: HTTPResponse?

    /// An outcome with every field given.
    public init(response: HTTPResponse, endpoint: WebEndpoint, committed: [ChangeResult] = [],
                purgeNames: [DNSName] = [], acknowledged: [AcknowledgedUpdate] = [], rejections: [String] = []) {
        self.response = response
        self.endpoint = endpoint
        self.committed = committed
        self.purgeNames = purgeNames
        self.acknowledged = acknowledged
        self.rejections = rejections
    }
}

/// Counters of the web server since it started (in memory; for the run's report).
public struct WebServerStats: Sendable, Hashable {
    /// Requests handled.
    public var requests = 0
    /// Updater requests committed (at least one host `good` or `nochg`).
    public var acceptedUpdates = 0
    /// Hosts answered `good`.
    public var good = 0
    /// Hosts answered `nochg`.
    public var nochg = 0
    /// Transactions committed (savepoints of a group commit count one each).
    public var transactions = 0
    /// Group commits that failed (`WebServer.handle(group:)`); their writing requests were answered 911.
    public var failedGroups = 0
    /// Refusals per code, indexed like `UpdateCode.allCases`.
    private var refusals = [Int](repeating: 0, count: UpdateCode.allCases.count)

    /// Zero counters.
    public init() {}

    /// Refusals counted with `code`.
    public func refusals(_ code: UpdateCode) -> Int {
        refusals[Self.index(code)]
    }

    /// Every refusal code with its count, in `UpdateCode` order, zeros left out.
    public var refusalCounts: [(code: UpdateCode, count: Int)] {
        UpdateCode.allCases.enumerated().compactMap { index, code in
            refusals[index] > 0 ? (code, refusals[index]) : nil
        }
    }

    mutating func countRefusal(_ code: UpdateCode) {
        refusals[Self.index(code)] += 1
    }

    static func index(_ code: UpdateCode) -> Int {
        guard let index = UpdateCode.allCases.firstIndex(of: code) else { preconditionFailure("a code of the enum") }
        return index
    }
}
