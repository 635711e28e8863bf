import Determinism
import DNSWire
import DNSZone
import Foundation
import HarnessTesting
import GRDB
import HTTPWire
import Storage
import Testing
@testable import WebServer

/// A name from a literal in a test; a bad literal is a bug in the test.
func name(_ text: String) -> DNSName {
    guard let parsed = try? DNSName(parsing: text, origin: .root) else { fatalError("bad test name \(text)") }
    return parsed
}

func v4(_ text: String) -> IPv4Address {
    guard let address = IPv4Address(text) else { fatalError("bad test address \(text)") }
    return address
}

func v6(_ text: String) -> IPv6Address {
    guard let address = IPv6Address(text) else { fatalError("bad test address \(text)") }
    return address
}

func ip(_ text: String) -> IPAddress {
    guard let address = IPAddress(text) else { fatalError("bad test address \(text)") }
    return address
}

/// The provider zone of the tests, with one name owning a CNAME.
enum Zones {
    static let origin = name("dyn.example.")
    static let other = name("other.example.")
    static let epoch = Int64(1_709_985_600)  // 2024-03-09 12:00 UTC

    static func zone(_ origin: String) throws -> Zone {
        let text = """
            $TTL 3600
            @ IN SOA ns1.\(origin) hostmaster.\(origin) 2024030901 3600 600 1209600 60
            @ IN NS ns1.\(origin)
            ns1 IN A 192.0.2.53
            """
        return try ZoneFileParser.load(text, fileName: "test", origin: name(origin)).zone
    }
}

/// A store with the zones `dyn.example` (three customers c0…c2, c0 dual-stack with extra names) and
/// `other.example` (one customer), and a server over it.
struct Harness {
    let store: ZoneStore
    var server: WebServer
    let customers: [ProvisionedCustomer]
    let otherCustomers: [ProvisionedCustomer]
    static let peer = ip("198.51.100.7")

    init(config: (inout WebServerConfig) -> Void = { _ in }, store: ZoneStore? = nil) throws {
        let store = try store ?? ZoneStore.inMemory()
        _ = try store.storeZone(try Zones.zone("dyn.example."), kind: .master)
        _ = try store.storeZone(try Zones.zone("other.example."), kind: .master)
        customers = try WebServer.provision(
            store: store, zone: Zones.origin,
            addresses: [(v4("192.0.2.10"), v6("2001:db8:10::1")), (v4("192.0.2.11"), nil), (v4("192.0.2.12"), nil)],
            ttl: 60, seed: 42, now: .zero, epochSeconds: Zones.epoch)
        otherCustomers = try WebServer.provision(
            store: store, zone: Zones.other, addresses: [(v4("203.0.113.20"), nil)], ttl: 60, seed: 43, now: .zero,
            epochSeconds: Zones.epoch)
        // Extra names in c0's domain: a LAN host with AAAA and a CNAME.
        _ = try store.apply(ZoneChange([
            .replace(RRset(owner: name("nas.c0.dyn.example."), type: .aaaa, ttl: 60,
                           rdatas: [.aaaa(v6("2001:db8:10::abcd"))])),
            .replace(RRset(owner: name("alias.c0.dyn.example."), type: .cname, ttl: 60,
                           rdatas: [.cname(name("c0.dyn.example."))])),
        ]), to: Zones.origin, now: .zero, epoch: Zones.epoch)
        var settings = WebServerConfig(providerZones: [Zones.origin, Zones.other], epochSeconds: Zones.epoch,
                                       requestsPerWindow: 1_000)
        config(&settings)
        self.store = store
        server = try WebServer(store: store, config: settings)
    }

    var c0: ProvisionedCustomer { customers[0] }
    var c1: ProvisionedCustomer { customers[1] }

    /// GETs `target` with `headers` from `peer` at `now`.
    mutating func get(_ target: String, headers: [HTTPHeader] = [], peer: IPAddress = Harness.peer,
                      now: Instant = .zero) throws -> WebOutcome {
        let request = try HTTPRequest.get(target, headers: headers + [HTTPHeader("User-Agent", "test/1.0")])
        return server.handle(request, peer: peer, now: now)
    }

    /// Sends raw request bytes.
    mutating func send(_ text: String, peer: IPAddress = Harness.peer, now: Instant = .zero) -> WebOutcome {
        server.handle(requestBytes: Array(text.utf8), peer: peer, now: now)
    }

    /// The enabled address records at `owner`, as sorted text.
    func addresses(_ owner: String) throws -> [String] {
        try store.database.read { db in
            try String.fetchAll(db, sql: """
                SELECT type || ' ' || content || ' ' || ttl FROM records
                WHERE name = ? AND type IN ('A', 'AAAA') AND disabled = 0 ORDER BY type, content
                """, arguments: [owner])
        }
    }

    /// The SOA serial of `zone`.
    func serial(_ zone: DNSName = Zones.origin) throws -> UInt32 {
        let loaded = try store.loadZone(zone)
        return loaded?.soa?.serial ?? 0
    }

    /// Rows of the update log as `hostname result content serial`.
    func log() throws -> [String] {
        try store.database.read { db in
            try String.fetchAll(db, sql: """
                SELECT hostname || ' ' || result || ' ' || content || ' ' || serial FROM lab_update_log ORDER BY id
                """)
        }
    }
}

/// Every row of every table (PowerDNS's, ours, GRDB's), in a fixed order: equal dumps mean an
/// unchanged database.
func databaseDump(_ store: ZoneStore) throws -> [String] {
    try store.database.read { db in
        let tables = try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name")
        var dump: [String] = []
        for table in tables {
            let tableName: String = table[0]
            let sql: String = table[1] ?? ""
            let order = sql.uppercased().contains("WITHOUT ROWID") ? "1, 2" : "rowid"
            for row in try Row.fetchAll(db, sql: "SELECT * FROM \(tableName) ORDER BY \(order)") {
                dump.append("\(tableName) \(row.description)")
            }
        }
        return dump
    }
}

/// Basic credentials as a header.
func basic(_ user: String, _ password: String) -> HTTPHeader {
    HTTPHeader("Authorization", HTTPCredentials.basic(user: user, password: password).authorizationValue)
}

func bearer(_ token: String) -> HTTPHeader {
    HTTPHeader("Authorization", "Bearer " + token)
}

/// Words updater clients take for success (dyndns.md §4.4), never in an error body.
let successWords = ["good", "nochg", "ok", "success", "updated"]

func containsSuccessWord(_ body: String) -> Bool {
    let lower = body.lowercased()
    return successWords.contains { lower.contains($0) }
}

