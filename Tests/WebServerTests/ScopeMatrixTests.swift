import Determinism
import DNSWire
import HTTPWire
import Storage
import Testing
@testable import WebServer

/// Token scope: each token kind × own/foreign domain × own/foreign record × both dialects.
/// Everything out of scope is refused (`nohost`) and leaves every table as it was.
@Suite struct ScopeMatrixTests {
    enum Kind: String, CaseIterable { case account, domain, record }

    /// A target: host and family, and which token kinds of customer c0 may change it.
    struct Target: CustomStringConvertible {
        var host: String
        var v6: Bool
        var allowed: Set<Kind>
        var description: String { "\(host) \(v6 ? "AAAA" : "A")" }
    }

    static let targets: [Target] = [
        Target(host: "c0.dyn.example", v6: false, allowed: [.account, .domain, .record]),  // own record
        Target(host: "c0.dyn.example", v6: true, allowed: [.account, .domain]),  // own domain, other record
        Target(host: "www.c0.dyn.example", v6: false, allowed: [.account, .domain]),  // name below own domain
        Target(host: "nas.c0.dyn.example", v6: true, allowed: [.account, .domain]),
        Target(host: "c1.dyn.example", v6: false, allowed: []),  // foreign domain, same zone
        Target(host: "www.c1.dyn.example", v6: false, allowed: []),
        Target(host: "c3.other.example", v6: false, allowed: []),  // foreign domain, other zone
        Target(host: "ns1.dyn.example", v6: false, allowed: []),  // provider's own name
        Target(host: "dyn.example", v6: false, allowed: []),  // provider zone apex
        Target(host: "c0.dyn.example.evil.example", v6: false, allowed: []),  // outside every zone
        Target(host: "c0x.dyn.example", v6: false, allowed: []),  // no such domain
    ]

    static func token(_ kind: Kind, of customer: ProvisionedCustomer) -> String {
        switch kind {
        case .account: customer.accountToken
        case .domain: customer.domainToken
        case .record: customer.recordTokenV4
        }
    }

    static func request(_ dialect: UpdateDialect, token: String, target: Target) throws -> HTTPRequest {
        let address = target.v6 ? "2001:db8:200::1" : "192.0.2.200"
        switch dialect {
        case .dyndns2:
            let family = target.v6 ? "myipv6" : "myip"
            return try HTTPRequest.get("/nic/update?hostname=\(target.host)&\(family)=\(address)",
                                       headers: [basic("user", token), HTTPHeader("User-Agent", "t/1")])
        case .ipv64:
            let family = target.v6 ? "ip6" : "ip"
            return try HTTPRequest.get("/update?key=\(token)&domain=\(target.host)&\(family)=\(address)")
        }
    }

    @Test(arguments: Kind.allCases, [UpdateDialect.dyndns2, .ipv64])
    func matrix(kind: Kind, dialect: UpdateDialect) throws {
        for target in Self.targets {
            var h = try Harness()
            let before = try databaseDump(h.store)
            let token = Self.token(kind, of: h.c0)
            let outcome = h.server.handle(try Self.request(dialect, token: token, target: target), peer: Harness.peer,
                                          now: .zero)
            let body = outcome.response.bodyText
            if target.allowed.contains(kind) {
                #expect(outcome.response.status == 200 && body.hasPrefix("good "), "\(kind) \(dialect) \(target)")
                #expect(outcome.committed.count == 1, "\(kind) \(dialect) \(target)")
            } else {
                #expect(body == "nohost\n", "\(kind) \(dialect) \(target): \(body)")
                #expect(outcome.response.status == (dialect == .dyndns2 ? 200 : 401), "\(kind) \(dialect) \(target)")
                #expect(outcome.committed.isEmpty && outcome.acknowledged.isEmpty)
                #expect(try databaseDump(h.store) == before, "\(kind) \(dialect) \(target) wrote something")
            }
        }
    }

    /// The same token kinds of another customer never reach c0's names.
    @Test(arguments: Kind.allCases)
    func foreignTokensNeverReachOwnNames(kind: Kind) throws {
        var h = try Harness()
        let before = try databaseDump(h.store)
        for customer in [h.c1, h.otherCustomers[0]] {
            for target in Self.targets.prefix(4) {
                for dialect in [UpdateDialect.dyndns2, .ipv64] {
                    let request = try Self.request(dialect, token: Self.token(kind, of: customer), target: target)
                    let outcome = h.server.handle(request, peer: Harness.peer, now: .zero)
                    #expect(outcome.response.bodyText == "nohost\n", "\(kind) \(dialect) \(target)")
                }
            }
        }
        #expect(try databaseDump(h.store) == before)
    }

    /// A record token with an address of the other family (derived from a v6 peer) is refused.
    @Test func recordTokenRefusesTheOtherFamily() throws {
        var h = try Harness()
        let before = try databaseDump(h.store)
        let outcome = try h.get("/update?key=\(h.c0.recordTokenV4)", peer: ip("2001:db8:1::1"))
        #expect(outcome.response.status == 401 && outcome.response.bodyText == "nohost\n")
        let both = try h.get("/update?key=\(h.c0.recordTokenV4)&ip=192.0.2.1&ip6=2001:db8::1")
        #expect(both.response.bodyText == "nohost\n")
        #expect(try databaseDump(h.store) == before)
    }
}
