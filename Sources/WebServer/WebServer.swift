import Determinism
import DNSWire
import HTTPWire
import Storage

/// The provider's web server as a sans-IO component: an HTTP request, the peer's address and the
/// current instant in; a response and what was committed out (issue 6).
///
/// Endpoints: the dyndns2 updater `/nic/update` (GET, or POST with a form body), IPv64's updater
/// (`/nic/update`, `/update`, `/update.php`), the REST API under `/api/v1` and the dashboard
/// (`API/`). Anything else is 404.
///
/// **Transactions.** A request first reads what it needs (token, budget, the targeted records) in
/// one read transaction, then decides without touching the database, then — only if at least one
/// host was accepted — commits the zone changes (with their SOA serial bumps), the update-log rows,
/// the day's counters and the token's `last_used` in ONE write transaction, before the response is
/// built. A refused request (bad input, bad credentials, out of scope, a limit) writes nothing: the
/// database file stays byte for byte as it was. Refusals are counted in memory only (`stats`).
///
/// **Tokens** (IPv64's model): an account token may update every domain of its account (several
/// per request), a domain token its domain and names below it, a record token exactly its record
/// (owner and type). API keys are refused on the updater. Credentials are looked for in Bearer,
/// `key`, either half of Basic, `token`, `pass`/`password`, `user`/`username`, in that order.
///
/// **Limits** (IPv64's published ones as defaults; `WebServerConfig`):
/// - 3 requests per 10 s per token (`RateLimiter`, sliding window, in memory): 429.
/// - A daily budget per account class (standard: 48 accepted requests a day; a request that
///   accepted at least one host counts once, `good` or `nochg`), reset at 00:00 UTC of scenario
///   time, counted in `lab_stats` in the update's transaction: 429, body "Updateintervall".
/// - Repeated `nochg` (`AbuseTracker`, in memory): the 5th consecutive `nochg` for a host within
///   24 h blocks it for 1 h; meanwhile it answers `abuse` (dyndns2: 200, IPv64: 429).
/// - At most 20 hosts per request (`numhost`).
/// In-memory state (the rate window and abuse blocks) is lost when the web server crashes.
///
/// **User-Agent**: a present but empty User-Agent, or one starting with an entry of
/// `blockedUserAgents`, is answered `badagent`; a missing one is accepted (many scripts send none).
///
/// Statuses and bodies per dialect: `UpdateResponse`. Address policy: `AddressPolicy`. Host name
/// syntax: `HostnameSyntax`.
public struct WebServer {
    /// The database: zones and the `lab_` tables.
    public let store: WebStore
    /// The settings.
    public let config: WebServerConfig
    /// Counters since the start (in memory).
    public internal(set) var stats = WebServerStats()
    var rateLimiter: RateLimiter
    var abuse: AbuseTracker

    /// User-Agent prefixes (case-insensitive) answered `badagent`.
    public var blockedUserAgents: [String] = []
    /// The REST API under `/api/v1` with its limits and in-memory counters (`API/RESTAPI.swift`).
    public var api = RESTAPI()

    /// A web server over `store` (whose migrations `ZoneStore` has applied). Throws when a
    /// provider zone is missing from the store.
    public init(store: ZoneStore, config: WebServerConfig) throws(StorageError) {
        for zone in config.providerZones where try store.zone(zone) == nil {
            throw StorageError.zoneNotFound(zone)
        }
        self.store = WebStore(zones: store)
        self.config = config
        rateLimiter = RateLimiter(limit: config.requestsPerWindow, window: config.requestWindow)
        abuse = AbuseTracker(limit: config.abuseNochgLimit, window: config.abuseWindow, block: config.abuseBlock)
    }

    /// Handles one request from `peer` at `now`.
    public mutating func handle(_ request: HTTPRequest, peer: IPAddress, now: Instant) -> WebOutcome {
        stats.requests += 1
        let outcome = route(request, peer: peer, now: now)
        for code in outcome.rejections.compactMap(UpdateCode.init(rawValue:)) { stats.countRefusal(code) }
        return outcome
    }

    /// Parses `requestBytes` (one complete HTTP/1.x request) and handles it. Bytes that do not
    /// parse are answered with the parse error's status (400, 413, 414, 431, 501, 505) and
    /// `Connection: close`; nothing is read or written.
    public mutating func handle(requestBytes: [UInt8], peer: IPAddress, now: Instant) -> WebOutcome {
        do {
            let request = try HTTPRequestParser.parse(requestBytes)
            return handle(request, peer: peer, now: now)
        } catch {
            stats.requests += 1
            stats.countRefusal(.badhttp)
            return WebOutcome(response: .parseFailure(error), endpoint: .other,
                              rejections: [UpdateCode.badhttp.rawValue])
        }
    }

    mutating func route(_ request: HTTPRequest, peer: IPAddress, now: Instant) -> WebOutcome {
        switch request.path {
        case "/nic/update":
            return handleUpdate(request, peer: peer, now: now, forcedDialect: nil, json: false)
        case "/update":
            return handleUpdate(request, peer: peer, now: now, forcedDialect: .ipv64, json: false)
        case "/update.php":
            if request.query.contains(where: { $0.name == "howismyip" }) { return whatIsMyIP(peer, json: true) }
            return handleUpdate(request, peer: peer, now: now, forcedDialect: .ipv64, json: true)
        case "/nic/checkip", "/ipcheck.php":
            return whatIsMyIP(peer, json: false)
        default:
            if let outcome = routeAPI(request, peer: peer, now: now) { return outcome }
            let refusal = UpdateRefusal(.notfound, "no such path")
            return WebOutcome(response: UpdateResponse.refusal(refusal, status: 404, format: .text, config: config),
                              endpoint: .other, rejections: [UpdateCode.notfound.rawValue])
        }
    }

    /// The peer's address: dyndns2's checkip page and IPv64's `howismyip` (`{"ip": …}`).
    func whatIsMyIP(_ peer: IPAddress, json: Bool) -> WebOutcome {
        let response: HTTPResponse = json
            ? .json(status: 200, ["ip": .string(peer.description)])
            : .text(status: 200, "Current IP Address: \(peer)\n")
        return WebOutcome(response: response, endpoint: .other)
    }
}
