import HTTPWire
import Testing

@Suite struct FormEncodingTests {
    @Test(arguments: [
        ("a=1&b=2", [FormItem("a", "1"), FormItem("b", "2")]),
        ("a+b=c+d", [FormItem("a b", "c d")]),
        ("x=%2B%26%3D%25", [FormItem("x", "+&=%")]),
        ("flag&x=", [FormItem("flag", ""), FormItem("x", "")]),
        ("&&a=1&&", [FormItem("a", "1")]),
        ("a=b=c", [FormItem("a", "b=c")]),
        ("name=%C3%A9t%C3%A9", [FormItem("name", "été")]),
        ("h=a&h=b&h=a", [FormItem("h", "a"), FormItem("h", "b"), FormItem("h", "a")]),
        ("", []),
    ])
    func decodesForms(text: String, items: [FormItem]) throws {
        #expect(try FormEncoding.decode(text) == items)
    }

    @Test(arguments: ["%", "%4", "%zz", "%4g", "a=%", "%%41"])
    func badPercentEncodingIsRefused(text: String) {
        #expect(throws: HTTPParseError(status: 400, reason: "bad percent-encoding")) { try FormEncoding.decode(text) }
    }

    @Test(arguments: ["%ff", "%C3", "%C3%28", "%ED%A0%80", "%F4%90%80%80"])
    func invalidUTF8IsRefused(text: String) {
        #expect(throws: HTTPParseError(status: 400, reason: "invalid UTF-8")) {
            try FormEncoding.percentDecode(text, plusAsSpace: false)
        }
    }

    @Test func plusRuleOnlyWhenAsked() throws {
        #expect(try FormEncoding.percentDecode("a+b%20c", plusAsSpace: false) == "a+b c")
        #expect(try FormEncoding.percentDecode("a+b%20c", plusAsSpace: true) == "a b c")
        #expect(try FormEncoding.percentDecode("%41%62", plusAsSpace: false) == "Ab")
    }

    @Test(arguments: ["plain", "a b+c&d=e", "été/ü?#", "~-._", "%41", "\u{1F600}"])
    func encodeComponentRoundTrips(text: String) throws {
        let encoded = FormEncoding.encodeComponent(text)
        #expect(encoded.utf8.allSatisfy { $0 < 0x80 && $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "&") })
        #expect(try FormEncoding.percentDecode(encoded, plusAsSpace: true) == text)
        let items = [FormItem(text, text), FormItem("k", text)]
        #expect(try FormEncoding.decode(FormEncoding.encode(items)) == items)
    }

    @Test func encodeComponentKeepsUnreserved() {
        #expect(FormEncoding.encodeComponent("host-1.example_org~") == "host-1.example_org~")
        #expect(FormEncoding.encodeComponent("a b/é") == "a%20b%2F%C3%A9")
    }

    @Test func bodyFormItemsFollowTheContentType() throws {
        let body = Array("hostname=a.example.org&myip=192.0.2.7".utf8)
        let form = HTTPRequest(
            method: "POST", target: "/", path: "/", query: [],
            headers: [HTTPHeader("content-type", "Application/X-WWW-Form-Urlencoded; charset=UTF-8")],
            body: body)
        #expect(try form.bodyFormItems() == [FormItem("hostname", "a.example.org"), FormItem("myip", "192.0.2.7")])
        var json = form
        json.headers = [HTTPHeader("Content-Type", "application/json")]
        #expect(try json.bodyFormItems() == [])
        var none = form
        none.headers = []
        #expect(try none.bodyFormItems() == [])
        var bad = form
        bad.body = Array("a=%zz".utf8)
        #expect(throws: HTTPParseError(status: 400, reason: "bad percent-encoding in body")) { try bad.bodyFormItems() }
        bad.body = [0x61, 0x3D, 0xFF]
        #expect(throws: HTTPParseError(status: 400, reason: "invalid UTF-8 in body")) { try bad.bodyFormItems() }
    }

    @Test func getBuilderDecodesTheTarget() throws {
        let request = try HTTPRequest.get(
            "/nic/update?hostname=a.example.org&myip=%3A%3A1",
            headers: [HTTPHeader("Host", "members.example.org")])
        #expect(request.method == "GET")
        #expect(request.path == "/nic/update")
        #expect(request.query == [FormItem("hostname", "a.example.org"), FormItem("myip", "::1")])
        #expect(throws: HTTPParseError(status: 400, reason: "bad percent-encoding in query")) {
            try HTTPRequest.get("/x?a=%")
        }
        #expect(throws: HTTPParseError.self) { try HTTPRequest.get("no-slash") }
    }
}
