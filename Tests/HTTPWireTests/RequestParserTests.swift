import HTTPWire
import Testing

@Suite struct RequestParserTests {
    static let update = crlf(
        """
        GET /nic/update?hostname=host.example.org&myip=192.0.2.1 HTTP/1.1
        Host: members.example.org
        Authorization: Basic dXNlcjpwYXNz
        User-Agent: ddclient/3.11.2


        """)

    @Test func parsesAnUpdateRequest() throws {
        let request = try HTTPRequestParser.parse(Self.update)
        #expect(request.method == "GET")
        #expect(request.target == "/nic/update?hostname=host.example.org&myip=192.0.2.1")
        #expect(request.path == "/nic/update")
        #expect(request.query == [FormItem("hostname", "host.example.org"), FormItem("myip", "192.0.2.1")])
        #expect(request.version == "HTTP/1.1")
        #expect(request.headers.map(\.name) == ["Host", "Authorization", "User-Agent"])
        #expect(request.header("user-agent") == "ddclient/3.11.2")
        #expect(request.body.isEmpty)
    }

    @Test(arguments: [1, 2, 3, 7, 64])
    func byteSplitsGiveTheSameRequest(step: Int) throws {
        let whole = try HTTPRequestParser.parse(Self.update)
        let result = requests(from: Self.update, step: step)
        #expect(result.error == nil)
        #expect(result.requests == [whole])
    }

    @Test func pipelinedRequestsComeOutInOrder() throws {
        let post = crlf("POST /a HTTP/1.1\nContent-Length: 5\n\nhello")
        let chunked = crlf("POST /b HTTP/1.1\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\n")
        let stream = Self.update + post + chunked + Self.update
        for step in [1, 5, stream.count] {
            let result = requests(from: stream, step: step)
            #expect(result.error == nil)
            #expect(result.requests.map(\.path) == ["/nic/update", "/a", "/b", "/nic/update"])
            #expect(result.requests.map(\.body) == [[], Array("hello".utf8), Array("abc".utf8), []])
        }
    }

    @Test func nothingBeforeTheHeadEnds() throws {
        var parser = HTTPRequestParser()
        parser.append(Self.update.dropLast(2))
        #expect(try parser.nextRequest() == nil)
        #expect(parser.hasPartialRequest)
        parser.append(Self.update.suffix(2))
        #expect(try parser.nextRequest() != nil)
        #expect(!parser.hasPartialRequest)
        #expect(try parser.nextRequest() == nil)
    }

    @Test func chunkedBodyWithExtensionsAndTrailers() throws {
        let bytes = crlf(
            """
            POST /nic/update HTTP/1.1
            Transfer-Encoding: chunked
            Content-Type: application/x-www-form-urlencoded

            9;name=value
            hostname=
            b
            example.org
            0
            X-Trailer: yes


            """)
        for step in [1, 4, bytes.count] {
            let result = requests(from: bytes, step: step)
            #expect(result.error == nil)
            #expect(result.requests.first?.body == Array("hostname=example.org".utf8))
            #expect(try result.requests.first?.bodyFormItems() == [FormItem("hostname", "example.org")])
        }
    }

    @Test func bareLineFeedsAreTolerated() throws {
        let bytes = Array("GET /x?a=1 HTTP/1.0\nHost: h\n\n".utf8)
        let request = try HTTPRequestParser.parse(bytes)
        #expect(request.version == "HTTP/1.0")
        #expect(request.query == [FormItem("a", "1")])
    }

    @Test func leadingEmptyLinesAreSkipped() throws {
        let request = try HTTPRequestParser.parse(crlf("\n\nGET / HTTP/1.1\n\n"))
        #expect(request.path == "/")
    }

    @Test func headerValuesAreTrimmedAndNamesKeepTheirCase() throws {
        let request = try HTTPRequestParser.parse(crlf("GET / HTTP/1.1\nX-Odd-CASE: \t spaced value \t\nEmpty:\n\n"))
        #expect(request.headers == [HTTPHeader("X-Odd-CASE", "spaced value"), HTTPHeader("Empty", "")])
    }

    @Test(arguments: [
        ("http://members.example.org/nic/update?hostname=a.example.org", "/nic/update"),
        ("HTTP://members.example.org:8080/nic/update?hostname=a.example.org", "/nic/update"),
        ("https://members.example.org?hostname=a.example.org", "/"),
    ])
    func absoluteFormTargets(target: String, path: String) throws {
        let request = try HTTPRequestParser.parse(crlf("GET \(target) HTTP/1.1\nHost: x\n\n"))
        #expect(request.target == target)
        #expect(request.path == path)
        #expect(request.query == [FormItem("hostname", "a.example.org")])
    }

    @Test func absoluteFormWithoutPath() throws {
        let request = try HTTPRequestParser.parse(crlf("GET http://members.example.org HTTP/1.1\n\n"))
        #expect(request.path == "/")
        #expect(request.query.isEmpty)
    }

    @Test func pathIsPercentDecodedWithoutThePlusRule() throws {
        let request = try HTTPRequestParser.parse(crlf("GET /a%20b+c/%C3%A9?x=a+b%2Bc HTTP/1.1\n\n"))
        #expect(request.path == "/a b+c/é")
        #expect(request.query == [FormItem("x", "a b+c")])
    }

    @Test func duplicateQueryItemsKeepTheirOrder() throws {
        let request = try HTTPRequestParser.parse(
            crlf("GET /nic/update?hostname=b.example.org&&myip&hostname=a.example.org&=v HTTP/1.1\n\n"))
        #expect(
            request.query == [
                FormItem("hostname", "b.example.org"), FormItem("myip", ""), FormItem("hostname", "a.example.org"),
                FormItem("", "v"),
            ])
    }

    @Test func identicalContentLengthValuesAreOneLength() throws {
        let request = try HTTPRequestParser.parse(
            crlf("POST / HTTP/1.1\nContent-Length: 2, 2\nContent-Length: 2\n\nab"))
        #expect(request.body == Array("ab".utf8))
    }

    @Test func parseRejectsIncompleteAndExtraBytes() {
        #expect(parseError(Array(Self.update.dropLast())) == HTTPParseError(status: 400, reason: "incomplete request"))
        #expect(parseError(crlf("POST / HTTP/1.1\nContent-Length: 3\n\nab"))?.reason == "incomplete request")
        #expect(parseError(Self.update + Self.update)?.status == 400)
    }

    @Test func failedParserStaysFailed() {
        var parser = HTTPRequestParser()
        parser.append(crlf("GET / HTTP/9.9\n\n"))
        #expect(throws: HTTPParseError.unsupported505) { try parser.nextRequest() }
        parser.append(Self.update)
        #expect(throws: HTTPParseError.unsupported505) { try parser.nextRequest() }
    }
}

extension HTTPParseError {
    static let unsupported505 = HTTPParseError(status: 505, reason: "unsupported HTTP version")
}
