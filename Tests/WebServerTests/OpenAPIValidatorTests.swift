import Testing

/// The test-side OpenAPI validator itself: the document loads and is consistent, good bodies pass,
/// bad ones are caught with a reason.
@Suite struct OpenAPIValidatorTests {
    let document = OpenAPIDocument.shared

    @Test func documentLoadsAndIsConsistent() {
        #expect(document.pathTemplates.contains("/api/v1/domains/{domain}/rrsets/{subname}/{type}"))
        #expect(document.selfCheck() == [])
    }

    @Test func templatesMatchConcretePaths() {
        #expect(document.template(for: "/api/v1/domains") == "/api/v1/domains")
        #expect(document.template(for: "/api/v1/domains/a.ipv64.example") == "/api/v1/domains/{domain}")
        #expect(document.template(for: "/api/v1/domains/a.ipv64.example/rrsets/_acme-challenge/TXT")
            == "/api/v1/domains/{domain}/rrsets/{subname}/{type}")
        #expect(document.template(for: "/api/v1/tokens/7") == "/api/v1/tokens/{id}")
        #expect(document.template(for: "/api/v2/domains") == nil)
        #expect(document.template(for: "/api/v1/domains/") == nil)
    }

    static let goodBodies: [(String, String, Int, String)] = [
        ("GET", "/api/v1/domains/a.ipv64.example/rrsets/@/A", 200,
         #"{"subname":"@","name":"a.ipv64.example.","type":"A","ttl":60,"records":["192.0.2.1"]}"#),
        ("GET", "/api/v1/domains/a.ipv64.example", 404,
         #"{"error":{"code":"not_found","message":"no domain a.ipv64.example"}}"#),
        ("GET", "/api/v1/domains", 200,
         #"[{"name":"a.ipv64.example","zone":"ipv64.example","ipv4":[],"ipv6":["2001:db8::1"],"last_update":null,"created":"2026-01-01T00:00:00Z"}]"#),
        ("GET", "/api/v1/domains", 200,
         #"[{"name":"a.ipv64.example","zone":"ipv64.example","ipv4":[],"ipv6":[],"last_update":"2026-01-01T00:00:05Z","created":"2026-01-01T00:00:00Z"}]"#),
        ("DELETE", "/api/v1/tokens/3", 204, ""),
        ("GET", "/api/v1/statistics", 200,
         #"{"days":[{"day":"2026-01-01","updates":1,"nochg":0,"rejected":2,"api_calls":3.0}]}"#),
    ]

    @Test(arguments: goodBodies)
    func goodBodiesConform(method: String, path: String, status: Int, body: String) {
        #expect(document.problems(method: method, path: path, status: status, body: Array(body.utf8)) == [])
    }

    static let badBodies: [(String, String, Int, String, String)] = [
        ("GET", "/api/v1/domains/a.ipv64.example/rrsets/@/A", 200,
         #"{"subname":"@","name":"a.ipv64.example.","type":"A","ttl":"60","records":["192.0.2.1"]}"#, "not of type integer"),
        ("GET", "/api/v1/domains/a.ipv64.example/rrsets/@/A", 200,
         #"{"subname":"@","name":"a.ipv64.example.","type":"A","ttl":60,"records":[]}"#, "fewer than 1"),
        ("GET", "/api/v1/domains/a.ipv64.example/rrsets/@/A", 200,
         #"{"subname":"@","name":"a.ipv64.example.","type":"A","ttl":60,"records":["x"],"extra":1}"#, "no value is allowed"),
        ("GET", "/api/v1/domains/a.ipv64.example/rrsets/@/A", 200,
         #"{"subname":"@","name":"a.ipv64.example.","type":"A","ttl":60}"#, "required member records"),
        ("GET", "/api/v1/domains/a.ipv64.example/rrsets/@/A", 200,
         #"{"subname":"Bad Name","name":"a.ipv64.example.","type":"A","ttl":60,"records":["x"]}"#, "does not match"),
        ("GET", "/api/v1/domains/a.ipv64.example/rrsets/@/A", 200,
         #"{"subname":"@","name":"a.ipv64.example.","type":"A","ttl":-1,"records":["x"]}"#, "below the minimum"),
        ("GET", "/api/v1/domains/a.ipv64.example", 404, #"{"error":{"code":"nope","message":"x"}}"#, "is not one of"),
        ("GET", "/api/v1/domains/a.ipv64.example", 404, #"{"error":{"code":"not_found","message":""}}"#, "shorter than 1"),
        ("GET", "/api/v1/domains", 200,
         #"[{"name":"a.ipv64.example","zone":"ipv64.example","ipv4":[],"ipv6":[],"last_update":"yesterday","created":"2026-01-01T00:00:00Z"}]"#,
         "matches 0 of oneOf"),
        ("GET", "/api/v1/domains", 200, #"{"name":"a"}"#, "not of type array"),
        ("GET", "/api/v1/domains", 200, #"[] x"#, "not JSON"),
        ("GET", "/api/v1/domains", 200, #"{"a":1,"a":2}"#, "not JSON"),
        ("GET", "/dashboard", 418, #"[]"#, "does not document status 418"),
        ("PATCH", "/api/v1/tokens", 200, #"[]"#, "is not documented"),
        ("GET", "/nic/update", 200, "good", "no path template"),
        ("DELETE", "/api/v1/tokens/3", 204, "{}", "documents no body"),
    ]

    @Test(arguments: badBodies)
    func badBodiesAreCaught(method: String, path: String, status: Int, body: String, reason: String) {
        let problems = document.problems(method: method, path: path, status: status, body: Array(body.utf8))
        #expect(problems.contains { $0.contains(reason) }, "\(problems)")
    }

    @Test func subsetKeywordsBehave() throws {
        let validator = SchemaValidator(document: document)
        let nullableString = try SchemaValue.loadYAML(#"{type: [string, "null"], maxLength: 3}"#)
        #expect(validator.conforms(.null, to: nullableString))
        #expect(validator.conforms(.string("abc"), to: nullableString))
        #expect(!validator.conforms(.string("abcd"), to: nullableString))
        #expect(!validator.conforms(.integer(1), to: nullableString))
        let anyOf = try SchemaValue.loadYAML(#"{anyOf: [{const: 1}, {enum: [a, b]}]}"#)
        #expect(validator.conforms(.integer(1), to: anyOf))
        #expect(validator.conforms(.number(1.0), to: anyOf))
        #expect(validator.conforms(.string("b"), to: anyOf))
        #expect(!validator.conforms(.string("c"), to: anyOf))
        let typo = try SchemaValue.loadYAML(#"{type: string, maxLenght: 3}"#)
        #expect(!validator.conforms(.string("a"), to: typo))
        let strict = try StrictJSONParser.parse(#"{"s":"\ud83d\ude00","n":-0.5e1,"t":[true,false,null]}"#)
        #expect(strict["s"] == .string("😀"))
        #expect(strict["n"] == .number(-5))
        for bad in ["01", "\"\\ud83d\"", "[1,]", "{\"a\" 1}", "\"\u{01}\"", "nul", "1.", ""] {
            #expect(throws: (any Error).self) { try StrictJSONParser.parse(bad) }
        }
    }
}
