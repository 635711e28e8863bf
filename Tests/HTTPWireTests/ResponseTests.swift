import HTTPWire
import Testing

@Suite struct ResponseTests {
    @Test func textResponseSerializesAndParsesBack() throws {
        let response = HTTPResponse.text(status: 200, "good 192.0.2.1")
        let bytes = response.serialized()
        #expect(
            String(decoding: bytes, as: UTF8.self)
                == "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 14\r\n\r\ngood 192.0.2.1"
        )
        let parsed = try HTTPResponseParser.parse(bytes)
        #expect(parsed.status == 200)
        #expect(parsed.reason == "OK")
        #expect(parsed.bodyText == "good 192.0.2.1")
        #expect(parsed.header("content-length") == "14")
    }

    @Test func jsonAndHTMLResponses() throws {
        let json = HTTPResponse.json(status: 201, ["id": 7, "name": "example.org"])
        #expect(json.reason == "Created")
        #expect(json.header("Content-Type") == "application/json")
        #expect(try JSON.parse(HTTPResponseParser.parse(json.serialized()).body)["id"]?.intValue == 7)
        let html = HTTPResponse.html(status: 404, "<p>none</p>")
        #expect(html.header("content-type") == "text/html; charset=utf-8")
        #expect(html.reason == "Not Found")
    }

    @Test(arguments: [
        200, 201, 202, 204, 400, 401, 403, 404, 405, 409, 413, 414, 415, 422, 429, 431, 500, 501, 503, 505,
    ])
    func everyListedStatusHasAReason(status: Int) {
        #expect(HTTPResponse.reasonPhrase(for: status) != "Unknown")
    }

    @Test(arguments: [1, 3, 1000])
    func pipelinedResponsesByteByByte(step: Int) throws {
        var chunkedResponse = HTTPResponse.text(status: 200, "chunked body")
        chunkedResponse.headers.append(HTTPHeader("Transfer-Encoding", "chunked"))
        let stream =
            HTTPResponse.text(status: 401, "badauth").serialized()
            + HTTPResponse(status: 204, reason: "No Content").serialized()
            + chunkedResponse.serialized()
            + HTTPResponse.text(status: 200, "nochg 192.0.2.1").serialized()
        var parser = HTTPResponseParser()
        var found: [HTTPResponse] = []
        var offset = 0
        while offset < stream.count {
            let end = min(offset + step, stream.count)
            parser.append(stream[offset..<end])
            offset = end
            while let response = try parser.nextResponse() { found.append(response) }
        }
        #expect(found.map(\.status) == [401, 204, 200, 200])
        #expect(found.map(\.bodyText) == ["badauth", "", "chunked body", "nochg 192.0.2.1"])
        #expect(try parser.finish() == nil)
    }

    @Test func connectionCloseBodyEndsAtFinish() throws {
        var parser = HTTPResponseParser()
        parser.append(crlf("HTTP/1.0 200 OK\nConnection: close\n\ngood "))
        #expect(try parser.nextResponse() == nil)
        parser.append(Array("192.0.2.1\n".utf8))
        #expect(try parser.nextResponse() == nil)
        let response = try parser.finish()
        #expect(response?.bodyText == "good 192.0.2.1\n")
        #expect(try parser.finish() == nil)
    }

    @Test func closeCuttingAResponseShortIsAnError() {
        var parser = HTTPResponseParser()
        parser.append(crlf("HTTP/1.1 200 OK\nContent-Length: 10\n\nshort"))
        #expect(throws: HTTPParseError(status: 400, reason: "incomplete response")) { try parser.finish() }
        var head = HTTPResponseParser()
        head.append(Array("HTTP/1.1 200 OK\r\nContent-".utf8))
        #expect(throws: HTTPParseError.self) { try head.finish() }
    }

    @Test func statusLineVariants() throws {
        #expect(try HTTPResponseParser.parse(crlf("HTTP/1.1 200\nContent-Length: 0\n\n")).reason == "")
        #expect(
            try HTTPResponseParser.parse(crlf("HTTP/1.1 404 Not  Found here\nContent-Length: 0\n\n")).reason
                == "Not  Found here")
        #expect(try HTTPResponseParser.parse(crlf("HTTP/1.1 304 Not Modified\nContent-Length: 5\n\n")).body == [])
        for bad in ["HTTP/1.1 20 OK", "HTTP/1.1 2000 OK", "HTTP/1.1 OK", "HTTX/1.1 200 OK", "HTTP/1.1 099 x"] {
            #expect(throws: HTTPParseError.self, "\(bad)") { try HTTPResponseParser.parse(crlf(bad + "\n\n")) }
        }
        #expect(throws: HTTPParseError(status: 505, reason: "unsupported HTTP version")) {
            try HTTPResponseParser.parse(crlf("HTTP/2 200 OK\n\n"))
        }
    }

    @Test func requestSerializationRoundTrips() throws {
        let get = try HTTPRequest.get(
            "/nic/update?hostname=a.example.org&myip=192.0.2.1",
            headers: [
                HTTPHeader("Host", "members.example.org"),
                HTTPHeader("Authorization", "Basic dXNlcjpwYXNz"),
            ])
        #expect(try HTTPRequestParser.parse(get.serialized()) == get)
        #expect(!String(decoding: get.serialized(), as: UTF8.self).contains("Content-Length"))
        let post = try HTTPRequest.postForm(
            "/nic/update", [FormItem("hostname", "a b"), FormItem("myip", "::1")],
            headers: [HTTPHeader("Host", "h")])
        var parsed = try HTTPRequestParser.parse(post.serialized())
        #expect(try parsed.bodyFormItems() == [FormItem("hostname", "a b"), FormItem("myip", "::1")])
        parsed.headers.removeAll { $0.name == "Content-Length" }
        #expect(parsed == post)
    }

    @Test func parseFailureAnswersWithTheStatus() throws {
        let response = HTTPResponse.parseFailure(HTTPParseError(status: 431, reason: "too many header fields"))
        let parsed = try HTTPResponseParser.parse(response.serialized())
        #expect(parsed.status == 431)
        #expect(parsed.reason == "Request Header Fields Too Large")
        #expect(parsed.header("Connection") == "close")
        #expect(parsed.bodyText == "too many header fields\n")
    }

    @Test func responseBodyLimit() {
        let limits = HTTPLimits(maxBodyBytes: 4)
        #expect(throws: HTTPParseError(status: 413, reason: "body too large")) {
            try HTTPResponseParser.parse(crlf("HTTP/1.1 200 OK\n\nabcdef"), limits: limits)
        }
        #expect(throws: HTTPParseError(status: 413, reason: "body too large")) {
            try HTTPResponseParser.parse(crlf("HTTP/1.1 200 OK\nContent-Length: 5\n\nabcde"), limits: limits)
        }
    }
}
