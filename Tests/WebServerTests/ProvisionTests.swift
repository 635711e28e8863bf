import Determinism
import DNSWire
import GRDB
import HTTPWire
import Storage
import Testing
@testable import WebServer

/// `WebServer.provision`: accounts, domains, records and tokens in one transaction; secrets only
/// as hashes; the same seed gives the same secrets.
@Suite struct ProvisionTests {
    static func store() throws -> ZoneStore {
        let store = try ZoneStore.inMemory()
        _ = try store.storeZone(try Zones.zone("dyn.example."), kind: .master)
        return store
    }

    static func addresses(_ count: Int) -> [(IPv4Address, IPv6Address?)] {
        (0..<count).map { index in
            (IPv4Address(UInt32(0xC612_0000) + UInt32(index)),  // 198.18.0.0/15
             index % 2 == 0 ? IPv6Address(high: 0x2001_0db8_0000_0000, low: UInt64(index) + 1) : nil)
        }
    }

    @Test func createsCustomersWithHashedTokens() throws {
        let store = try Self.store()
        let before = try #require(try store.loadZone(Zones.origin)?.soa?.serial)
        let customers = try WebServer.provision(store: store, zone: Zones.origin, addresses: Self.addresses(12),
                                                ttl: 300, seed: 7, now: .zero, epochSeconds: Zones.epoch)
        #expect(customers.map(\.account).prefix(3) == ["c00", "c01", "c02"] && customers.count == 12)
        #expect(customers[11].domain == name("c11.dyn.example."))
        let zone = try #require(try store.loadZone(Zones.origin))
        #expect(zone.soa.map { $0.serial } == before &+ 1)  // one change, one serial bump
        #expect(zone.rrset(at: name("c00.dyn.example."), type: .a)?.ttl == 300)
        #expect(zone.rrset(at: name("c00.dyn.example."), type: .aaaa) != nil)
        #expect(zone.rrset(at: name("c01.dyn.example."), type: .aaaa) == nil)
        let counts = try store.database.read { db in
            try ["lab_accounts", "lab_domains", "lab_tokens"].map { try Int.fetchOne(db, sql: "SELECT count(*) FROM \($0)") }
        }
        #expect(counts == [12, 12, 36])
        // No secret appears anywhere in the database.
        let dump = try databaseDump(store).joined(separator: "\n")
        for customer in customers {
            for secret in [customer.accountToken, customer.domainToken, customer.recordTokenV4] {
                #expect(secret.utf8.count == 32 && !dump.contains(secret))
            }
        }
        let web = WebStore(zones: store)
        let scope = try #require(try web.token(secret: customers[3].recordTokenV4))
        #expect(scope.kind == .record && scope.recordName == customers[3].domain && scope.recordType == .a)
        #expect(try web.token(secret: customers[3].domainToken)?.domain?.name == customers[3].domain)
        #expect(try web.token(secret: customers[3].accountToken)?.account.name == "c03")
    }

    @Test func sameSeedSameSecrets() throws {
        let first = try WebServer.provision(store: try Self.store(), zone: Zones.origin, addresses: Self.addresses(3),
                                            ttl: 60, seed: 99, now: .zero, epochSeconds: Zones.epoch)
        let second = try WebServer.provision(store: try Self.store(), zone: Zones.origin, addresses: Self.addresses(3),
                                             ttl: 60, seed: 99, now: .zero, epochSeconds: Zones.epoch)
        let other = try WebServer.provision(store: try Self.store(), zone: Zones.origin, addresses: Self.addresses(3),
                                            ttl: 60, seed: 100, now: .zero, epochSeconds: Zones.epoch)
        #expect(first == second && first != other)
        #expect(Set(first.flatMap { [$0.accountToken, $0.domainToken, $0.recordTokenV4] }).count == 9)
    }

    @Test func refusesMissingAndNonMasterZones() throws {
        let store = try Self.store()
        _ = try store.storeZone(try Zones.zone("other.example."), kind: .slave, primaries: ["192.0.2.1"])
        #expect(throws: StorageError.zoneNotFound(name("nowhere.example."))) {
            try WebServer.provision(store: store, zone: name("nowhere.example."), addresses: Self.addresses(1),
                                    ttl: 60, seed: 1, now: .zero, epochSeconds: Zones.epoch)
        }
        #expect(throws: StorageError.self) {
            try WebServer.provision(store: store, zone: Zones.other, addresses: Self.addresses(1), ttl: 60, seed: 1,
                                    now: .zero, epochSeconds: Zones.epoch)
        }
    }

    /// 10,000 customers in one transaction, fast enough for every simulation run's set-up.
    @Test func tenThousandCustomers() throws {
        let store = try Self.store()
        let clock = ContinuousClock()
        let start = clock.now
        let customers = try WebServer.provision(store: store, zone: Zones.origin, addresses: Self.addresses(10_000),
                                                ttl: 60, seed: 5, now: .zero, epochSeconds: Zones.epoch)
        let elapsed = clock.now - start
        #expect(customers.count == 10_000 && customers.last?.account == "c9999")
        #expect(elapsed < .seconds(20), "provisioning 10,000 customers took \(elapsed)")
        print("provisioned 10,000 customers in \(elapsed)")
        var server = try WebServer(store: store, config: WebServerConfig(providerZones: [Zones.origin],
                                                                         epochSeconds: Zones.epoch))
        let request = try HTTPRequest.get("/update?key=\(customers[9_999].domainToken)&ip=192.0.2.1")
        #expect(server.handle(request, peer: Harness.peer, now: .zero).response.bodyText == "good 192.0.2.1\n")
    }
}
