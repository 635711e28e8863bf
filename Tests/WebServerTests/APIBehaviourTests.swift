import Determinism
import DNSWire
import HTTPWire
import Storage
import Testing
@testable import WebServer

/// What the REST API's documents say, beyond their shape: domains created and deleted, the
/// account, statistics beside the updater, logs, and the dashboard.
@Suite struct APIBehaviourTests {
    @Test func aDomainIsCreatedUsedAndDeleted() throws {
        var fixture = try APIFixture()
        let created = try fixture.send("POST", "/api/v1/domains", key: .aliceAPI, body: #"{"name":"New.Dyn.Example."}"#)
        #expect(created.response.status == 201)
        let document = try APIFixture.json(created)
        #expect(document["name"] == .string("new.dyn.example") && document["zone"] == .string("dyn.example"))
        #expect(document["created"] == .string("2026-01-01T01:00:00Z"))
        #expect(document["ipv4"] == .array([]) && document["last_update"] == .string("2026-01-01T01:00:00Z"))
        #expect(created.committed.isEmpty, "a new domain owns no records yet")

        let put = try fixture.send("PUT", "/api/v1/domains/new.dyn.example/rrsets/@/AAAA", key: .aliceAPI,
                                   body: #"{"ttl":60,"records":["2001:DB8::7"]}"#)
        #expect(try APIFixture.json(put)["records"] == .array([.string("2001:db8::7")]), "canonical form")
        let listed = try APIFixture.json(try fixture.send("GET", "/api/v1/domains/new.dyn.example", key: .aliceAPI))
        #expect(listed["ipv6"] == .array([.string("2001:db8::7")]))

        // Deleting a1 removes its four RRsets (apex A, AAAA, TXT and www A) in one commit, and its keys.
        let deleted = try fixture.send("DELETE", "/api/v1/domains/a1.dyn.example", key: .aliceAPI)
        #expect(deleted.response.status == 204)
        #expect(deleted.committed.first?.removed.count == 4)
        #expect(deleted.purgeNames.map(\.description) == ["a1.dyn.example.", "www.a1.dyn.example."])
        #expect(try fixture.records("a1.dyn.example.", .a) == [])
        #expect(try fixture.send("GET", "/api/v1/domains", key: .aliceDomain).response.status == 401)
        let logs = try APIFixture.json(try fixture.send("GET", "/api/v1/logs", key: .aliceAPI))
        #expect(logs.arrayValue?.first?["content"] == .string("domain deleted"))
        #expect(logs.arrayValue?.first?["domain"] == .null, "the log row outlives its domain")
        // The name is free again.
        let again = try fixture.send("POST", "/api/v1/domains", key: .aliceAPI, body: #"{"name":"a1.dyn.example"}"#)
        #expect(again.response.status == 201)
    }

    @Test func theAccountAndItsStatisticsCountUpdaterAndAPI() throws {
        var fixture = try APIFixture()
        // One updater change by the domain token (counted in lab_stats), one refused API call.
        var update = try HTTPRequest.get("/nic/update?hostname=a1.dyn.example&myip=192.0.2.77",
                                         headers: [HTTPHeader("User-Agent", "test/1.0")])
        update.headers.append(HTTPHeader("Authorization", "Bearer \(APIFixture.Key.aliceDomain.secret!)"))
        let updated = fixture.server.handle(update, peer: APIFixture.peer, now: fixture.now)
        #expect(updated.response.status == 200 && updated.response.bodyText.hasPrefix("good"))
        #expect(try fixture.send("GET", "/api/v1/domains/b1.dyn.example", key: .aliceAPI).response.status == 404)
        #expect(try fixture.send("GET", "/api/v1/domains", key: .aliceAPI).response.status == 200)

        let account = try APIFixture.json(try fixture.send("GET", "/api/v1/account", key: .aliceAccount))
        #expect(account["name"] == .string("alice") && account["domains"] == .integer(2))
        #expect(account["updates_today"] == .integer(1) && account["api_calls_today"] == .integer(2))
        #expect(account["class"]?["domain_limit"] == .integer(3))
        #expect(account["class"]?["update_limit_per_day"] == .integer(48))
        #expect(account["key"]?["kind"] == .string("account"))

        fixture.now = fixture.now + SimDuration.seconds(86_400)  // the next day
        let statistics = try APIFixture.json(try fixture.send("GET", "/api/v1/statistics?days=2", key: .aliceAPI))
        let days = try #require(statistics["days"]?.arrayValue)
        #expect(days.map { $0["day"] } == [.string("2026-01-01"), .string("2026-01-02")])
        #expect(days[0]["updates"] == .integer(1) && days[0]["nochg"] == .integer(0))
        #expect(days[0]["api_calls"] == .integer(2) && days[0]["rejected"] == .integer(1))
        #expect(days[1]["api_calls"] == .integer(1) && days[1]["rejected"] == .integer(0))

        let logs = try APIFixture.json(try fixture.send("GET", "/api/v1/logs", key: .aliceRecord))
        #expect(logs.arrayValue?.map { $0["hostname"] } == [.string("a1.dyn.example")])
        #expect(logs.arrayValue?.first?["dialect"] == .string("ipv64"))  // Bearer makes it IPv64's dialect
        let domainRow = try APIFixture.json(try fixture.send("GET", "/api/v1/domains/a1.dyn.example", key: .aliceAPI))
        #expect(domainRow["ipv4"] == .array([.string("192.0.2.77")]))
        #expect(domainRow["last_update"] == .string("2026-01-01T01:00:00Z"))
    }

    @Test func callsBeyondTheWindowWaitForIt() throws {
        var fixture = try APIFixture(apiConfig: RESTAPIConfig(callsPerWindow: 2, callWindow: .seconds(10)))
        #expect(try fixture.send("GET", "/api/v1/account", key: .aliceAPI).response.status == 200)
        #expect(try fixture.send("GET", "/api/v1/account", key: .aliceDomain).response.status == 200)
        let refused = try fixture.send("GET", "/api/v1/account", key: .aliceRecord)
        #expect(refused.response.status == 429 && refused.response.header("Retry-After") == "10")
        #expect(try fixture.send("GET", "/api/v1/account", key: .bobAPI).response.status == 200, "per account")
        fixture.now = fixture.now + SimDuration.seconds(10)
        #expect(try fixture.send("GET", "/api/v1/account", key: .aliceAPI).response.status == 200)
    }

    @Test func unknownAPIPathsAnswerJSON() throws {
        var fixture = try APIFixture()
        for target in ["/api/v1", "/api/v1/", "/api/v1/zones", "/api/v1/domains/a1.dyn.example/rrsets/@"] {
            let outcome = fixture.server.handle(try APIFixture.request("GET", target, key: .aliceAPI),
                                                peer: APIFixture.peer, now: fixture.now)
            #expect(outcome.response.status == 404 && outcome.endpoint == .api, "\(target)")
            #expect(try APIFixture.json(outcome)["error"]?["code"] == .string("not_found"))
        }
    }

    @Test func theDashboardEscapesWhatClientsWrote() throws {
        var fixture = try APIFixture()
        let hostile = "<script>alert('x')</script>&\"<img src=x onerror=alert(1)>"
        try fixture.zones.writeTransaction { db in
            try WebStore.insertLog(UpdateLogEntry(
                accountID: 1, domainID: 1, unixSeconds: APIFixture.epoch + 60, virtualNanoseconds: 60_000_000_000,
                peer: "198.51.100.9", dialect: "dyndns2", userAgent: hostile, hostname: "a1.dyn.example" + hostile,
                result: "good", content: hostile, serial: 7), in: db)
        }
        let before = try fixture.dump()
        let page = try fixture.send("GET", "/dashboard?token=\(APIFixture.Key.aliceDomain.secret!)", key: .none)
        #expect(page.response.status == 200 && page.endpoint == .dashboard)
        let html = page.response.bodyText
        #expect(!html.contains("<script") && !html.contains("<img"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;&lt;img"))
        #expect(html.contains("<td>a1.dyn.example</td><td>192.0.2.1</td><td>2001:db8::1</td>"))
        #expect(!html.contains("a2.dyn.example"), "a domain key sees its domain only")
        #expect(page.response.header("Content-Security-Policy")?.hasPrefix("default-src 'none'") == true)
        #expect(try fixture.dump() == before, "the dashboard writes nothing")

        let bearer = try fixture.send("GET", "/dashboard", key: .aliceAPI)
        #expect(bearer.response.bodyText.contains("a2.dyn.example"))
        let refused = try fixture.send("GET", "/dashboard?token=nope", key: .none)
        #expect(refused.response.status == 401 && refused.response.header("WWW-Authenticate") != nil)
    }
}
