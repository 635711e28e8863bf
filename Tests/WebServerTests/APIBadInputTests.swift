import Testing
@testable import WebServer

/// Bad input to the REST API: each case is a 4xx with a code and a reason that names the problem,
/// nothing is written (identical dump), nothing committed, and the body holds no success word.
@Suite struct APIBadInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var method: String
        var target: String
        var body: [UInt8]?
        var status: Int
        var code: String
        var reason: String

        init(_ name: String, _ method: String, _ target: String, _ body: String?, _ status: Int, _ code: String,
             _ reason: String) {
            self.init(name, method, target, bytes: body.map { Array($0.utf8) }, status, code, reason)
        }

        init(_ name: String, _ method: String, _ target: String, bytes: [UInt8]?, _ status: Int, _ code: String,
             _ reason: String) {
            self.name = name
            self.method = method
            self.target = target
            self.body = bytes
            self.status = status
            self.code = code
            self.reason = reason
        }

        var testDescription: String { name }
    }

    static let rrsets = "/api/v1/domains/a1.dyn.example/rrsets"
    static let apexA = rrsets + "/@/A"

    static func create(_ subname: String = "x", type: String = "A", ttl: String = "60",
                       records: String = #"["192.0.2.9"]"#) -> String {
        #"{"subname":"\#(subname)","type":"\#(type)","ttl":\#(ttl),"records":\#(records)}"#
    }

    static let cases: [Case] = json + fields + content + names + limits

    static let json: [Case] = [
        Case("truncated JSON", "POST", rrsets, #"{"subname":"#, 400, "invalid_json", "not JSON"),
        Case("array instead of object", "POST", rrsets, "[]", 400, "invalid_json", "JSON object"),
        Case("trailing comma", "POST", rrsets, #"{"subname":"x","type":"A","ttl":60,"records":[],}"#, 400,
             "invalid_json", "not JSON"),
        Case("duplicate member", "POST", rrsets, #"{"ttl":60,"ttl":61}"#, 400, "invalid_json", "not JSON"),
        Case("invalid UTF-8", "POST", rrsets, bytes: Array(#"{"subname":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8),
             400, "invalid_json", "not JSON"),
        Case("nested too deep", "POST", rrsets, String(repeating: "[", count: 40) + String(repeating: "]", count: 40),
             400, "invalid_json", "not JSON"),
        Case("empty body", "POST", rrsets, "", 400, "bad_request", "body is required"),
        Case("unknown field", "POST", rrsets, #"{"subname":"x","type":"A","ttl":60,"records":[],"prio":1}"#, 400,
             "unknown_field", "'prio'"),
        Case("PATCH without fields", "PATCH", apexA, "{}", 400, "bad_request", "names neither"),
    ]

    static let fields: [Case] = [
        Case("ttl as string", "POST", rrsets, create(ttl: #""60""#), 400, "invalid_field", "ttl: must be an integer"),
        Case("ttl as fraction", "POST", rrsets, create(ttl: "60.5"), 400, "invalid_field", "ttl: must be an integer"),
        Case("ttl null", "PUT", apexA, #"{"ttl":null,"records":[]}"#, 400, "invalid_field", "ttl"),
        Case("ttl below 60", "POST", rrsets, create(ttl: "59"), 400, "invalid_field", "outside 60...86400"),
        Case("ttl above 86400", "POST", rrsets, create(ttl: "86401"), 400, "invalid_field", "outside 60...86400"),
        Case("ttl beyond Int64", "POST", rrsets, create(ttl: "1e20"), 400, "invalid_field", "ttl"),
        Case("records not an array", "POST", rrsets, create(records: #""192.0.2.9""#), 400, "invalid_field",
             "array of strings"),
        Case("record not a string", "POST", rrsets, create(records: "[1]"), 400, "invalid_field", "entry 1"),
        Case("empty record", "POST", rrsets, create(records: #"[""]"#), 400, "invalid_field", "entry 1"),
        Case("no records on create", "POST", rrsets, create(records: "[]"), 400, "invalid_field", "needs a record"),
        Case("type SOA", "POST", rrsets, create(type: "SOA"), 400, "invalid_field", "is not one of"),
        Case("type NS", "POST", rrsets, create(type: "NS", records: #"["ns.example."]"#), 400, "invalid_field",
             "is not one of"),
        Case("type in lower case", "POST", rrsets, create(type: "a"), 400, "invalid_field", "is not one of"),
        Case("token kind unknown", "POST", "/api/v1/tokens", #"{"kind":"superuser"}"#, 400, "invalid_field", "kind"),
        Case("subname on a domain key", "POST", "/api/v1/tokens",
             #"{"kind":"domain","domain":"a1.dyn.example","subname":"x"}"#, 400, "invalid_field", "not allowed"),
        Case("log limit not a number", "GET", "/api/v1/logs?limit=ten", nil, 400, "bad_request", "limit"),
        Case("unknown query parameter", "GET", rrsets + "?owner=x", nil, 400, "bad_request", "'owner'"),
    ]

    static let content: [Case] = [
        Case("A with three octets", "POST", rrsets, create(records: #"["192.0.2"]"#), 400, "invalid_field", "A data"),
        Case("AAAA not an address", "POST", rrsets, create(type: "AAAA", records: #"["not-an-ip"]"#), 400,
             "invalid_field", "AAAA data"),
        Case("MX without preference", "POST", rrsets, create(type: "MX", records: #"["mail.example."]"#), 400,
             "invalid_field", "MX data"),
        Case("SRV missing the target", "POST", rrsets, create(type: "SRV", records: #"["10 5 443"]"#), 400,
             "invalid_field", "SRV data"),
        Case("relative CNAME target", "POST", rrsets, create(type: "CNAME", records: #"["a2.dyn.example"]"#), 400,
             "invalid_field", "trailing dot"),
        Case("two CNAME records", "POST", rrsets,
             create(type: "CNAME", records: #"["a2.dyn.example.","b1.dyn.example."]"#), 400, "invalid_field",
             "holds one record"),
        Case("TXT string over 255 octets", "POST", rrsets,
             create(type: "TXT", records: #"["\""# + String(repeating: "t", count: 256) + #"\""]"#), 400,
             "invalid_field", "TXT data"),
        Case("CAA with a bad flag", "POST", rrsets, create(type: "CAA", records: #"["256 issue \"ca.example\""]"#),
             400, "invalid_field", "CAA data"),
        Case("CNAME beside other data", "POST", rrsets,
             create("www", type: "CNAME", records: #"["a2.dyn.example."]"#), 409, "conflict", "CNAME"),
        Case("CNAME at the domain itself beside its addresses", "PUT", rrsets + "/@/CNAME",
             #"{"ttl":60,"records":["a2.dyn.example."]}"#, 409, "conflict", "CNAME"),
    ]

    static let names: [Case] = [
        Case("SQL injection in subname", "POST", rrsets, create("x'; DROP TABLE records; --"), 400, "invalid_field",
             "subname"),
        Case("SQL injection in the domain", "GET", "/api/v1/domains/a1.dyn.example'%20OR%20'1'='1/rrsets", nil, 400,
             "invalid_field", "domain"),
        Case("SQL injection in a domain to create", "POST", "/api/v1/domains",
             #"{"name":"x.dyn.example' OR 1=1 --"}"#, 400, "invalid_field", "name"),
        Case("label of 64 characters", "POST", rrsets, create(String(repeating: "l", count: 64)), 400,
             "invalid_field", "1 to 63"),
        Case("name over 253 characters", "POST", rrsets,
             create(Array(repeating: String(repeating: "n", count: 60), count: 4).joined(separator: ".")), 400,
             "invalid_field", "longer than 253"),
        Case("IDN subname", "POST", rrsets, create("bücher"), 400, "invalid_field", "xn--"),
        Case("IDN domain", "POST", "/api/v1/domains", #"{"name":"müller.dyn.example"}"#, 400, "invalid_field",
             "xn--"),
        Case("IDN domain in the path", "GET", "/api/v1/domains/m%C3%BCller.dyn.example", nil, 400, "invalid_field",
             "xn--"),
        Case("subname with a trailing dot", "POST", rrsets, create("www."), 400, "invalid_field", "not a subname"),
        Case("wildcard not leftmost", "POST", rrsets, create("a.*"), 400, "invalid_field", "a-z 0-9"),
        Case("control character in subname", "POST", rrsets, create(#"a\nb"#), 400, "invalid_field", "a-z 0-9"),
        Case("domain outside the provider zones", "POST", "/api/v1/domains", #"{"name":"x.other.example"}"#, 422,
             "unprocessable", "provider"),
        Case("domain at the zone apex", "POST", "/api/v1/domains", #"{"name":"dyn.example"}"#, 422, "unprocessable",
             "one label below"),
        Case("domain taken by another account", "POST", "/api/v1/domains", #"{"name":"b1.dyn.example"}"#, 409,
             "conflict", "taken"),
    ]

    static let limits: [Case] = [
        Case("body over 64 KiB", "POST", rrsets, create(records: #"[""# + String(repeating: "9", count: 70_000) + #""]"#),
             413, "payload_too_large", "65536"),
        Case("65 records", "POST", rrsets,
             create(records: "[" + (1...65).map { #""192.0.2.\#($0)""# }.joined(separator: ",") + "]"), 400,
             "invalid_field", "at most 64"),
        Case("record over 4096 octets", "POST", rrsets,
             create(type: "TXT", records: #"[""# + String(repeating: #"\"x\" "#, count: 1_100) + #""]"#), 400,
             "invalid_field", "4096"),
    ]

    @Test(arguments: cases)
    func badInputIsRefusedWithAReason(_ testCase: Case) throws {
        var fixture = try APIFixture()
        let before = try fixture.dump()
        var request = try APIFixture.request(testCase.method, testCase.target, key: .aliceAPI, body: "")
        request.body = testCase.body ?? []
        if testCase.body == nil { request.headers.removeAll { $0.name == "Content-Type" } }
        let outcome = fixture.send(request)
        let body = try APIFixture.json(outcome)
        #expect(outcome.response.status == testCase.status, "\(outcome.response.bodyText)")
        #expect(body["error"]?["code"]?.stringValue == testCase.code)
        let message = body["error"]?["message"]?.stringValue ?? ""
        #expect(message.contains(testCase.reason), "\(message)")
        #expect(try fixture.dump() == before)
        #expect(outcome.committed.isEmpty && outcome.purgeNames.isEmpty)
    }

    @Test func thereAreEnoughCases() {
        #expect(Self.cases.count >= 20)
    }

    /// A value that would look like success to a client grepping the body is left out of the
    /// message, even when it is the very thing that was wrong.
    @Test func echoedValuesNeverCarrySuccessWords() throws {
        var fixture = try APIFixture()
        for field in ["good", "nochg", "OK", "success", "Updated", "token"] {
            let outcome = try fixture.send("POST", Self.rrsets, key: .aliceAPI,
                                           body: #"{"subname":"x","type":"A","ttl":60,"records":[],"\#(field)":1}"#)
            #expect(outcome.response.status == 400)
            #expect(!APIError.containsForbiddenWord(outcome.response.bodyText), "\(outcome.response.bodyText)")
        }
        for error in [APIError.unauthorized, .notFound("x"), .forbidden("y")] {
            #expect(!APIError.containsForbiddenWord(error.response.bodyText))
        }
        #expect(APIError.badRequest("a broken token").safeMessage == "the request was refused (400)")
    }
}
