import Determinism
import DNSWire
import GRDB
import HTTPWire
import Storage

/// The REST API under `/api/v1` (docs/openapi.yaml is the contract; the tests validate every
/// response against it), a sans-IO part of the web server.
///
/// **Order of checks.** Path (404) and method (405) first, then the Bearer credential (401), the
/// account's call window (429), then per operation: the domain (400 bad name, 404 not in the
/// account, 403 outside the token's scope), the body (413, 415, 400), the change (404, 409, 422).
///
/// **Transactions.** A read runs in one read transaction. A write runs wholly inside one write
/// transaction: the domain is looked up, the scope and body checked, the zone changed through
/// `ZoneStore.apply(_:to:now:epoch:in:)` (records and SOA serial), the update-log row written and
/// the token's `last_used` set, then committed together. Any refusal throws inside the transaction,
/// which rolls back: a refused request writes nothing. Committed zone changes come back in
/// `APIOutcome.committed` with the owners to purge from caches, exactly as the updater reports them.
///
/// **Counters in memory** (lost on restart, never written): calls and refusals per account and
/// scenario day (for `/statistics`), and the sliding call window (`RESTAPIConfig`).
public struct RESTAPI: Sendable {
    /// The limits.
    public let config: RESTAPIConfig
    var window: APICallWindow
    /// Calls and refusals per account and day; looked up only, never iterated (STYLE.md §4.3).
    var dayCounters: [AccountDay: APICallCounters] = [:]
    /// Tokens made since the start: part of each new secret's label.
    var secretSequence: UInt64 = 0

    /// An API with `config`'s limits.
    public init(config: RESTAPIConfig = RESTAPIConfig()) {
        self.config = config
        window = APICallWindow(limit: config.callsPerWindow, window: config.callWindow)
    }

    /// Whether `path` belongs to the API.
    public static func handles(path: String) -> Bool {
        path == APIRoute.prefix || path.hasPrefix(APIRoute.prefix + "/")
    }

    /// Handles one API request from `peer` at `now` over `store`.
    public mutating func handle(_ request: HTTPRequest, peer: IPAddress, now: Instant, store: WebStore,
                                server: WebServerConfig) -> APIOutcome {
        var account: Int64?
        do throws(APIError) {
            let route = try APIRoute(path: request.path)
            try route.check(method: request.method)
            let scope = try Self.authenticate(request, store: store)
            account = scope.account.id
            guard window.admit(account: scope.account.id, now: now) else {
                throw APIError(status: 429, code: .rateLimited,
                               "more than \(config.callsPerWindow) calls within \(config.callWindowSeconds) s",
                               headers: [HTTPHeader("Retry-After", String(config.callWindowSeconds))])
            }
            let context = APIContext(request: request, peer: peer, now: now, store: store, server: server, scope: scope)
            let reply = try dispatch(route, context)
            count(account: scope.account.id, day: server.day(at: now), rejected: false)
            return APIOutcome(response: reply.response, committed: reply.committed, purgeNames: reply.purgeNames)
        } catch {
            if let account { count(account: account, day: server.day(at: now), rejected: true) }
            return APIOutcome(response: error.response, rejections: ["api:" + error.code.rawValue])
        }
    }

    /// The scope of the request's Bearer credential, or 401.
    static func authenticate(_ request: HTTPRequest, store: WebStore) throws(APIError) -> TokenScope {
        let bearer = request.credentials.lazy.compactMap { credentials -> String? in
            if case .bearer(let secret) = credentials { return secret }
            return nil
        }.first
        guard let bearer else { throw APIError.unauthorized }
        return try scope(secret: bearer, store: store)
    }

    /// The scope of `secret`, or 401.
    static func scope(secret: String, store: WebStore) throws(APIError) -> TokenScope {
        guard !secret.isEmpty, secret.utf8.count <= 256 else { throw APIError.unauthorized }
        let hash = TokenSecret.hash(secret)
        guard let scope = try read(store, { db in try WebStore.token(hash: hash, in: db) }) else {
            throw APIError.unauthorized
        }
        return scope
    }

    mutating func dispatch(_ route: APIRoute, _ context: APIContext) throws(APIError) -> APIReply {
        switch (route, context.request.method) {
        case (.account, _): return try getAccount(context)
        case (.domains, "GET"): return try listDomains(context)
        case (.domains, _): return try createDomain(context)
        case (.domain(let name), "GET"): return try getDomain(name, context)
        case (.domain(let name), _): return try deleteDomain(name, context)
        case (.rrsets(let domain), "GET"): return try listRRsets(domain, context)
        case (.rrsets(let domain), _): return try createRRset(domain, context)
        case (.rrset(let domain, let subname, let type), "GET"): return try getRRset(domain, subname, type, context)
        case (.rrset(let domain, let subname, let type), _): return try changeRRset(domain, subname, type, context)
        case (.tokens, "GET"): return try listTokens(context)
        case (.tokens, _): return try createToken(context)
        case (.token(let id), _): return try deleteToken(id, context)
        case (.logs, _): return try listLogs(context)
        case (.statistics, _): return try getStatistics(context)
        }
    }

    mutating func count(account: Int64, day: Int64, rejected: Bool) {
        let key = AccountDay(account: account, day: day)
        var counters = dayCounters[key] ?? APICallCounters()
        if rejected { counters.rejected += 1 } else { counters.calls += 1 }
        dayCounters[key] = counters
    }

    /// The in-memory counters of an account on a day.
    func counters(account: Int64, day: Int64) -> APICallCounters {
        dayCounters[AccountDay(account: account, day: day)] ?? APICallCounters()
    }
}

// MARK: - Transactions

extension RESTAPI {
    /// Runs `body` in one read transaction; `APIError`s pass through, storage failures are 500.
    static func read<T>(_ store: WebStore, _ body: (Database) throws -> T) throws(APIError) -> T {
        var refusal: APIError?
        do {
            return try store.zones.readTransaction { db in
                do { return try body(db) } catch let error as APIError {
                    refusal = error
                    throw error
                }
            }
        } catch {
            throw refusal ?? map(error)
        }
    }

    /// Runs `body` in one write transaction, committed only when it returns: any `APIError` rolls
    /// everything back and passes through; a change the zone refuses is 409; other storage
    /// failures are 500.
    static func write<T>(_ store: WebStore, _ body: (Database) throws -> T) throws(APIError) -> T {
        var refusal: APIError?
        do {
            return try store.zones.writeTransaction { db in
                do { return try body(db) } catch let error as APIError {
                    refusal = error
                    throw error
                }
            }
        } catch {
            throw refusal ?? map(error)
        }
    }

    static func map(_ error: StorageError) -> APIError {
        switch error {
        case .invalidChange(_, let problems):
            APIError.conflict("the zone refuses the change: " + problems.joined(separator: "; "))
        case .database(let failure) where failure.kind == .busy:
            APIError(status: 503, code: .internalFailure, "the database is busy; try again",
                     headers: [HTTPHeader("Retry-After", "1")])
        default:
            APIError.internalFailure("storage failed: \(error)")
        }
    }
}

/// The request being handled and what it may touch.
struct APIContext {
    let request: HTTPRequest
    let peer: IPAddress
    let now: Instant
    let store: WebStore
    let server: WebServerConfig
    let scope: TokenScope

    /// Unix seconds of `now` (the run's epoch plus virtual time).
    var unixSeconds: Int64 { server.unixSeconds(at: now) }
}

/// A handler's answer.
struct APIReply {
    var response: HTTPResponse
    var committed: [ChangeResult] = []
    var purgeNames: [DNSName] = []
}

/// What one API request produced, for the web server's `WebOutcome`.
public struct APIOutcome: Sendable {
    /// The response.
    public var response: HTTPResponse
    /// Zone changes committed (only those that changed something), in order.
    public var committed: [ChangeResult]
    /// Owners whose cached answers must go, in order.
    public var purgeNames: [DNSName]
    /// The refusal's reason (`api:<code>`), when refused.
    public var rejections: [String]

    /// An outcome with every field given.
    public init(response: HTTPResponse, committed: [ChangeResult] = [], purgeNames: [DNSName] = [],
                rejections: [String] = []) {
        self.response = response
        self.committed = committed
        self.purgeNames = purgeNames
        self.rejections = rejections
    }
}

/// An account on a scenario day.
struct AccountDay: Hashable, Sendable {
    var account: Int64
    var day: Int64
}

/// API calls of an account on a day, in memory.
struct APICallCounters: Hashable, Sendable {
    /// Calls answered with 2xx.
    var calls = 0
    /// Calls refused after authentication (4xx, 5xx).
    var rejected = 0
}
