import HTTPWire
import Testing

/// Every way a request is refused, with the status the server answers.
@Suite struct RequestErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var bytes: [UInt8]
        var status: Int
        var testDescription: String { name }

        init(_ name: String, _ text: String, _ status: Int) {
            self.name = name
            bytes = crlf(text)
            self.status = status
        }

        init(_ name: String, bytes: [UInt8], _ status: Int) {
            self.name = name
            self.bytes = bytes
            self.status = status
        }
    }

    static let cases: [Case] = [
        Case("two-part request line", "GET /\n\n", 400),
        Case("double space", "GET  / HTTP/1.1\n\n", 400),
        Case("bad method", "G(T / HTTP/1.1\n\n", 400),
        Case("lowercase version", "GET / http/1.1\n\n", 400),
        Case("garbage version", "GET / HTTX/1.1\n\n", 400),
        Case("relative target", "GET nic/update HTTP/1.1\n\n", 400),
        Case("space before colon", "GET / HTTP/1.1\nHost : x\n\n", 400),
        Case("no colon", "GET / HTTP/1.1\nHost\n\n", 400),
        Case("empty header name", "GET / HTTP/1.1\n: x\n\n", 400),
        Case("obs-fold", "GET / HTTP/1.1\nX-A: a\n  b\n\n", 400),
        Case("bare CR in header", "GET / HTTP/1.1\nX-A: a\rb\n\n", 400),
        Case("bare CR in request line", "GET /\r HTTP/1.1\n\n", 400),
        Case("NUL in header", "GET / HTTP/1.1\nX-A: a\u{0}b\n\n", 400),
        Case("NUL in request line", "GET /\u{0} HTTP/1.1\n\n", 400),
        Case("control character", "GET / HTTP/1.1\nX-A: a\u{1}b\n\n", 400),
        Case("non-numeric Content-Length", "POST / HTTP/1.1\nContent-Length: 1x\n\n", 400),
        Case("negative Content-Length", "POST / HTTP/1.1\nContent-Length: -1\n\n", 400),
        Case("empty Content-Length", "POST / HTTP/1.1\nContent-Length:\n\n", 400),
        Case("huge Content-Length", "POST / HTTP/1.1\nContent-Length: 99999999999999999999999\n\n", 400),
        Case("two Content-Length values", "POST / HTTP/1.1\nContent-Length: 1\nContent-Length: 2\n\nab", 400),
        Case("Content-Length list", "POST / HTTP/1.1\nContent-Length: 1, 2\n\nab", 400),
        Case("both framings", "POST / HTTP/1.1\nContent-Length: 1\nTransfer-Encoding: chunked\n\n0\n\n", 400),
        Case("bad chunk size", "POST / HTTP/1.1\nTransfer-Encoding: chunked\n\nzz\n\n", 400),
        Case("missing chunk CRLF", "POST / HTTP/1.1\nTransfer-Encoding: chunked\n\n1\nabc\n0\n\n", 400),
        Case("chunk size with junk", "POST / HTTP/1.1\nTransfer-Encoding: chunked\n\n1 x\na\n0\n\n", 400),
        Case("bad percent in path", "GET /a%zz HTTP/1.1\n\n", 400),
        Case("bad percent in query", "GET /a?x=%4 HTTP/1.1\n\n", 400),
        Case("invalid UTF-8 in query", "GET /a?x=%ff HTTP/1.1\n\n", 400),
        Case("invalid UTF-8 in path", "GET /%C3%28 HTTP/1.1\n\n", 400),
        Case("gzip coding", "POST / HTTP/1.1\nTransfer-Encoding: gzip\n\n", 501),
        Case("gzip then chunked", "POST / HTTP/1.1\nTransfer-Encoding: gzip, chunked\n\n0\n\n", 501),
        Case("HTTP/2.0", "GET / HTTP/2.0\n\n", 505),
        Case("HTTP/0.9", "GET / HTTP/0.9\n\n", 505),
        Case("HTTP/1.2", "GET / HTTP/1.2\n\n", 505),
        Case("body over the limit", "POST / HTTP/1.1\nContent-Length: 65537\n\n", 413),
        Case("request line over the limit", "GET /" + String(repeating: "a", count: 8200) + " HTTP/1.1\n\n", 414),
        Case("headers over the limit", "GET / HTTP/1.1\nX-Big: " + String(repeating: "b", count: 16400) + "\n\n", 431),
        Case("too many headers", "GET / HTTP/1.1\n" + String(repeating: "X-A: 1\n", count: 101) + "\n", 431),
        Case("raw invalid UTF-8 target", bytes: Array("GET /".utf8) + [0xFF] + crlf(" HTTP/1.1\n\n"), 400),
    ]

    @Test(arguments: cases)
    func refusedWithItsStatus(_ testCase: Case) {
        let error = parseError(testCase.bytes)
        #expect(error?.status == testCase.status, "\(String(describing: error))")
        // Fed byte by byte the parser reaches the same verdict.
        #expect(requests(from: testCase.bytes, step: 1).error?.status == testCase.status)
    }

    @Test func reasonsNameThePlace() {
        #expect(parseError(crlf("GET /a?x=%4 HTTP/1.1\n\n"))?.reason == "bad percent-encoding in query")
        #expect(parseError(crlf("GET /a%zz HTTP/1.1\n\n"))?.reason == "bad percent-encoding in path")
        #expect(parseError(crlf("GET /a?x=%ff HTTP/1.1\n\n"))?.reason == "invalid UTF-8 in query")
        #expect(HTTPParseError(status: 431, reason: "x").kind == .headersTooLarge)
    }

    @Test func reasonsNeverLookLikeSuccess() {
        let forbidden = ["good", "nochg", "ok", "success", "updated"]
        for testCase in Self.cases {
            let reason = parseError(testCase.bytes)?.reason.lowercased() ?? ""
            #expect(!reason.isEmpty)
            for word in forbidden { #expect(!reason.contains(word), "\(testCase.name): \(reason)") }
        }
    }

    @Test func limitsAreExactBounds() {
        let line = "GET /" + String(repeating: "a", count: 8192 - 14) + " HTTP/1.1"
        #expect(line.utf8.count == 8192)
        #expect(parseError(crlf(line + "\n\n")) == nil)
        #expect(parseError(crlf("GET /a" + line.dropFirst(5) + "\n\n"))?.status == 414)
        let hundred = "GET / HTTP/1.1\n" + String(repeating: "X-A: 1\n", count: 100) + "\n"
        #expect(parseError(crlf(hundred)) == nil)
        let body = String(repeating: "z", count: 65536)
        #expect(parseError(crlf("POST / HTTP/1.1\nContent-Length: 65536\n\n") + Array(body.utf8)) == nil)
    }

    @Test func smallLimitsApply() {
        let limits = HTTPLimits(maxRequestLineBytes: 32, maxHeaderBytes: 64, maxHeaderCount: 2, maxBodyBytes: 4)
        #expect(
            parseError(crlf("GET /\(String(repeating: "p", count: 30)) HTTP/1.1\n\n"), limits: limits)?.status == 414)
        #expect(parseError(crlf("GET / HTTP/1.1\nA: 1\nB: 2\nC: 3\n\n"), limits: limits)?.status == 431)
        #expect(
            parseError(crlf("GET / HTTP/1.1\nA: \(String(repeating: "v", count: 70))\n\n"), limits: limits)?.status
                == 431)
        #expect(parseError(crlf("POST / HTTP/1.1\nContent-Length: 5\n\nabcde"), limits: limits)?.status == 413)
        let chunked = crlf("POST / HTTP/1.1\nTransfer-Encoding: chunked\n\n3\nabc\n2\nde\n0\n\n")
        #expect(parseError(chunked, limits: limits)?.status == 413)
        #expect(requests(from: chunked, step: 1, limits: limits).error?.status == 413)
    }

    @Test func limitsApplyBeforeTheLineEnds() {
        // A client that never ends its request line is refused once it crosses the bound.
        var parser = HTTPRequestParser()
        parser.append(Array("GET /".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 9000))
        #expect(throws: HTTPParseError.self) { try parser.nextRequest() }
        var headers = HTTPRequestParser()
        headers.append(crlf("GET / HTTP/1.1\nX: ") + [UInt8](repeating: UInt8(ascii: "a"), count: 17000))
        #expect(throws: HTTPParseError(status: 431, reason: "header section too large")) { try headers.nextRequest() }
    }

    @Test func unboundedLimitsDoNotOverflow() {
        let limits = HTTPLimits(
            maxRequestLineBytes: .max, maxHeaderBytes: .max, maxHeaderCount: .max, maxBodyBytes: .max)
        let huge = crlf("POST / HTTP/1.1\nTransfer-Encoding: chunked\n\nffffffffffffffffffff\n")
        #expect(parseError(huge, limits: limits)?.status == 413)
        #expect(requests(from: crlf("GET / HTTP/1.1\nA: b"), step: 1, limits: limits).error == nil)
        let small = HTTPLimits(maxBodyBytes: 4)
        #expect(
            parseError(crlf("POST / HTTP/1.1\nTransfer-Encoding: chunked\n\n5\nabcde\n0\n\n"), limits: small)?.status
                == 413)
        #expect(parseError(crlf("POST / HTTP/1.1\nTransfer-Encoding: chunked\n\n4\nabcd\n0\n\n"), limits: small) == nil)
    }
}
