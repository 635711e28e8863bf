import Determinism
import DNSWire
import HTTPWire
import Storage
import Testing
@testable import WebServer

/// IPv64's updater (dyndns.md §2.1): `/nic/update`, `/update`, `/update.php`, its credential and
/// parameter aliases, the client quirks, prefixes, `output=min`, JSON, and its status codes.
@Suite struct IPv64Tests {
    static let paths = ["/nic/update", "/update", "/update.php"]

    @Test(arguments: ["key", "token", "user", "username"], paths)
    func tokenParameterAliases(alias: String, path: String) throws {
        var h = try Harness()
        let outcome = try h.get("\(path)?\(alias)=\(h.c1.domainToken)&domain=c1.dyn.example&ip=192.0.2.77")
        #expect(outcome.response.status == 200 && outcome.endpoint == .ipv64)
        #expect(try h.addresses("c1.dyn.example") == ["A 192.0.2.77 60"])
    }

    @Test(arguments: ["domain", "host", "hostname", "domains"])
    func domainAliases(alias: String) throws {
        var h = try Harness()
        let outcome = try h.get("/update?key=\(h.c1.domainToken)&\(alias)=c1.dyn.example&ip=192.0.2.78")
        #expect(outcome.response.bodyText == "good 192.0.2.78\n")
    }

    @Test(arguments: ["ip", "ipv4", "ip4", "myip"])
    func ipv4Aliases(alias: String) throws {
        var h = try Harness()
        let outcome = try h.get("/update?key=\(h.c1.domainToken)&domain=c1.dyn.example&\(alias)=192.0.2.79")
        #expect(outcome.response.bodyText == "good 192.0.2.79\n")
    }

    @Test(arguments: ["ip6", "ipv6", "myip6", "myipv6"])
    func ipv6Aliases(alias: String) throws {
        var h = try Harness()
        let outcome = try h.get("/update?key=\(h.c0.domainToken)&domain=c0.dyn.example&\(alias)=2001:db8:79::1")
        #expect(outcome.response.bodyText == "good 2001:db8:79::1\n")
        #expect(try h.addresses("c0.dyn.example") == ["A 192.0.2.10 60", "AAAA 2001:db8:79::1 60"])
    }

    @Test func credentialsInHeaders() throws {
        var h = try Harness()
        let token = h.c1.domainToken
        let headers: [[HTTPHeader]] = [
            [bearer(token)],
            [HTTPHeader("Authorization", "Authorization: Bearer " + token)],  // IPv64-iOS
            [basic(token, "")], [basic("none", token)],
        ]
        for (index, header) in headers.enumerated() {
            let outcome = try h.get("/nic/update?domain=c1.dyn.example&ip=192.0.2.\(80 + index)", headers: header)
            #expect(outcome.response.bodyText == "good 192.0.2.\(80 + index)\n", "\(header)")
            #expect(outcome.endpoint == .ipv64)
        }
    }

    /// inadyn's ipv64 plugin: `token=<HOSTNAME>`, the real token in Basic, no domain.
    @Test func inadynTokenHoldsTheHostname() throws {
        var h = try Harness()
        let outcome = try h.get("/nic/update?token=c1.dyn.example&ip=192.0.2.90",
                                headers: [basic(h.c1.accountToken, "NO_PASSWORD_NEEDED")])
        #expect(outcome.response.status == 200 && outcome.response.bodyText == "good 192.0.2.90\n")
        let domainScoped = try h.get("/nic/update?token=whatever&ip=192.0.2.91",
                                     headers: [basic(h.c1.domainToken, "NO_PASSWORD_NEEDED")])
        #expect(domainScoped.response.bodyText == "good 192.0.2.91\n")
    }

    /// `update.php?key=<domain token>`: domain from the token, address from the peer.
    @Test func keyOnlyRequest() throws {
        var h = try Harness()
        let outcome = try h.get("/update.php?key=\(h.c1.domainToken)", peer: ip("203.0.113.44"))
        #expect(outcome.response.status == 200)
        let body = try JSON.parse(outcome.response.bodyText)
        #expect(body["status"] == "success" && body["info"] == "good 203.0.113.44")
        #expect(try h.addresses("c1.dyn.example") == ["A 203.0.113.44 60"])
        let record = try h.get("/update?key=\(h.c1.recordTokenV4)", peer: ip("203.0.113.45"))
        #expect(record.response.bodyText == "good 203.0.113.45\n")
    }

    @Test(arguments: ["praefix", "prefix"])
    func praefixLabel(alias: String) throws {
        var h = try Harness()
        let outcome = try h.get("/update?key=\(h.c1.domainToken)&\(alias)=ddns&ip=192.0.2.95")
        #expect(outcome.response.bodyText == "good 192.0.2.95\n")
        #expect(try h.addresses("ddns.c1.dyn.example") == ["A 192.0.2.95 60"])
        #expect(try h.addresses("c1.dyn.example") == ["A 192.0.2.11 60"])
    }

    @Test(arguments: ["ipv6prefix", "ip6lanprefix"])
    func prefixKeepsHostBits(alias: String) throws {
        var h = try Harness()
        let outcome = try h.get("/update?key=\(h.c0.domainToken)&domain=c0.dyn.example&ip=192.0.2.96"
                                    + "&ip6=2001:db8:77::1&\(alias)=2001:db8:77:1::/64")
        #expect(outcome.response.bodyText == "good 192.0.2.96,2001:db8:77::1\n")
        // The explicitly set AAAA keeps its value; the LAN host's AAAA moves into the new prefix.
        #expect(try h.addresses("c0.dyn.example") == ["A 192.0.2.96 60", "AAAA 2001:db8:77::1 60"])
        #expect(try h.addresses("nas.c0.dyn.example") == ["AAAA 2001:db8:77:1::abcd 60"])
        #expect(outcome.purgeNames.map(\.description).sorted()
            == ["c0.dyn.example.", "nas.c0.dyn.example."])
    }

    @Test func onlyPrefixLeavesAddresses() throws {
        var h = try Harness()
        let outcome = try h.get("/update?key=\(h.c0.domainToken)&domain=c0.dyn.example&ip=192.0.2.97"
                                    + "&ipv6prefix=2001:db8:88::/48&onlyprefix=1")
        #expect(outcome.response.bodyText == "good 2001:db8:88::1\n")
        #expect(try h.addresses("c0.dyn.example") == ["A 192.0.2.10 60", "AAAA 2001:db8:88::1 60"])
        #expect(try h.addresses("nas.c0.dyn.example") == ["AAAA 2001:db8:88::abcd 60"])
        let again = try h.get("/update?key=\(h.c0.domainToken)&ipv6prefix=2001:db8:88::/48&onlyprefix")
        #expect(again.response.bodyText == "nochg 2001:db8:88::1\n")
    }

    @Test func outputMinAndJSON() throws {
        var h = try Harness()
        let min = try h.get("/nic/update?key=\(h.c1.domainToken)&domain=c1.dyn.example&ip=192.0.2.98&output=min")
        #expect(min.response.bodyText == "ok\n")
        let minPHP = try h.get("/update.php?key=\(h.c1.domainToken)&ip=192.0.2.98&output=min")
        #expect(minPHP.response.bodyText == "ok\n")
        let json = try h.get("/update.php?key=\(h.c1.domainToken)&ip=192.0.2.98")
        #expect(json.response.header("Content-Type") == "application/json")
        #expect(json.response.bodyText == #"{"info":"nochg 192.0.2.98","status":"success"}"#)
        let bad = try h.get("/update.php?key=nope&ip=192.0.2.98")
        #expect(bad.response.status == 401)
        #expect(bad.response.bodyText == #"{"info":"badauth","status":"401 Unauthorized"}"#)
    }

    @Test func statusCodes() throws {
        var h = try Harness()
        #expect(try h.get("/update?key=nope&domain=c1.dyn.example").response.status == 401)
        #expect(try h.get("/update?key=\(h.c1.domainToken)&domain=c0.dyn.example").response.status == 401)
        #expect(try h.get("/update?key=\(h.c0.accountToken)").response.status == 400)  // no domain: notfqdn
        #expect(try h.get("/update?key=\(h.c1.domainToken)&ip=10.0.0.1").response.status == 400)
        #expect(try h.get("/update?key=\(h.c1.domainToken)&ip=999.1.1.1").response.status == 400)
        // An API key is no update token.
        let apiKey = "f00dfeedf00dfeedf00dfeedf00dfeed"
        _ = try h.store.writeTransaction { db in
            let account = try #require(try WebStore.account(named: h.c1.account, in: db))
            return try WebStore.createToken(hash: TokenSecret.hash(apiKey), kind: .api, accountID: account.id,
                                            domainID: nil, record: nil, unixSeconds: Zones.epoch, in: db)
        }
        #expect(try h.get("/update?key=\(apiKey)&domain=c1.dyn.example").response.status == 401)
    }

    @Test func accountTokenUpdatesSeveralDomainsAcrossZones() throws {
        var h = try Harness()
        // c0's account owns one domain per zone only in this harness: give it c2's too is not
        // possible, so update c0 and a name below it in one request.
        let outcome = try h.get("/update?key=\(h.c0.accountToken)&domain=c0.dyn.example,nas.c0.dyn.example"
                                    + "&ip6=2001:db8:5::5")
        #expect(outcome.response.bodyText == "good 2001:db8:5::5\ngood 2001:db8:5::5\n")
        #expect(outcome.acknowledged.map { "\($0.hostname) \($0.type) \($0.value)" }
            == ["c0.dyn.example. AAAA 2001:db8:5::5", "nas.c0.dyn.example. AAAA 2001:db8:5::5"])
        #expect(outcome.committed.count == 1)
    }
}
