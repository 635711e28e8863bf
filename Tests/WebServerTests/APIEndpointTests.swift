import DNSWire
import GRDB
import HTTPWire
import Testing
@testable import WebServer

/// Every REST endpoint with every response code docs/openapi.yaml documents for it, through the
/// web server; each response is validated against the document (`APIFixture.send`), and a refused
/// request leaves the database dump identical.
@Suite struct APIEndpointTests {
    /// What to do to the fixture before the request.
    enum Setup: Sendable {
        case none
        /// One call per window, and one call already made by the same account.
        case rateLimited
        /// The standard class allows two domains (alice owns two).
        case domainLimitTwo
        /// `lab_update_log` is gone, so every write fails in storage.
        case brokenStorage
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var method: String
        var target: String
        var key: APIFixture.Key
        var body: String?
        var contentType: String?
        var status: Int
        var setup: Setup

        init(_ method: String, _ target: String, _ key: APIFixture.Key, _ status: Int, body: String? = nil,
             contentType: String? = "application/json", setup: Setup = .none) {
            self.method = method
            self.target = target
            self.key = key
            self.body = body
            self.contentType = contentType
            self.status = status
            self.setup = setup
        }

        var testDescription: String { "\(method) \(target) as \(key) → \(status)" }
    }

    static let a1 = "/api/v1/domains/a1.dyn.example"
    static let a2 = "/api/v1/domains/a2.dyn.example"
    static let b1 = "/api/v1/domains/b1.dyn.example"
    static let huge = #"{"name":""# + String(repeating: "x", count: 70_000) + #""}"#
    static let txt = #"{"subname":"_acme-challenge","type":"TXT","ttl":60,"records":["\"abc\""]}"#

    static let cases: [Case] = reads + domainWrites + rrsetWrites + tokenCases + special

    static let reads: [Case] = [
        Case("GET", "/api/v1/account", .aliceRecord, 200),
        Case("POST", "/api/v1/account", .aliceAPI, 405),
        Case("GET", "/api/v1/domains", .aliceDomain, 200),
        Case("PUT", "/api/v1/domains", .aliceAPI, 405, body: "{}"),
        Case("GET", a1, .aliceAPI, 200),
        Case("GET", "/api/v1/domains/bad..name", .aliceAPI, 400),
        Case("GET", a2, .aliceDomain, 403),
        Case("GET", b1, .aliceAPI, 404),
        Case("POST", a1, .aliceAPI, 405, body: "{}"),
        Case("GET", a1 + "/rrsets", .aliceAccount, 200),
        Case("GET", a1 + "/rrsets?type=SOA", .aliceAPI, 400),
        Case("GET", a2 + "/rrsets", .aliceRecord, 403),
        Case("GET", b1 + "/rrsets", .aliceAPI, 404),
        Case("DELETE", a1 + "/rrsets", .aliceAPI, 405),
        Case("GET", a1 + "/rrsets/@/A", .aliceRecord, 200),
        Case("GET", a1 + "/rrsets/@/SOA", .aliceAPI, 400),
        Case("GET", a1 + "/rrsets/@/AAAA", .aliceRecord, 403),
        Case("GET", a1 + "/rrsets/@/MX", .aliceAPI, 404),
        Case("POST", a1 + "/rrsets/@/A", .aliceAPI, 405, body: "{}"),
        Case("GET", "/api/v1/logs?limit=5", .aliceDomain, 200),
        Case("GET", "/api/v1/logs?limit=0", .aliceAPI, 400),
        Case("GET", "/api/v1/logs?domain=a2.dyn.example", .aliceDomain, 403),
        Case("GET", "/api/v1/logs?domain=b1.dyn.example", .aliceAPI, 404),
        Case("POST", "/api/v1/logs", .aliceAPI, 405, body: "{}"),
        Case("GET", "/api/v1/statistics?days=3", .aliceAccount, 200),
        Case("GET", "/api/v1/statistics?days=0", .aliceAPI, 400),
        Case("GET", "/api/v1/statistics", .aliceDomain, 403),
        Case("DELETE", "/api/v1/statistics", .aliceAPI, 405),
        Case("GET", "/dashboard", .aliceAccount, 200),
        Case("GET", "/dashboard", .bogus, 401),
        Case("POST", "/dashboard", .aliceAccount, 405, body: "{}"),
    ]

    static let domainWrites: [Case] = [
        Case("POST", "/api/v1/domains", .aliceAPI, 201, body: #"{"name":"new.dyn.example"}"#),
        Case("POST", "/api/v1/domains", .aliceAPI, 400, body: #"{"name":"new.dyn.example""#),
        Case("POST", "/api/v1/domains", .aliceAccount, 403, body: #"{"name":"new.dyn.example"}"#),
        Case("POST", "/api/v1/domains", .aliceAPI, 403, body: #"{"name":"new.dyn.example"}"#, setup: .domainLimitTwo),
        Case("POST", "/api/v1/domains", .aliceAPI, 409, body: #"{"name":"www.dyn.example"}"#),
        Case("POST", "/api/v1/domains", .aliceAPI, 413, body: huge),
        Case("POST", "/api/v1/domains", .aliceAPI, 415, body: #"{"name":"new.dyn.example"}"#, contentType: "text/plain"),
        Case("POST", "/api/v1/domains", .aliceAPI, 422, body: #"{"name":"x.new.dyn.example"}"#),
        Case("DELETE", a2, .aliceAPI, 204),
        Case("DELETE", "/api/v1/domains/-", .aliceAPI, 400),
        Case("DELETE", a1, .aliceAccount, 403),
        Case("DELETE", b1, .aliceAPI, 404),
    ]

    static let rrsetWrites: [Case] = [
        Case("POST", a1 + "/rrsets", .aliceDomain, 201, body: txt),
        Case("POST", a1 + "/rrsets", .aliceAPI, 400, body: txt.replacingOccurrences(of: "\"ttl\":60", with: "\"ttl\":5")),
        Case("POST", a1 + "/rrsets", .aliceRecord, 403, body: txt),
        Case("POST", b1 + "/rrsets", .aliceAPI, 404, body: txt),
        Case("POST", a1 + "/rrsets", .aliceAPI, 409,
             body: #"{"subname":"@","type":"A","ttl":60,"records":["192.0.2.9"]}"#),
        Case("POST", a1 + "/rrsets", .aliceAPI, 413, body: huge),
        Case("POST", a1 + "/rrsets", .aliceAPI, 415, body: txt, contentType: nil),
        Case("PUT", a1 + "/rrsets/@/A", .aliceRecord, 200, body: #"{"ttl":120,"records":["192.0.2.9"]}"#),
        Case("PUT", a1 + "/rrsets/www/A", .aliceAPI, 204, body: #"{"ttl":120,"records":[]}"#),
        Case("PUT", a1 + "/rrsets/@/A", .aliceAPI, 400, body: #"{"ttl":120,"records":["192.0.2.999"]}"#),
        Case("PUT", a1 + "/rrsets/www/A", .aliceRecord, 403, body: #"{"ttl":120,"records":["192.0.2.9"]}"#),
        Case("PUT", b1 + "/rrsets/@/A", .aliceAPI, 404, body: #"{"ttl":120,"records":["192.0.2.9"]}"#),
        Case("PUT", a1 + "/rrsets/www/CNAME", .aliceAPI, 409, body: #"{"ttl":120,"records":["a2.dyn.example."]}"#),
        Case("PUT", a1 + "/rrsets/@/A", .aliceAPI, 413, body: huge),
        Case("PUT", a1 + "/rrsets/@/A", .aliceAPI, 415, body: #"{"ttl":120,"records":[]}"#,
             contentType: "application/json; charset=latin1"),
        Case("PATCH", a1 + "/rrsets/@/TXT", .aliceAccount, 200, body: #"{"ttl":300}"#),
        Case("PATCH", a1 + "/rrsets/@/TXT", .aliceAPI, 204, body: #"{"records":[]}"#),
        Case("PATCH", a1 + "/rrsets/@/TXT", .aliceAPI, 400, body: "{}"),
        Case("PATCH", a2 + "/rrsets/@/A", .aliceDomain, 403, body: #"{"ttl":300}"#),
        Case("PATCH", a1 + "/rrsets/nothing/A", .aliceAPI, 404, body: #"{"ttl":300}"#),
        Case("PATCH", a1 + "/rrsets/@/TXT", .aliceAPI, 413, body: huge),
        Case("PATCH", a1 + "/rrsets/@/TXT", .aliceAPI, 415, body: #"{"ttl":300}"#, contentType: "application/x-www-form-urlencoded"),
        Case("DELETE", a1 + "/rrsets/www/A", .aliceDomain, 204),
        Case("DELETE", a1 + "/rrsets/www/NS", .aliceAPI, 400),
        Case("DELETE", a1 + "/rrsets/www/A", .aliceRecord, 403),
        Case("DELETE", a1 + "/rrsets/www/AAAA", .aliceAPI, 404),
    ]

    static let tokenCases: [Case] = [
        Case("GET", "/api/v1/tokens", .aliceAPI, 200),
        Case("GET", "/api/v1/tokens", .aliceAccount, 403),
        Case("PUT", "/api/v1/tokens", .aliceAPI, 405, body: "{}"),
        Case("POST", "/api/v1/tokens", .aliceAPI, 201,
             body: #"{"kind":"record","domain":"a1.dyn.example","subname":"_acme-challenge","type":"TXT"}"#),
        Case("POST", "/api/v1/tokens", .aliceAPI, 400, body: #"{"kind":"account"}"#),
        Case("POST", "/api/v1/tokens", .aliceDomain, 403, body: #"{"kind":"api"}"#),
        Case("POST", "/api/v1/tokens", .aliceAPI, 404, body: #"{"kind":"domain","domain":"b1.dyn.example"}"#),
        Case("POST", "/api/v1/tokens", .aliceAPI, 413, body: huge),
        Case("POST", "/api/v1/tokens", .aliceAPI, 415, body: #"{"kind":"api"}"#, contentType: "text/json"),
        Case("DELETE", "/api/v1/tokens/3", .aliceAPI, 204),
        Case("DELETE", "/api/v1/tokens/abc", .aliceAPI, 400),
        Case("DELETE", "/api/v1/tokens/3", .aliceAccount, 403),
        Case("DELETE", "/api/v1/tokens/5", .aliceAPI, 404),
        Case("GET", "/api/v1/tokens/3", .aliceAPI, 405),
    ]

    /// 401 and 429 for every operation, and storage failing under a write (500).
    static let special: [Case] = operations.flatMap { method, target, body in
        [Case(method, target, .none, 401, body: body), Case(method, target, .bogus, 401, body: body),
         Case(method, target, .aliceAPI, 429, body: body, setup: .rateLimited)]
    } + [Case("PUT", a1 + "/rrsets/@/A", .aliceAPI, 500, body: #"{"ttl":120,"records":["192.0.2.9"]}"#,
              setup: .brokenStorage)]

    static let operations: [(String, String, String?)] = [
        ("GET", "/api/v1/account", nil), ("GET", "/api/v1/domains", nil),
        ("POST", "/api/v1/domains", #"{"name":"new.dyn.example"}"#), ("GET", a1, nil), ("DELETE", a2, nil),
        ("GET", a1 + "/rrsets", nil), ("POST", a1 + "/rrsets", txt), ("GET", a1 + "/rrsets/@/A", nil),
        ("PUT", a1 + "/rrsets/@/A", #"{"ttl":60,"records":["192.0.2.9"]}"#),
        ("PATCH", a1 + "/rrsets/@/A", #"{"ttl":120}"#), ("DELETE", a1 + "/rrsets/www/A", nil),
        ("GET", "/api/v1/tokens", nil), ("POST", "/api/v1/tokens", #"{"kind":"api"}"#),
        ("DELETE", "/api/v1/tokens/3", nil), ("GET", "/api/v1/logs", nil), ("GET", "/api/v1/statistics", nil),
    ]

    @Test(arguments: cases)
    func endpointAnswersAsDocumented(_ testCase: Case) throws {
        var apiConfig = RESTAPIConfig()
        if case .rateLimited = testCase.setup { apiConfig.callsPerWindow = 1 }
        if case .domainLimitTwo = testCase.setup { apiConfig.domainLimits = ["standard": 2] }
        var fixture = try APIFixture(apiConfig: apiConfig)
        if case .rateLimited = testCase.setup { try fixture.send("GET", "/api/v1/account", key: .aliceAPI) }
        if case .brokenStorage = testCase.setup {
            try fixture.zones.writeTransaction { db in try db.execute(sql: "DROP TABLE lab_update_log") }
        }
        let before = try fixture.dump()
        let outcome = try fixture.send(testCase.method, testCase.target, key: testCase.key, body: testCase.body,
                                       contentType: testCase.contentType)
        #expect(outcome.response.status == testCase.status, "\(outcome.response.bodyText)")
        if testCase.status >= 400 {
            #expect(try fixture.dump() == before, "a refused request writes nothing")
            #expect(!outcome.rejections.isEmpty)
        }
        if testCase.status == 401 { #expect(outcome.response.header("WWW-Authenticate") != nil) }
        if testCase.status == 405 { #expect(outcome.response.header("Allow") != nil) }
        if testCase.status == 429 { #expect(outcome.response.header("Retry-After") != nil) }
    }

    /// The table above covers every (operation, status) pair the document lists (`default`, our
    /// own storage failing, has one case, under PUT).
    @Test func everyDocumentedResponseHasACase() throws {
        let document = OpenAPIDocument.shared
        var documented: Set<String> = []
        for template in document.pathTemplates {
            for (method, operation) in document.root["paths"]?[template]?.objectValue ?? [:] where method != "parameters" {
                for status in (operation["responses"]?.objectValue ?? [:]).keys where status != "default" {
                    documented.insert("\(method.uppercased()) \(template) \(status)")
                }
            }
        }
        var covered: Set<String> = []
        for testCase in Self.cases where testCase.status < 500 {
            let path = String(testCase.target.split(separator: "?")[0])
            let template = try #require(document.template(for: path))
            var method = testCase.method
            if testCase.status == 405 {  // documented once per path, on the operation that lists it
                method = ["GET", "DELETE"].first { documented.contains("\($0) \(template) 405") } ?? method
            }
            covered.insert("\(method) \(template) \(testCase.status)")
        }
        #expect(documented.subtracting(covered).sorted() == [])
        #expect(covered.subtracting(documented).sorted() == [])
        #expect(Self.cases.contains { $0.status == 500 })
    }
}
