import HTTPWire
import Testing

@Suite struct JSONTests {
    @Test(arguments: [
        #"{"name":"example.org","ttl":60,"records":[{"type":"A","content":"192.0.2.1"}],"dnssec":false,"note":null}"#,
        #"[1,-2,0,9223372036854775807,-9223372036854775808,1.5,-0.25,1e+300]"#,
        #""\"\\\/\b\f\n\r\t\u0001é😀""#,
        #"{"z":1,"a":2,"m":{"y":[],"b":{}}}"#,
        "true", "null", "0", "\"\"", "[]", "{}",
    ])
    func roundTrips(text: String) throws {
        let value = try JSON.parse(text)
        let again = try JSON.parse(value.serialized)
        #expect(again == value)
        #expect(again.compactText == value.compactText)
    }

    @Test func keepsMemberOrderAndPrintsCompactly() throws {
        let value = try JSON.parse(" { \"z\" : 1 ,\n \"a\" : [ true , false ] , \"m\" : \"x\" } ")
        #expect(value.objectMembers?.map(\.key) == ["z", "a", "m"])
        #expect(value.compactText == #"{"z":1,"a":[true,false],"m":"x"}"#)
    }

    @Test func escapesPerRFC8259() {
        let value = JSON.string("q\"b\\n\n\t\u{1}\u{1F}/é")
        #expect(value.compactText == #""q\"b\\n\n\t\u0001\u001f/é""#)
    }

    @Test func integersStayExact() throws {
        #expect(try JSON.parse("9007199254740993") == .integer(9_007_199_254_740_993))
        #expect(try JSON.parse("-0") == .integer(0))
        #expect(try JSON.parse("1.0") == .number(1.0))
        #expect(try JSON.parse("1E2") == .number(100))
        #expect(try JSON.parse("9223372036854775808") == .number(9_223_372_036_854_775_808.0))
        #expect(JSON.number(.infinity).compactText == "null")
        #expect(JSON.number(0.1).compactText == "0.1")
    }

    @Test func surrogatePairsDecode() throws {
        #expect(try JSON.parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try JSON.parse(#""\u00e9\u0000""#) == .string("é\u{0}"))
        #expect(JSON.string("\u{0}").compactText == #""\u0000""#)
    }

    @Test func accessors() throws {
        let value: JSON = [
            "name": "example.org", "ttl": 60, "ratio": 2.0, "tags": ["a", "b"], "on": true, "none": nil,
        ]
        #expect(value["name"]?.stringValue == "example.org")
        #expect(value["ttl"]?.intValue == 60)
        #expect(value["ratio"]?.intValue == 2)
        #expect(value["ratio"]?.doubleValue == 2.0)
        #expect(value["tags"]?.arrayValue?.count == 2)
        #expect(value["tags"]?[1]?.stringValue == "b")
        #expect(value["tags"]?[2] == nil)
        #expect(value["on"]?.boolValue == true)
        #expect(value["none"]?.isNull == true)
        #expect(value["missing"] == nil)
        #expect(value["name"]?["x"] == nil)
        #expect(value.objectMembers?.map(\.key) == ["name", "ttl", "ratio", "tags", "on", "none"])
        #expect(
            value.compactText == #"{"name":"example.org","ttl":60,"ratio":2.0,"tags":["a","b"],"on":true,"none":null}"#)
    }

    @Test func objectSubscriptSetKeepsOrder() {
        var object: JSONObject = ["b": 1, "a": 2]
        object["b"] = "changed"
        object["c"] = 3
        object["a"] = nil
        #expect(object.keys == ["b", "c"])
        #expect(JSON.object(object).compactText == #"{"b":"changed","c":3}"#)
    }

    @Test func memberOrderMatters() throws {
        #expect(try JSON.parse(#"{"a":1,"b":2}"#) != JSON.parse(#"{"b":2,"a":1}"#))
    }

    @Test(arguments: [
        ("", "unexpected end of input"),
        ("[1,]", "trailing comma"),
        (#"{"a":1,}"#, "trailing comma"),
        ("[1 2]", "expected ',' or ']'"),
        ("// c\n1", "unexpected character"),
        ("/* c */ 1", "unexpected character"),
        ("1 // c", "trailing characters"),
        ("01", "leading zero"),
        ("-01", "leading zero"),
        ("1.", "bad number"),
        (".5", "unexpected character"),
        ("-", "bad number"),
        ("1e", "bad number"),
        ("+1", "unexpected character"),
        ("1e999", "number out of range"),
        ("NaN", "unexpected character"),
        ("tru", "unexpected character"),
        ("nul", "unexpected character"),
        (#""\ud800""#, "lone surrogate"),
        (#""\udc00""#, "lone surrogate"),
        (#""\ud800\u0041""#, "lone surrogate"),
        (#""\x""#, "bad escape"),
        (#""\u12G4""#, #"bad \u escape"#),
        ("\"a\tb\"", "control character in string"),
        ("\"a\nb\"", "control character in string"),
        ("\"abc", "unterminated string"),
        (#"{"a":1,"a":2}"#, "duplicate key"),
        (#"{a:1}"#, "expected a string key"),
        (#"{"a" 1}"#, "expected ':'"),
        ("[1]]", "trailing characters"),
        ("\u{FEFF}1", "unexpected character"),
        ("'a'", "unexpected character"),
    ])
    func refusesInvalidText(text: String, reason: String) {
        #expect(throws: JSONParseError.self) { try JSON.parse(text) }
        do {
            _ = try JSON.parse(text)
        } catch {
            #expect(error.reason == reason, "\(text)")
            #expect(error.offset >= 0 && error.offset <= text.utf8.count)
        }
    }

    @Test func refusesInvalidUTF8AndReportsOffsets() {
        #expect(throws: JSONParseError(reason: "invalid UTF-8 in string", offset: 0)) {
            try JSON.parse([0x22, 0xFF, 0x22])
        }
        #expect(throws: JSONParseError(reason: "duplicate key", offset: 8)) { try JSON.parse(#"{"a":1, "a":2}"#) }
    }

    @Test func depthIsBounded() throws {
        let deep = String(repeating: "[", count: 33) + String(repeating: "]", count: 33)
        #expect(throws: JSONParseError.self) { try JSON.parse(deep) }
        let fine = String(repeating: "[", count: 32) + String(repeating: "]", count: 32)
        #expect(try JSON.parse(fine).arrayValue != nil)
        #expect(throws: JSONParseError.self) { try JSON.parse(String(repeating: "[", count: 100_000)) }
        #expect(try JSON.parse(#"{"a":{"b":1}}"#, maxDepth: 2)["a"]?["b"] == .integer(1))
        #expect(throws: JSONParseError.self) { try JSON.parse(#"{"a":{"b":1}}"#, maxDepth: 1) }
    }
}
