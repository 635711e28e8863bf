import Determinism
import DNSWire
import HTTPWire
import Storage
import Testing
@testable import WebServer

/// The dyndns2 dialect of `/nic/update` (dyndns.md §1): Basic auth, `hostname`, `myip`, answers
/// one line per host with HTTP 200.
@Suite struct DynDNS2Tests {
    @Test func goodThenNochgWithBasicAuth() throws {
        var h = try Harness()
        let auth = basic("anything", h.c1.domainToken)
        let first = try h.get("/nic/update?hostname=c1.dyn.example&myip=192.0.2.99", headers: [auth])
        #expect(first.response.status == 200 && first.response.bodyText == "good 192.0.2.99\n")
        #expect(first.endpoint == .dyndns2)
        #expect(try h.addresses("c1.dyn.example") == ["A 192.0.2.99 60"])
        let serial = try h.serial()
        let second = try h.get("/nic/update?hostname=c1.dyn.example&myip=192.0.2.99", headers: [auth])
        #expect(second.response.bodyText == "nochg 192.0.2.99\n" && second.committed.isEmpty)
        #expect(try h.serial() == serial)
        #expect(try h.log() == ["c1.dyn.example good 192.0.2.99 \(serial)", "c1.dyn.example nochg 192.0.2.99 \(serial)"])
    }

    @Test func tokenAsBasicUserOrPasswordOrQuery() throws {
        var h = try Harness()
        let token = h.c1.domainToken
        let cases: [(String, [HTTPHeader])] = [
            ("/nic/update?hostname=c1.dyn.example&myip=192.0.2.21", [basic(token, "x")]),
            ("/nic/update?hostname=c1.dyn.example&myip=192.0.2.22", [basic("x", token)]),
            ("/nic/update?hostname=c1.dyn.example&myip=192.0.2.23&user=c1&pass=\(token)", []),
            ("/nic/update?hostname=c1.dyn.example&myip=192.0.2.24&username=c1&password=\(token)", []),
        ]
        for (target, headers) in cases {
            let outcome = try h.get(target, headers: headers)
            #expect(outcome.response.status == 200 && outcome.response.bodyText.hasPrefix("good "), "\(target)")
            #expect(outcome.endpoint == .dyndns2)
        }
    }

    @Test func postWithFormBody() throws {
        var h = try Harness()
        let request = try HTTPRequest.postForm(
            "/nic/update", [FormItem("hostname", "c1.dyn.example"), FormItem("myip", "192.0.2.31")],
            headers: [basic("c1", h.c1.domainToken)])
        let outcome = h.server.handle(request, peer: Harness.peer, now: .zero)
        #expect(outcome.response.bodyText == "good 192.0.2.31\n")
    }

    @Test func addressFromPeerV4AndV6() throws {
        var h = try Harness()
        let auth = basic("c0", h.c0.domainToken)
        let v4 = try h.get("/nic/update?hostname=c0.dyn.example", headers: [auth], peer: ip("203.0.113.5"))
        #expect(v4.response.bodyText == "good 203.0.113.5\n")
        let v6 = try h.get("/nic/update?hostname=c0.dyn.example", headers: [auth], peer: ip("2001:db8:99::5"))
        #expect(v6.response.bodyText == "good 2001:db8:99::5\n")
        #expect(try h.addresses("c0.dyn.example") == ["A 203.0.113.5 60", "AAAA 2001:db8:99::5 60"])
    }

    @Test func myipPairAndMyipv6() throws {
        var h = try Harness()
        let auth = basic("c0", h.c0.accountToken)
        let pair = try h.get("/nic/update?hostname=c0.dyn.example&myip=192.0.2.40,2001:db8:40::1", headers: [auth])
        #expect(pair.response.bodyText == "good 192.0.2.40,2001:db8:40::1\n")
        let separate = try h.get("/nic/update?hostname=c0.dyn.example&myip=192.0.2.41&myipv6=2001:db8:41::1",
                                 headers: [auth])
        #expect(separate.response.bodyText == "good 192.0.2.41,2001:db8:41::1\n")
        #expect(try h.addresses("c0.dyn.example") == ["A 192.0.2.41 60", "AAAA 2001:db8:41::1 60"])
    }

    @Test func multipleHostsOneLineEachInOrder() throws {
        var h = try Harness()
        let auth = basic("c0", h.c0.accountToken)
        let outcome = try h.get("/nic/update?hostname=c0.dyn.example,www.c0.dyn.example,c1.dyn.example,"
                                    + "nowhere.example,single&myip=192.0.2.50", headers: [auth])
        #expect(outcome.response.status == 200)
        #expect(outcome.response.bodyText
            == "good 192.0.2.50\ngood 192.0.2.50\nnohost\nnohost\nnotfqdn\n")
        #expect(outcome.rejections == ["nohost", "nohost", "notfqdn"])
        #expect(outcome.committed.count == 1 && outcome.committed[0].added.count == 2)
        #expect(try h.addresses("www.c0.dyn.example") == ["A 192.0.2.50 60"])
    }

    @Test func accountLevelErrorsOnce() throws {
        var h = try Harness()
        let badauth = try h.get("/nic/update?hostname=c1.dyn.example,c0.dyn.example&myip=192.0.2.1",
                                headers: [basic("c1", "wrong")])
        #expect(badauth.response.status == 200 && badauth.response.bodyText == "badauth\n")
        let none = try h.get("/nic/update?hostname=c1.dyn.example")
        #expect(none.response.bodyText == "badauth\n")
        let notfqdn = try h.get("/nic/update?myip=192.0.2.1", headers: [basic("c1", h.c0.accountToken)])
        #expect(notfqdn.response.status == 200 && notfqdn.response.bodyText == "notfqdn\n")
        let hosts = (0...20).map { "h\($0).c0.dyn.example" }.joined(separator: ",")
        let numhost = try h.get("/nic/update?hostname=\(hosts)", headers: [basic("c0", h.c0.accountToken)])
        #expect(numhost.response.status == 200 && numhost.response.bodyText.hasPrefix("numhost"))
        #expect(h.server.stats.refusals(.badauth) == 2 && h.server.stats.refusals(.numhost) == 1)
    }

    @Test func badAgent() throws {
        var h = try Harness()
        h.server.blockedUserAgents = ["EvilBot"]
        let auth = basic("c1", h.c1.domainToken)
        for agent in ["", "   ", "evilbot/2.0"] {
            let request = try HTTPRequest.get("/nic/update?hostname=c1.dyn.example",
                                              headers: [auth, HTTPHeader("User-Agent", agent)])
            let outcome = h.server.handle(request, peer: Harness.peer, now: .zero)
            #expect(outcome.response.status == 200 && outcome.response.bodyText == "badagent\n", "\(agent)")
        }
        // No User-Agent at all is accepted.
        let request = try HTTPRequest.get("/nic/update?hostname=c1.dyn.example", headers: [auth])
        #expect(h.server.handle(request, peer: Harness.peer, now: .zero).response.bodyText.hasPrefix("good"))
    }

    @Test func wrongMethodAndUnknownPath() throws {
        var h = try Harness()
        let put = h.send("PUT /nic/update?hostname=c1.dyn.example HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        #expect(put.response.status == 405 && put.response.header("Allow") == "GET, POST")
        let unknown = try h.get("/nic/nothing")
        #expect(unknown.response.status == 404 && unknown.endpoint == .other)
    }

    @Test func checkIPHelpers() throws {
        var h = try Harness()
        #expect(try h.get("/nic/checkip").response.bodyText == "Current IP Address: 198.51.100.7\n")
        let json = try h.get("/update.php?howismyip", peer: ip("2001:db8::7"))
        #expect(json.response.bodyText == #"{"ip":"2001:db8::7"}"#)
    }
}
