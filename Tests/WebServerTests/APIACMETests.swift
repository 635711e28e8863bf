import DNSWire
import HTTPWire
import Storage
import Testing
@testable import WebServer

/// ACME DNS-01 through the REST API (RFC 8555 §8.4, dyndns.md §6): a certificate for the domain
/// and its wildcard needs two TXT values at `_acme-challenge` at the same time; the client removes
/// them one by one after validation. Every step commits one zone change with a serial bump, names
/// the owner to purge, and writes one log row.
@Suite struct APIACMETests {
    static let domain = "/api/v1/domains/a1.dyn.example"
    static let challenge = domain + "/rrsets/_acme-challenge/TXT"
    static let owner = "_acme-challenge.a1.dyn.example."
    static let apexValue = "\"gfj9Xq-apex-4VSB2dAHpuX3rF7fYo0Sx1wVkP6D3iU\""
    static let wildcardValue = "\"LoqXcYV8q5-wildcard-eFMd0jPWaIOV_y2_nH8ZrHf\""

    @Test func twoValuesAtOneOwnerThenOneRemoved() throws {
        var fixture = try APIFixture()
        let serial0 = try fixture.serial()

        // The apex authorization: create the RRset.
        let first = try fixture.send("POST", Self.domain + "/rrsets", key: .aliceDomain,
                                     body: #"{"subname":"_acme-challenge","type":"TXT","ttl":60,"records":["\#(Self.apexValue.jsonEscaped)"]}"#)
        #expect(first.response.status == 201)
        #expect(first.committed.map(\.added.count) == [1])
        #expect(first.purgeNames == [DNSName(Self.owner)!])
        let serial1 = try fixture.serial()
        #expect(serial1 != serial0)

        // The wildcard authorization: the client reads the RRset and writes both values.
        let read = try APIFixture.json(try fixture.send("GET", Self.challenge, key: .aliceDomain))
        var values = try #require(read["records"]?.arrayValue).compactMap(\.stringValue)
        #expect(values == [Self.apexValue])
        values.append(Self.wildcardValue)
        let both = try fixture.send("PATCH", Self.challenge, key: .aliceDomain,
                                    body: #"{"records":[\#(values.map { "\"\($0.jsonEscaped)\"" }.joined(separator: ","))]}"#)
        #expect(both.response.status == 200)
        #expect(both.committed.map(\.added.count) == [1] && both.committed.map(\.removed.count) == [0])
        #expect(try fixture.records(Self.owner, .txt) == [Self.wildcardValue, Self.apexValue].sorted())
        #expect(try APIFixture.json(both)["records"]?.arrayValue?.count == 2)
        let serial2 = try fixture.serial()
        #expect(serial2 != serial1)

        // Validation done for the apex: remove its value, keep the wildcard's.
        let one = try fixture.send("PATCH", Self.challenge, key: .aliceDomain,
                                   body: #"{"records":["\#(Self.wildcardValue.jsonEscaped)"]}"#)
        #expect(one.response.status == 200)
        #expect(one.committed.first?.removed.map(\.rdata.description) == [Self.apexValue])
        #expect(try fixture.records(Self.owner, .txt) == [Self.wildcardValue])
        #expect(try fixture.serial() != serial2)

        // And the last one.
        let gone = try fixture.send("DELETE", Self.challenge, key: .aliceDomain)
        #expect(gone.response.status == 204)
        #expect(try fixture.records(Self.owner, .txt) == [])
        #expect(try fixture.send("GET", Self.challenge, key: .aliceDomain).response.status == 404)

        let logs = try APIFixture.json(try fixture.send("GET", "/api/v1/logs?domain=a1.dyn.example", key: .aliceAPI))
        let rows = try #require(logs.arrayValue)
        #expect(rows.count == 4)
        #expect(rows.allSatisfy { $0["dialect"] == .string("api") && $0["result"] == .string("good") })
        #expect(rows.first?["content"] == .string("TXT deleted"))
        #expect(rows.allSatisfy { $0["hostname"] == .string("_acme-challenge.a1.dyn.example") })
    }

    /// A record key made for the challenge (IPv64's per-record key, scoped to TXT at
    /// `_acme-challenge`) may write exactly that RRset.
    @Test func aChallengeKeyWritesOnlyItsRRset() throws {
        var fixture = try APIFixture()
        let made = try fixture.send("POST", "/api/v1/tokens", key: .aliceAPI,
                                    body: #"{"kind":"record","domain":"a1.dyn.example","subname":"_acme-challenge","type":"TXT"}"#)
        #expect(made.response.status == 201)
        let document = try APIFixture.json(made)
        let secret = try #require(document["secret"]?.stringValue)
        #expect(document["subname"] == .string("_acme-challenge") && document["type"] == .string("TXT"))

        var request = try APIFixture.request("PUT", Self.challenge, key: .none,
                                             body: #"{"ttl":60,"records":["\"v1\"","\"v2\""]}"#)
        request.headers.append(HTTPHeader("Authorization", "Bearer \(secret)"))
        let written = fixture.send(request)
        #expect(written.response.status == 200)
        #expect(try fixture.records(Self.owner, .txt) == ["\"v1\"", "\"v2\""])

        request = try APIFixture.request("PUT", Self.domain + "/rrsets/@/A", key: .none,
                                         body: #"{"ttl":60,"records":["192.0.2.66"]}"#)
        request.headers.append(HTTPHeader("Authorization", "Bearer \(secret)"))
        let before = try fixture.dump()
        #expect(fixture.send(request).response.status == 403)
        #expect(try fixture.dump() == before)

        let listed = try APIFixture.json(try fixture.send("GET", "/api/v1/tokens", key: .aliceAPI))
        #expect(listed.arrayValue?.count == 5)  // alice's four and the new one
        #expect(!(try fixture.send("GET", "/api/v1/tokens", key: .aliceAPI).response.bodyText.contains(secret)))
        #expect(listed.arrayValue?.last?["last_used"] != .null, "the write marked the key used")
    }

    /// Writing what is already there changes nothing: no commit, the serial stays, the log says
    /// `nochg`.
    @Test func anUnchangedWriteCommitsNothing() throws {
        var fixture = try APIFixture()
        let body = #"{"ttl":60,"records":["192.0.2.1"]}"#
        let serial = try fixture.serial()
        let outcome = try fixture.send("PUT", Self.domain + "/rrsets/@/A", key: .aliceAPI, body: body)
        #expect(outcome.response.status == 200)
        #expect(outcome.committed.isEmpty && outcome.purgeNames.isEmpty)
        #expect(try fixture.serial() == serial)
        let logs = try APIFixture.json(try fixture.send("GET", "/api/v1/logs?limit=1", key: .aliceAPI))
        #expect(logs.arrayValue?.first?["result"] == .string("nochg"))
    }
}

extension String {
    /// The text as the inside of a JSON string literal.
    var jsonEscaped: String {
        var out = ""
        for character in unicodeScalars {
            switch character {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }
}
