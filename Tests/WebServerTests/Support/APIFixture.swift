import Determinism
import DNSWire
import DNSZone
import Foundation
import GRDB
import HTTPWire
import Storage
import Testing
@testable import WebServer

/// A provider with two accounts in an in-memory database, and the web server over it.
///
/// Zone `dyn.example` (provider records at the apex and `www`). Account `alice` owns
/// `a1.dyn.example` (A, AAAA, TXT at the apex, A at `www.a1`) and `a2.dyn.example` (A); `bob` owns
/// `b1.dyn.example` (A). Keys (`Key`): alice's API key, account token, domain token for a1, record
/// token for a1 A; bob's API key.
struct APIFixture {
    enum Key: String, CaseIterable, Sendable {
        case aliceAPI, aliceAccount, aliceDomain, aliceRecord, bobAPI, none, bogus

        /// The secret sent as Bearer (nil: no header).
        var secret: String? {
            switch self {
            case .none: nil
            case .bogus: "0000000000000000000000000000dead"
            default: "secret-\(rawValue)-0123456789abcdef"
            }
        }
    }

    static let zone = DNSName("dyn.example.")!
    static let epoch: Int64 = 1_767_225_600  // 2026-01-01T00:00:00Z
    static let peer = IPAddress.v4(IPv4Address("198.51.100.7")!)

    let zones: ZoneStore
    var server: WebServerUnderTest
    var now = Instant(nanoseconds: 3_600_000_000_000)  // 01:00
    private(set) var tokenIDs: [Key: Int64] = [:]
    let document = OpenAPIDocument.shared

    init(apiConfig: RESTAPIConfig = RESTAPIConfig()) throws {
        zones = try ZoneStore.inMemory()
        _ = try zones.storeZone(try ZoneFileParser.load("""
            @ 3600 IN SOA ns1.dyn.example. hostmaster.dyn.example. 2026010100 3600 600 604800 60
            @ 3600 IN NS ns1.dyn.example.
            ns1 3600 IN A 192.0.2.53
            www 3600 IN A 192.0.2.80
            a1 60 IN A 192.0.2.1
            a1 60 IN AAAA 2001:db8::1
            a1 60 IN TXT "hello"
            www.a1 60 IN A 192.0.2.2
            a2 60 IN A 192.0.2.3
            b1 60 IN A 192.0.2.4
            """, fileName: "dyn.example", origin: Self.zone).zone, kind: .master)
        let config = WebServerConfig(providerZones: [Self.zone], epochSeconds: Self.epoch)
        server = try WebServerUnderTest(store: zones, config: config, apiConfig: apiConfig)
        tokenIDs = try zones.writeTransaction { db in try Self.provision(db) }
    }

    private static func provision(_ db: Database) throws -> [Key: Int64] {
        let t = epoch
        let alice = try WebStore.createAccount(name: "alice", email: "alice@example.org", accountClass: "standard",
                                               unixSeconds: t, in: db)
        let bob = try WebStore.createAccount(name: "bob", email: nil, accountClass: "standard", unixSeconds: t, in: db)
        let a1 = try WebStore.createDomain(DNSName("a1.dyn.example.")!, accountID: alice, zone: zone, unixSeconds: t, in: db)
        _ = try WebStore.createDomain(DNSName("a2.dyn.example.")!, accountID: alice, zone: zone, unixSeconds: t, in: db)
        _ = try WebStore.createDomain(DNSName("b1.dyn.example.")!, accountID: bob, zone: zone, unixSeconds: t, in: db)
        func token(_ key: Key, _ kind: TokenKind, _ account: Int64, _ domain: Int64?,
                   _ record: (name: DNSName, type: RRType)? = nil) throws -> Int64 {
            try WebStore.createToken(hash: TokenSecret.hash(key.secret!), kind: kind, accountID: account,
                                     domainID: domain, record: record, unixSeconds: t, in: db)
        }
        return [
            .aliceAPI: try token(.aliceAPI, .api, alice, nil),
            .aliceAccount: try token(.aliceAccount, .account, alice, nil),
            .aliceDomain: try token(.aliceDomain, .domain, alice, a1),
            .aliceRecord: try token(.aliceRecord, .record, alice, a1, (DNSName("a1.dyn.example.")!, .a)),
            .bobAPI: try token(.bobAPI, .api, bob, nil),
        ]
    }

    // MARK: Requests

    /// A request as a client sends it: JSON body with `Content-Type: application/json` unless
    /// `contentType` says otherwise (nil: no header).
    static func request(_ method: String, _ target: String, key: Key, body: String? = nil,
                        contentType: String? = "application/json", headers: [HTTPHeader] = []) throws -> HTTPRequest {
        var request = try HTTPRequest.get(target, headers: headers)
        request.method = method
        if let secret = key.secret { request.headers.append(HTTPHeader("Authorization", "Bearer \(secret)")) }
        if let body {
            request.body = Array(body.utf8)
            if let contentType { request.headers.append(HTTPHeader("Content-Type", contentType)) }
        }
        return request
    }

    /// Sends a request through the component, validates the response against docs/openapi.yaml
    /// (and that an error body holds none of the success words), and returns the outcome.
    @discardableResult
    mutating func send(_ request: HTTPRequest, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> WebOutcome {
        let outcome = server.handle(request, peer: Self.peer, now: now)
        let response = outcome.response
        let problems = document.problems(method: request.method, path: request.path, status: response.status,
                                         contentType: response.header("Content-Type"),
                                         headerNames: response.headers.map(\.name), body: response.body)
        #expect(problems == [], "\(request.method) \(request.target)", sourceLocation: sourceLocation)
        if response.status >= 400 {
            #expect(!APIError.containsForbiddenWord(response.bodyText), "\(response.bodyText)",
                    sourceLocation: sourceLocation)
            #expect(outcome.committed.isEmpty && outcome.purgeNames.isEmpty, sourceLocation: sourceLocation)
        }
        return outcome
    }

    /// `send` of a request built by `request(…)`.
    @discardableResult
    mutating func send(_ method: String, _ target: String, key: Key, body: String? = nil,
                       contentType: String? = "application/json",
                       sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> WebOutcome {
        try send(Self.request(method, target, key: key, body: body, contentType: contentType),
                 sourceLocation: sourceLocation)
    }

    // MARK: Inspection

    /// Every table's rows, tables by name and rows by rowid (primary key order for tables
    /// without rowid): equal dumps mean the database holds the same data.
    func dump() throws -> String {
        try zones.readTransaction { db in
            var text = ""
            let tables = try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name")
            for table in tables {
                let name: String = table[0]
                let sql: String = table[1] ?? ""
                let order = sql.uppercased().contains("WITHOUT ROWID") ? "" : " ORDER BY rowid"
                text += "## \(name)\n"
                for row in try Row.fetchAll(db, sql: "SELECT * FROM \"\(name)\"\(order)") { text += "\(row)\n" }
            }
            return text
        }
    }

    /// The zone's SOA serial.
    func serial() throws -> UInt32 {
        try zones.loadZone(Self.zone)?.soa?.serial ?? 0
    }

    /// The presentation RDATA of the zone's RRset at `owner`, sorted; [] when absent.
    func records(_ owner: String, _ type: RRType) throws -> [String] {
        let zone = try #require(try zones.loadZone(Self.zone))
        return (zone.rrset(at: DNSName(owner)!, type: type)?.rdatas.map(\.description) ?? []).sorted()
    }

    /// The response body parsed strictly.
    static func json(_ outcome: WebOutcome) throws -> SchemaValue {
        try StrictJSONParser.parse(outcome.response.body)
    }
}

/// The component the tests drive: the web server, with the REST API's settings.
struct WebServerUnderTest {
    var server: WebServer

    init(store: ZoneStore, config: WebServerConfig, apiConfig: RESTAPIConfig) throws {
        server = try WebServer(store: store, config: config)
        server.api = RESTAPI(config: apiConfig)
    }

    mutating func handle(_ request: HTTPRequest, peer: IPAddress, now: Instant) -> WebOutcome {
        server.handle(request, peer: peer, now: now)
    }
}
