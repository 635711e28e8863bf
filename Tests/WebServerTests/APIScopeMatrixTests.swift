import DNSWire
import Testing
@testable import WebServer

/// The REST part of the token-scope matrix: each kind of key × its own record, another record of
/// its domain, another domain of its account, another account's domain × read and write. What
/// the scope covers succeeds (and a write commits); everything else is 401, 403 or 404 and the
/// database dump stays identical.
@Suite struct APIScopeMatrixTests {
    enum Target: String, CaseIterable, Sendable {
        /// a1's A RRset at the apex: the record token's own record.
        case ownRecord
        /// a1's TXT RRset: same domain, another record.
        case sameDomain
        /// a2's A RRset: another domain of the same account.
        case otherDomain
        /// b1's A RRset: another account's domain.
        case foreignDomain

        var path: String {
            switch self {
            case .ownRecord: "/api/v1/domains/a1.dyn.example/rrsets/@/A"
            case .sameDomain: "/api/v1/domains/a1.dyn.example/rrsets/@/TXT"
            case .otherDomain: "/api/v1/domains/a2.dyn.example/rrsets/@/A"
            case .foreignDomain: "/api/v1/domains/b1.dyn.example/rrsets/@/A"
            }
        }

        var writeBody: String {
            self == .sameDomain ? #"{"ttl":300,"records":["\"changed\""]}"# : #"{"ttl":300,"records":["192.0.2.200"]}"#
        }
    }

    /// The expected status of a read (GET) and a write (PUT) by `key` on `target`.
    static func expected(_ key: APIFixture.Key, _ target: Target) -> Int {
        switch (key, target) {
        case (.none, _), (.bogus, _): 401
        case (.bobAPI, .foreignDomain): 200  // bob's own domain
        case (_, .foreignDomain): 404
        case (.aliceAPI, _), (.aliceAccount, _): 200
        case (.aliceDomain, .otherDomain): 403
        case (.aliceDomain, _): 200
        case (.aliceRecord, .ownRecord): 200
        case (.aliceRecord, _): 403
        case (.bobAPI, _): 404
        }
    }

    static let keys: [APIFixture.Key] = [.aliceAPI, .aliceAccount, .aliceDomain, .aliceRecord, .bobAPI, .bogus, .none]

    @Test(arguments: keys, Target.allCases)
    func readAndWriteFollowTheScope(key: APIFixture.Key, target: Target) throws {
        var fixture = try APIFixture()
        let expected = Self.expected(key, target)
        let before = try fixture.dump()
        let read = try fixture.send("GET", target.path, key: key)
        #expect(read.response.status == expected, "read: \(read.response.bodyText)")
        #expect(try fixture.dump() == before, "a read writes nothing")

        let serial = try fixture.serial()
        let write = try fixture.send("PUT", target.path, key: key, body: target.writeBody)
        #expect(write.response.status == expected, "write: \(write.response.bodyText)")
        if expected == 200 {
            #expect(write.committed.count == 1 && write.committed[0].changed)
            #expect(try fixture.serial() != serial, "a change bumps the serial")
            #expect(write.purgeNames.count == 1)
        } else {
            #expect(try fixture.dump() == before, "a refused write writes nothing")
            #expect(write.committed.isEmpty && write.purgeNames.isEmpty)
        }
    }

    /// Calls on the account as a whole: only API keys manage domains and keys; statistics are for
    /// API keys and account tokens.
    static let accountCalls: [(String, String, String?, [APIFixture.Key: Int])] = [
        ("POST", "/api/v1/domains", #"{"name":"new.dyn.example"}"#,
         [.aliceAPI: 201, .aliceAccount: 403, .aliceDomain: 403, .aliceRecord: 403, .bogus: 401]),
        ("DELETE", "/api/v1/domains/a1.dyn.example", nil,
         [.aliceAPI: 204, .aliceAccount: 403, .aliceDomain: 403, .aliceRecord: 403, .bobAPI: 404, .bogus: 401]),
        ("GET", "/api/v1/tokens", nil,
         [.aliceAPI: 200, .aliceAccount: 403, .aliceDomain: 403, .aliceRecord: 403, .bogus: 401]),
        ("POST", "/api/v1/tokens", #"{"kind":"domain","domain":"a1.dyn.example"}"#,
         [.aliceAPI: 201, .aliceAccount: 403, .aliceDomain: 403, .aliceRecord: 403, .bobAPI: 404, .bogus: 401]),
        ("DELETE", "/api/v1/tokens/2", nil,
         [.aliceAPI: 204, .aliceAccount: 403, .aliceDomain: 403, .aliceRecord: 403, .bobAPI: 404, .bogus: 401]),
        ("GET", "/api/v1/statistics", nil,
         [.aliceAPI: 200, .aliceAccount: 200, .aliceDomain: 403, .aliceRecord: 403, .bogus: 401]),
        ("GET", "/api/v1/logs?domain=a2.dyn.example", nil,
         [.aliceAPI: 200, .aliceAccount: 200, .aliceDomain: 403, .aliceRecord: 403, .bobAPI: 404, .bogus: 401]),
    ]

    @Test(arguments: 0..<accountCalls.count)
    func accountCallsFollowTheScope(index: Int) throws {
        let (method, target, body, statuses) = Self.accountCalls[index]
        for key in Self.keys {
            guard let expected = statuses[key] else { continue }
            var fixture = try APIFixture()
            let before = try fixture.dump()
            let outcome = try fixture.send(method, target, key: key, body: body)
            #expect(outcome.response.status == expected, "\(method) \(target) as \(key): \(outcome.response.bodyText)")
            if expected >= 400 || method == "GET" {
                #expect(try fixture.dump() == before, "\(method) \(target) as \(key) writes nothing")
            } else {
                #expect(try fixture.dump() != before, "\(method) \(target) as \(key) writes")
            }
        }
    }

    /// Listings show only what the key may read.
    @Test func listingsAreFilteredByScope() throws {
        var fixture = try APIFixture()
        func names(_ key: APIFixture.Key, _ target: String, _ member: String) throws -> [String] {
            let outcome = try fixture.send("GET", target, key: key)
            return try #require(APIFixture.json(outcome).arrayValue).compactMap { $0[member]?.stringValue }
        }
        #expect(try names(.aliceAPI, "/api/v1/domains", "name") == ["a1.dyn.example", "a2.dyn.example"])
        #expect(try names(.aliceDomain, "/api/v1/domains", "name") == ["a1.dyn.example"])
        #expect(try names(.aliceRecord, "/api/v1/domains", "name") == ["a1.dyn.example"])
        #expect(try names(.bobAPI, "/api/v1/domains", "name") == ["b1.dyn.example"])
        let rrsets = "/api/v1/domains/a1.dyn.example/rrsets"
        let types = try names(.aliceDomain, rrsets, "type")
        #expect(types == ["A", "TXT", "AAAA", "A"])  // owner, then type code
        #expect(try names(.aliceDomain, rrsets, "subname") == ["@", "@", "@", "www"])
        #expect(try names(.aliceRecord, rrsets, "type") == ["A"])
        #expect(try names(.aliceAPI, rrsets + "?subname=www", "name") == ["www.a1.dyn.example."])
        #expect(try names(.aliceAPI, rrsets + "?type=AAAA", "name") == ["a1.dyn.example."])
    }

    /// A key that was deleted, or whose domain was deleted, no longer opens anything.
    @Test func deletedKeysAreRefused() throws {
        var fixture = try APIFixture()
        #expect(try fixture.send("DELETE", "/api/v1/tokens/3", key: .aliceAPI).response.status == 204)
        #expect(try fixture.send("GET", "/api/v1/domains", key: .aliceDomain).response.status == 401)
        #expect(try fixture.send("DELETE", "/api/v1/domains/a1.dyn.example", key: .aliceAPI).response.status == 204)
        #expect(try fixture.send("GET", "/api/v1/domains", key: .aliceRecord).response.status == 401)
        #expect(try fixture.send("DELETE", "/api/v1/tokens/1", key: .aliceAPI).response.status == 204)
        #expect(try fixture.send("GET", "/api/v1/account", key: .aliceAPI).response.status == 401)
    }
}
