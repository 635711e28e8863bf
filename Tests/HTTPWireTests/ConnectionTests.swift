import HTTPWire
import Testing

@Suite struct ConnectionTests {
    @Test(arguments: [
        ("HTTP/1.1", [String](), true),
        ("HTTP/1.1", ["close"], false),
        ("HTTP/1.1", ["Keep-Alive, Close"], false),
        ("HTTP/1.0", [], false),
        ("HTTP/1.0", ["keep-alive"], true),
        ("HTTP/1.0", ["Keep-Alive"], true),
    ])
    func keepAliveFollowsVersionAndConnection(version: String, connection: [String], expected: Bool) throws {
        var request = try HTTPRequest(method: "GET", target: "/", headers: connection.map { HTTPHeader("Connection", $0) })
        request.version = version
        #expect(request.keepsConnectionOpen == expected)
    }

    @Test func responseAnnouncesClose() {
        var response = HTTPResponse.text(status: 200, "x")
        #expect(!response.closesConnection)
        response.headers.append(HTTPHeader("connection", "Close"))
        #expect(response.closesConnection)
    }

    @Test func throwingInitDecodesTheTarget() throws {
        let request = try HTTPRequest(method: "DELETE", target: "http://h/api/v1/zones/example.org%2E?force")
        #expect(request.path == "/api/v1/zones/example.org.")
        #expect(request.query == [FormItem("force", "")])
        #expect(throws: HTTPParseError(status: 400, reason: "bad request target")) {
            try HTTPRequest(method: "GET", target: "")
        }
    }

    @Test func asteriskFormForOptions() throws {
        let request = try HTTPRequestParser.parse(crlf("OPTIONS * HTTP/1.1\nHost: h\n\n"))
        #expect(request.path == "*")
    }
}
